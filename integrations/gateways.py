"""Which gateways serve the shop: Tripay when configured, else Midtrans, else (outside production)
the built-in sandbox, which speaks Tripay's protocol. Midtrans is the failover when both exist."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from domain.payments.gateway import PaymentGateway
from infra.settings import Settings, kept_secret
from integrations.midtrans import MidtransClient
from integrations.sandbox.state import SandboxConfig
from integrations.tripay import TripayClient

SANDBOX_MOUNT = "/sandbox"


@dataclass
class Gateways:
    chain: list[PaymentGateway]  # tried in order when a checkout starts
    tripay_private_key: str = ""
    midtrans_server_key: str = ""
    sandbox: SandboxConfig | None = None  # set when the app serves the built-in sandbox itself
    by_name: dict[str, PaymentGateway] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.by_name = {g.name: g for g in self.chain}

    @property
    def primary(self) -> PaymentGateway:
        return self.chain[0]

    def close(self) -> None:
        for gateway in self.chain:
            close = getattr(gateway, "close", None)
            if close:
                close()


def sandbox_config(settings: Settings) -> SandboxConfig:
    """Development credentials for the mounted sandbox, generated once and kept under data/."""
    local = f"http://127.0.0.1:{settings.PORT}"
    return SandboxConfig(
        tripay_merchant_code="T-SANDBOX",
        tripay_api_key="DEV-" + kept_secret(settings.DATA_DIR, "sandbox_api_key", lambda: secrets.token_hex(16)),
        tripay_private_key=kept_secret(settings.DATA_DIR, "sandbox_private_key", lambda: secrets.token_hex(20)),
        tripay_callback_url=f"{local}/callback/tripay",
        public_url=settings.public_url + SANDBOX_MOUNT,
        retry_interval=settings.SANDBOX_RETRY_INTERVAL,
    )


def build_gateways(settings: Settings) -> Gateways:
    chain: list[PaymentGateway] = []
    sandbox = None
    tripay_key = ""
    if settings.tripay_configured:
        tripay_key = settings.TRIPAY_PRIVATE_KEY
        chain.append(
            TripayClient(
                base_url=settings.TRIPAY_BASE_URL,
                merchant_code=settings.TRIPAY_MERCHANT_CODE,
                api_key=settings.TRIPAY_API_KEY,
                private_key=settings.TRIPAY_PRIVATE_KEY,
                callback_url=settings.TRIPAY_CALLBACK_URL or f"{settings.public_url}/callback/tripay",
            )
        )
    if settings.midtrans_configured:
        chain.append(
            MidtransClient(
                server_key=settings.MIDTRANS_SERVER_KEY,
                is_production=settings.MIDTRANS_IS_PRODUCTION,
                snap_url=settings.MIDTRANS_SNAP_URL,
                api_url=settings.MIDTRANS_API_URL,
                notification_url=f"{settings.public_url}/callback/midtrans",
            )
        )
    if not chain and not settings.is_production:
        sandbox = sandbox_config(settings)
        tripay_key = sandbox.tripay_private_key
        chain.append(
            TripayClient(
                base_url=f"http://127.0.0.1:{settings.PORT}{SANDBOX_MOUNT}/api-sandbox/",
                merchant_code=sandbox.tripay_merchant_code,
                api_key=sandbox.tripay_api_key,
                private_key=sandbox.tripay_private_key,
                callback_url=sandbox.tripay_callback_url,
            )
        )
    return Gateways(
        chain=chain, tripay_private_key=tripay_key, midtrans_server_key=settings.MIDTRANS_SERVER_KEY, sandbox=sandbox
    )
