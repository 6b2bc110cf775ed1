"""One Settings object, read from the environment and `.env` (DESIGN.md §7)."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from cryptography.fernet import Fernet
from pydantic import model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PLACEHOLDERS = {"", "changeme", "change-me", "changethis", "secret", "your-secret", "placeholder"}
ENVIRONMENTS = {"development": "development", "dev": "development", "production": "production", "prod": "production"}
# production secrets: the shortest accepted, and the fewest different characters ("xxxxxxxx…" is not a secret)
STRONG_SECRETS = {
    "STORAGE_SECRET": 32,
    "TRIPAY_API_KEY": 16,
    "TRIPAY_PRIVATE_KEY": 16,
    "MIDTRANS_SERVER_KEY": 20,
    "METRICS_TOKEN": 24,
    "ADMIN_API_TOKEN": 32,
    "ADMIN_PASSWORD": 12,
}
MIN_DISTINCT = 8
PROJECT_ROOT = Path(__file__).resolve().parent.parent


class ConfigError(RuntimeError):
    """The configuration cannot run safely; the message names the variable."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    APP_ENV: str = "development"
    BASE_URL: str = ""  # the shop's public address; unset: http://localhost:$PORT
    HOST: str = "127.0.0.1"
    PORT: int = 8080
    DATA_DIR: Path = PROJECT_ROOT / "data"
    DATABASE_URL: str = ""
    STORAGE_SECRET: str = ""
    ENCRYPTION_KEY: str = ""  # comma-separated Fernet keys, newest first (key rotation)

    TRIPAY_BASE_URL: str = ""
    TRIPAY_MERCHANT_CODE: str = ""
    TRIPAY_API_KEY: str = ""
    TRIPAY_PRIVATE_KEY: str = ""
    TRIPAY_CALLBACK_URL: str = ""
    TRIPAY_CALLBACK_IPS: str = ""  # comma-separated source IPs allowed to call /callback/tripay; empty = any
    MIDTRANS_SERVER_KEY: str = ""
    MIDTRANS_CLIENT_KEY: str = ""
    MIDTRANS_IS_PRODUCTION: bool = False
    MIDTRANS_SNAP_URL: str = ""  # override Snap's host (tests point it at the simulator)
    MIDTRANS_API_URL: str = ""  # override the Core API host
    SANDBOX_RETRY_INTERVAL: float = 120.0  # the built-in sandbox's callback retry interval (Tripay: 2 min)
    PAYMENT_WINDOW_MINUTES: int = 60
    ORDER_RATE_LIMIT_PER_MINUTE: int = 10  # orders one client address may place per minute (API and checkout page)
    LOOKUP_RATE_LIMIT_PER_HOUR: int = 20  # order-link e-mails one client address may ask for per hour
    # where the limits count: redis://… shares them between the app processes; empty: NICEGUI_REDIS_URL when
    # set (the same Redis), else each process counts alone
    RATE_LIMIT_STORAGE_URL: str = ""
    NICEGUI_REDIS_URL: str = ""  # NiceGUI's shared storage (several processes); read here for the rate limits
    # the proxies whose X-Forwarded-For is believed (uvicorn's forwarded_allow_ips): behind nginx on the same
    # host the default 127.0.0.1 is right; behind a proxy container, its address or network
    FORWARDED_ALLOW_IPS: str = "127.0.0.1,::1"

    SMTP_HOST: str = ""
    SMTP_PORT: int = 587
    SMTP_USER: str = ""
    SMTP_PASSWORD: str = ""
    SMTP_TLS: bool = True
    SMTP_SSL: bool = False
    MAIL_FROM: str = "AksesGPT <no-reply@localhost>"
    TELEGRAM_BOT_TOKEN: str = ""  # with TELEGRAM_CHAT_ID: every admin alert also goes to that Telegram chat
    TELEGRAM_CHAT_ID: str = ""
    TELEGRAM_API_BASE: str = "https://api.telegram.org"  # Bot API base URL (tests point it at loopback)
    # customer messages on WhatsApp through a Fonnte-compatible gateway (POST {base}/send); empty provider: off
    WHATSAPP_PROVIDER: str = ""  # fonnte or wablas
    WHATSAPP_API_BASE: str = "https://api.fonnte.com"
    WHATSAPP_TOKEN: str = ""  # the device token, sent as the Authorization header; never logged

    # ChatGPT workspaces (integrations/chatgpt.py; facts: ../shared/reference/chatgpt-workspaces.md)
    CHATGPT_API_BASE: str = "https://chatgpt.com/backend-api"  # ChatGPT's web backend (tests: the simulator)
    CHATGPT_AUTH_BASE: str = "https://chatgpt.com"  # renews access tokens at /api/auth/session from the session token
    CHATGPT_PROXY: str = ""  # proxy URL for every ChatGPT call (http://, https:// or socks5://…); empty: direct
    CHATGPT_TIMEOUT_S: float = 20  # seconds one ChatGPT call may take before it counts as failed (and is retried)
    CHATGPT_RETRY_BASE_S: float = 1.0  # first retry waits this long (then twice, four times; plus jitter)
    CHATGPT_RATE_PER_MINUTE: int = 30  # calls the shop makes to one workspace per minute (beyond: calls wait)
    WORKSPACE_SYNC_INTERVAL_S: int = 300  # how often each automated workspace's members and invites are read
    WORKSPACE_REMOVE_STRANGERS: bool = False  # remove members nobody sold a seat to (else: only alert the owner)
    WORKSPACE_STRANGER_GRACE_MINUTES: int = 60  # a stranger is seen this long before being removed or alerted on
    WORKSPACE_FAILURES_UNREACHABLE: int = 5  # consecutive failed calls that make a workspace UNREACHABLE
    WORKSPACE_CONFIRM_S: int = 120  # how long an invite may take to appear in the workspace's list (else: ghost)
    WORKSPACE_CONFIRM_POLL_S: int = 5  # how often an unconfirmed invitation is looked for
    WORKSPACE_TASK_LEASE_S: int = 180  # a claimed task is not picked again for this long, even if its process dies
    WORKSPACE_MISSING_SYNCS: int = 3  # syncs that must miss an invited customer before they are invited again
    WORKSPACE_WORKERS: int = 8  # workspace calls in flight at once per process

    ADMIN_EMAIL: str = ""
    ADMIN_PASSWORD: str = ""
    ADMIN_REQUIRE_2FA: bool = False  # every admin must turn on two-factor sign-in (TOTP) before anything else
    ADMIN_API_TOKEN: str = ""  # becomes a bearer token of the first owner at start-up (for bots and scripts)
    SUPPORT_CONTACT: str = ""  # shown in the shop's footer, e.g. "WhatsApp 0812-xxxx or support@…"
    # the defaults of the owner's shop settings (admin /admin/shop; a saved setting wins over these)
    SHOP_NAME: str = "AksesGPT"
    SHOP_TAGLINE: str = ""  # empty: the shop's own tagline in the visitor's language
    SUPPORT_WHATSAPP: str = ""  # an Indonesian mobile number, shown with a wa.me link
    SUPPORT_EMAIL: str = ""
    REMINDER_DAYS: str = "3,1"  # the two e-mail reminders before a seat ends, in days (the first the earlier)
    RENEWAL_GRACE_DAYS: int = 3  # days after a seat ends within which its customer can still renew it
    CONTENT_DIR: Path = PROJECT_ROOT / "content"  # terms.<lang>.md and privacy.<lang>.md, edited by the owner

    LOG_DIR: Path | None = None  # when set: app.log, tripay_webhooks.log, account_allocation.log, jobs.log (rotated)
    LOG_FORMAT: str = "auto"  # auto (JSON in production, text otherwise), json or text
    METRICS_TOKEN: str = ""  # bearer token for /metrics; unset = open in development, closed in production
    LOW_POOL_THRESHOLD: int = 5
    STOCK_WAIT_ALERT_MINUTES: int = 30  # alert when a paid order has waited for a seat this long
    WAITLIST_INTERVAL_S: int = 60  # how often the waitlist of a sold-out package is checked for a free seat
    SCHEDULER_ENABLED: bool = True
    DEMO_DATA: bool = True
    # serve /_bench/bare, the empty NiceGUI page bench/pages.py compares against, and POST /_bench/ping, the
    # callback ping through the pages' middleware stack (the webhook ceiling as the payments issue first had it)
    BENCH_PAGES: bool = False

    @property
    def is_production(self) -> bool:
        return ENVIRONMENTS.get(self.APP_ENV.strip().lower()) == "production"

    @property
    def database_url(self) -> str:
        return self.DATABASE_URL or f"sqlite:///{self.DATA_DIR / 'aksesgpt.db'}"

    @property
    def tripay_configured(self) -> bool:
        return all((self.TRIPAY_BASE_URL, self.TRIPAY_MERCHANT_CODE, self.TRIPAY_API_KEY, self.TRIPAY_PRIVATE_KEY))

    @property
    def midtrans_configured(self) -> bool:
        return bool(self.MIDTRANS_SERVER_KEY)

    @property
    def telegram_configured(self) -> bool:
        return bool(self.TELEGRAM_BOT_TOKEN.strip() and self.TELEGRAM_CHAT_ID.strip())

    @property
    def whatsapp_configured(self) -> bool:
        return self.WHATSAPP_PROVIDER.strip().lower() in ("fonnte", "wablas") and bool(self.WHATSAPP_TOKEN.strip())

    @property
    def public_url(self) -> str:
        return self.BASE_URL.rstrip("/") or f"http://localhost:{self.PORT}"

    @property
    def rate_limit_storage_url(self) -> str:
        return self.RATE_LIMIT_STORAGE_URL.strip() or self.NICEGUI_REDIS_URL.strip()

    @property
    def callback_ips(self) -> set[str]:
        return {ip.strip() for ip in self.TRIPAY_CALLBACK_IPS.split(",") if ip.strip()}

    @property
    def encryption_keys(self) -> list[str]:
        return [k.strip() for k in self.ENCRYPTION_KEY.split(",") if k.strip()]

    @model_validator(mode="after")
    def _secrets(self) -> Settings:
        if self.APP_ENV.strip().lower() not in ENVIRONMENTS:
            raise ConfigError(
                f"APP_ENV={self.APP_ENV!r} is neither development nor production. The payment sandbox and the demo "
                "shop run only with APP_ENV=development; a real shop sets APP_ENV=production."
            )
        if self.is_production:
            for name in ("STORAGE_SECRET", "ENCRYPTION_KEY"):
                if getattr(self, name).strip().lower() in PLACEHOLDERS:
                    raise ConfigError(
                        f"{name} is missing or a placeholder; APP_ENV=production refuses to start "
                        f"without it. Set {name} in the environment or .env."
                    )
            for name, shortest in STRONG_SECRETS.items():
                value = getattr(self, name).strip()
                optional = name not in ("STORAGE_SECRET",)  # the others only when set
                if (value or not optional) and (len(value) < shortest or len(set(value)) < MIN_DISTINCT):
                    raise ConfigError(
                        f"{name} is too weak for production: use at least {shortest} characters, not a word or a "
                        f'repeated character (e.g. python -c "import secrets; print(secrets.token_urlsafe(48))").'
                    )
            if not self.DATABASE_URL:
                raise ConfigError("DATABASE_URL must be set explicitly in production.")
            if not (self.tripay_configured or self.midtrans_configured):
                raise ConfigError(
                    "No payment gateway configured: set TRIPAY_BASE_URL, TRIPAY_MERCHANT_CODE, TRIPAY_API_KEY and "
                    "TRIPAY_PRIVATE_KEY (or MIDTRANS_SERVER_KEY). The sandbox gateway is refused in production."
                )
        else:
            self.STORAGE_SECRET = self.STORAGE_SECRET or kept_secret(
                self.DATA_DIR, "storage_secret", lambda: secrets.token_urlsafe(32)
            )
            self.ENCRYPTION_KEY = self.ENCRYPTION_KEY or kept_secret(
                self.DATA_DIR, "encryption_key", lambda: Fernet.generate_key().decode()
            )
        for key in self.encryption_keys:
            try:
                Fernet(key.encode())
            except ValueError as exc:
                raise ConfigError(
                    "ENCRYPTION_KEY must hold Fernet keys (32 url-safe base64 bytes), comma-separated."
                ) from exc
        return self


def kept_secret(data_dir: Path, name: str, make: Callable[[], str]) -> str:
    """Return a development secret kept under data/, generating it on first use."""
    path = data_dir / f".{name}"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    value = make()
    path.touch(mode=0o600)
    path.write_text(value)
    return value


@lru_cache
def get_settings() -> Settings:
    return Settings()
