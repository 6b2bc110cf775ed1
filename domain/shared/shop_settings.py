"""The owner's shop settings as one typed value: each key of the shop_settings table (JSON), or its `.env`
default when the key is absent. Read through SHOP_CONFIG, a per-process cache emptied by a save's commit in this
process at once (a local sink of infra/changes.py) and by other processes' saves through the change feed
(topic "settings", announced by every save: domain/admin/shop_settings.py; runtime/feed.py delivers it, and
pages/shop/frame.py subscribes)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, fields, replace
from typing import Any

from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session, select

from domain.shared.errors import ValidationFailed
from domain.shared.models import ShopSetting
from domain.shared.validation import normalize_phone
from infra import db
from infra import settings as config
from infra.changes import Change, add_local_sink

SETTINGS_TOPIC = "settings"  # what the change feed calls a change to the shop's settings


@dataclass(frozen=True)
class ShopConfig:
    shop_name: str
    logo: str  # an https:// address or a small data:image/… URL; empty: the name alone
    tagline: str  # empty: the shop's own tagline in the visitor's language
    support_whatsapp: str  # E.164 (+628…); empty: none
    support_email: str
    payment_window_minutes: int
    low_pool_threshold: int  # alert when fewer free seats than this
    reminder_days: tuple[int, int]  # days before a seat ends: the first (earlier) and the second reminder
    banner_on: bool
    banner_text: str
    terms_text: str  # empty: the text of content/terms.<lang>.md
    privacy_text: str
    owner_whatsapp: str = ""  # E.164; the owner's number for new-sale notices on WhatsApp (empty: none)
    renewal_grace_days: int = 3  # days after a seat ended within which it can still be renewed
    account_reminder_days: int = 5  # days before an account's ChatGPT subscription renews, the owner is reminded
    shared_text: str = ""  # "Penjelasan akun bersama" on the home page; empty: the shop's own text per language

    @property
    def banner(self) -> str:
        """The announcement to show, or empty."""
        return self.banner_text.strip() if self.banner_on else ""

    @property
    def whatsapp_link(self) -> str:
        return f"https://wa.me/{self.support_whatsapp.lstrip('+')}" if self.support_whatsapp else ""

    @property
    def contact(self) -> str:
        """The support line's text (WhatsApp and e-mail), or the .env SUPPORT_CONTACT when neither is set."""
        parts = []
        if self.support_whatsapp:
            parts.append(f"WhatsApp {self.support_whatsapp}")
        if self.support_email:
            parts.append(self.support_email)
        return " · ".join(parts) or config.get_settings().SUPPORT_CONTACT.strip()


KEYS = tuple(f.name for f in fields(ShopConfig))


def parse_reminder_days(text: str) -> tuple[int, int]:
    """ "3,1" → (3, 1); what cannot be read falls back to (3, 1) (the .env value is checked by the admin's save)."""
    try:
        first, second = (int(part) for part in str(text).split(","))
    except ValueError:
        return (3, 1)
    return (first, second) if first > second >= 1 else (3, 1)


def _env_phone(value: str) -> str:
    """The .env WhatsApp number as the owner's page stores one (+62…); one that is not a mobile number is left out."""
    try:
        return normalize_phone(value) if value.strip() else ""
    except ValidationFailed:
        return ""


def env_defaults() -> ShopConfig:
    """The settings as `.env` gives them (what an absent key means)."""
    env = config.get_settings()
    return ShopConfig(
        shop_name=env.SHOP_NAME.strip() or "AksesGPT",
        logo="",
        tagline=env.SHOP_TAGLINE.strip(),
        support_whatsapp=_env_phone(env.SUPPORT_WHATSAPP),
        support_email=env.SUPPORT_EMAIL.strip(),
        payment_window_minutes=env.PAYMENT_WINDOW_MINUTES,
        low_pool_threshold=env.LOW_POOL_THRESHOLD,
        reminder_days=parse_reminder_days(env.REMINDER_DAYS),
        banner_on=False,
        banner_text="",
        terms_text="",
        privacy_text="",
        renewal_grace_days=env.RENEWAL_GRACE_DAYS,
    )


def _typed(key: str, value: Any) -> Any:
    """A stored JSON value as the field's type (a list back to a tuple)."""
    if key == "reminder_days" and isinstance(value, list) and len(value) == 2:
        return (int(value[0]), int(value[1]))
    return value


def read_shop_config(*, session: Session) -> ShopConfig:
    """The settings now: the stored keys over the `.env` defaults (unknown keys are ignored)."""
    stored = {row.key: row.value for row in session.exec(select(ShopSetting)) if row.key in KEYS}
    return replace(env_defaults(), **{key: _typed(key, value) for key, value in stored.items()})


class ShopConfigCache:
    """The settings read once per process and kept until the change feed tells of a save (`expire`), or the
    database or the `.env` settings object changes (a test's new database)."""

    def __init__(self) -> None:
        self._value: ShopConfig | None = None
        self._last: ShopConfig | None = None  # the last read, kept through `expire` (for pages during an outage)
        self._last_engine: object = None
        self._key: tuple[object, object] = (None, None)  # the engine and the .env settings it was read with
        self._generation = 0
        self._lock = threading.Lock()
        self.reads = 0  # (tests count them)

    def expire(self, _change: object = None) -> None:
        with self._lock:
            self._generation += 1
            self._value = None

    def cached(self, bind: Engine | Connection | None = None) -> ShopConfig | None:
        """The kept settings when still good for this database, else None (without reading)."""
        engine, env = bind if bind is not None else db.get_engine(), config.get_settings()
        with self._lock:  # (held, not by id: a new engine can never look like the one the value came from)
            good = self._value is not None and self._key[0] is engine and self._key[1] is env
            return self._value if good else None

    def latest(self) -> ShopConfig | None:
        """The settings last read from this database, whatever has happened since (None: never read)."""
        engine = db.get_engine()
        with self._lock:
            return self._last if self._last_engine is engine else None

    def get(self, *, session: Session) -> ShopConfig:
        """The settings, read through `session` when not kept (a use case's own transaction)."""
        bind = session.get_bind()
        hit = self.cached(bind)
        if hit is not None:
            return hit
        with self._lock:
            generation = self._generation
        value = read_shop_config(session=session)
        with self._lock:
            self.reads += 1
            self._last, self._last_engine = value, bind
            if generation == self._generation:  # no save was heard while it was read
                self._value, self._key = value, (bind, config.get_settings())
        return value

    def load(self) -> ShopConfig:
        """The settings, read in a session of their own when not kept (call it in a thread)."""
        hit = self.cached()
        if hit is not None:
            return hit
        with db.read_session() as session:
            return self.get(session=session)

    def heard(self, change: Change) -> None:
        """A change committed in this process: empty the cache when it names the settings."""
        if SETTINGS_TOPIC in change.topics:
            self.expire()


SHOP_CONFIG = ShopConfigCache()
add_local_sink(SHOP_CONFIG.heard)
