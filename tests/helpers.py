"""Builders that read like the story: a package, an account, a paid order."""

from __future__ import annotations

import hashlib
import json
import secrets

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from domain.admin.invariants import check_invariants
from domain.catalog.pool import add_account
from domain.catalog.products import create_product
from domain.orders.orders import PaymentResult, create_order, record_payment
from domain.payments.checkout import attach_checkout
from domain.payments.gateway import Checkout
from domain.shared.models import ChatGPTAccount, Order, Product
from infra import db
from infra.settings import Settings
from integrations.smtp import SmtpSender
from integrations.tripay import callback_signature

ADMIN = "admin:owner@example.com"


def random_email(prefix: str = "user") -> str:
    return f"{prefix}-{secrets.token_hex(4)}@example.com"


def make_product(
    slug: str = "paket-30-hari", price_idr: int = 79_000, duration_days: int = 30, pool: str = "default"
) -> Product:
    with db.write_session() as s:
        return create_product(
            session=s,
            actor=ADMIN,
            slug=slug,
            name=f"Paket {duration_days} hari",
            price_idr=price_idr,
            duration_days=duration_days,
            pool=pool,
        )


def make_account(
    max_seats: int | None = None, pool: str = "default", delivery: str = "CREDENTIALS", password: str | None = None
) -> ChatGPTAccount:
    with db.write_session() as s:
        return add_account(
            session=s,
            actor=ADMIN,
            email=random_email("acct"),
            password=password or secrets.token_urlsafe(12),
            pool=pool,
            delivery=delivery,
            max_seats=max_seats,
        )


def make_order(product: Product, email: str | None = None) -> Order:
    with db.write_session() as s:
        order, _token = create_order(
            session=s,
            product_slug=product.slug,
            email=email or random_email(),
            name="Budi Santoso",
            phone="081234567890",
        )
        return order


def checked_out(product: Product, *, provider: str = "tripay", reference: str | None = None) -> Order:
    """An unpaid order with its gateway transaction (the "how to pay" e-mail queued), as after checkout."""
    order = make_order(product)
    checkout = Checkout(
        provider=provider,
        reference=reference or f"DEV-T{secrets.token_hex(6)}",
        method="QRIS" if provider == "tripay" else provider.upper(),
        checkout_url="http://sandbox/checkout",
    )
    return db.in_transaction(lambda s: attach_checkout(session=s, order_id=order.id, checkout=checkout, actor="test"))


def pay(order: Order, amount: int | None = None, actor: str = "tripay_webhook") -> PaymentResult:
    return db.in_transaction(
        lambda s: record_payment(session=s, order_id=order.id, amount_idr=amount or order.amount_idr, actor=actor)
    )


def invariants() -> list[str]:
    with db.read_session() as s:
        return check_invariants(session=s)


def fingerprint(engine: Engine) -> str:
    """A digest of every row of every table: equal before and after means nothing changed."""
    digest = hashlib.sha256()
    with engine.connect() as conn:
        for table in SQLModel.metadata.sorted_tables:
            rows = conn.execute(sa.select(table).order_by(*table.primary_key.columns)).all()
            digest.update(json.dumps([list(r) for r in rows], default=str).encode())
    return digest.hexdigest()


def tripay_callback(
    *, reference: str, merchant_ref: str, amount: int, key: str, status: str = "PAID", paid_at: int | None = None
) -> tuple[bytes, dict[str, str]]:
    """A Tripay callback as Tripay sends it: the body (QRIS, a 1,300 rupiah merchant fee) and signed headers."""
    raw = json.dumps(
        {
            "reference": reference,
            "merchant_ref": merchant_ref,
            "payment_method": "QRIS",
            "payment_method_code": "QRIS",
            "total_amount": amount,
            "fee_merchant": 1300,
            "fee_customer": 0,
            "total_fee": 1300,
            "amount_received": amount - 1300,
            "is_closed_payment": 1,
            "status": status,
            "paid_at": paid_at,
            "note": None,
        },
        separators=(",", ":"),
    ).encode()
    return raw, {
        "Content-Type": "application/json",
        "X-Callback-Event": "payment_status",
        "X-Callback-Signature": callback_signature(key, raw),
    }


def smtp_sender(port: int) -> SmtpSender:
    """The real SMTP sender, pointed at a loopback test server (no STARTTLS)."""
    return SmtpSender(
        Settings(
            _env_file=None,
            SMTP_HOST="127.0.0.1",
            SMTP_PORT=port,
            SMTP_TLS=False,
            MAIL_FROM="AksesGPT <shop@example.com>",
        )
    )
