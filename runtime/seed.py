"""Demo data for development: three packages and a few clearly marked demo accounts."""

from __future__ import annotations

import secrets

from sqlmodel import Session, func, select

from domain.catalog.pool import add_account
from domain.catalog.products import create_product
from domain.shared.audit import SYSTEM
from domain.shared.models import Delivery, Product

DEMO_PRODUCTS = (
    dict(
        slug="paket-7-hari",
        name="ChatGPT Plus 7 Hari",
        price_idr=25_000,
        duration_days=7,
        sort_order=1,
        description="Akses ChatGPT Plus selama 7 hari. Cocok untuk mencoba.",
    ),
    dict(
        slug="paket-30-hari",
        name="ChatGPT Plus 30 Hari",
        price_idr=79_000,
        duration_days=30,
        sort_order=2,
        is_popular=True,
        description="Akses ChatGPT Plus selama 30 hari.",
    ),
    dict(
        slug="paket-90-hari",
        name="ChatGPT Plus 90 Hari",
        price_idr=199_000,
        duration_days=90,
        sort_order=3,
        description="Akses ChatGPT Plus selama 90 hari, paling hemat.",
    ),
)
DEMO_ACCOUNTS = (
    dict(email="demo-1@demo.aksesgpt.invalid", max_seats=None, delivery=Delivery.CREDENTIALS),
    dict(email="demo-2@demo.aksesgpt.invalid", max_seats=3, delivery=Delivery.CREDENTIALS),
    dict(email="demo-3@demo.aksesgpt.invalid", max_seats=5, delivery=Delivery.CREDENTIALS),
    dict(email="demo-team@demo.aksesgpt.invalid", max_seats=5, delivery=Delivery.INVITE),
)


def seed_demo_data(*, session: Session) -> bool:
    """Seed an empty shop; returns False (and does nothing) when any package exists."""
    if session.exec(select(func.count()).select_from(Product)).one():
        return False
    for product in DEMO_PRODUCTS:
        create_product(session=session, actor=SYSTEM, **product)  # type: ignore[arg-type]
    for account in DEMO_ACCOUNTS:
        add_account(
            session=session,
            actor=SYSTEM,
            password=secrets.token_urlsafe(12),
            note="[DEMO] not a real ChatGPT account",
            **account,
        )
    return True
