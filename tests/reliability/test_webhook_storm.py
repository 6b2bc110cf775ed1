"""A storm of signed callbacks over HTTP at the running app: duplicates, stale statuses and forgeries
arrive concurrently, and the shop ends exactly where it should (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import random
import secrets
from collections import Counter

import httpx
import pytest
from sqlmodel import select

from domain.orders.orders import create_order
from domain.payments.checkout import attach_checkout
from domain.payments.gateway import Checkout
from domain.shared.audit import SYSTEM
from domain.shared.models import Order, PaymentEvent
from infra import db
from tests.helpers import invariants, make_account, make_product, tripay_callback

CAPACITIES = [None] * 10 + [4] * 10 + [10] * 10  # 30 accounts, 150 seats


def _orders(product, count: int) -> list[Order]:
    def work(session):
        made = []
        for i in range(count):
            order, _ = create_order(
                session=session,
                product_slug=product.slug,
                email=f"storm{i}@example.com",
                name="Storm",
                phone="081200000000",
            )
            checkout = Checkout(
                provider="tripay",
                reference=f"DEV-T{secrets.token_hex(6)}",
                method="QRIS",
                checkout_url="http://sandbox/checkout",
            )
            made.append(attach_checkout(session=session, order_id=order.id, checkout=checkout, actor=SYSTEM))
        return made

    return db.in_transaction(work)


def _callback(order: Order, status: str, key: str) -> tuple[bytes, dict[str, str]]:
    return tripay_callback(
        reference=order.provider_reference or "",
        merchant_ref=order.code,
        amount=order.amount_idr,
        key=key,
        status=status,
        paid_at=1764288000 if status == "PAID" else None,
    )


async def _fire(url: str, requests: list[tuple[bytes, dict]], concurrency: int) -> list[int]:
    limit = asyncio.Semaphore(concurrency)
    async with httpx.AsyncClient(timeout=60, limits=httpx.Limits(max_connections=concurrency)) as client:

        async def one(raw: bytes, headers: dict) -> int:
            async with limit:
                return (await client.post(url, content=raw, headers=headers)).status_code

        return await asyncio.gather(*(one(raw, headers) for raw, headers in requests))


@pytest.mark.slow
def test_450_callbacks_for_200_orders_against_150_seats(live) -> None:
    product = make_product(slug=f"storm-{secrets.token_hex(3)}", pool="storm")
    for capacity in CAPACITIES:
        make_account(max_seats=capacity, pool="storm")
    orders = _orders(product, 200)
    key = live.credentials["TRIPAY_PRIVATE_KEY"]
    rng = random.Random(20261128)

    paid = [_callback(o, "PAID", key) for i, o in enumerate(orders) for _ in range(1 + i % 3)]
    forged = [_callback(o, "PAID", "not-the-key") for o in rng.sample(orders, 20)]
    first_wave = paid + forged
    rng.shuffle(first_wave)
    stale = [_callback(o, "EXPIRED", key) for o in rng.sample(orders, 30)]

    url = f"{live.app_url}/callback/tripay"
    codes = asyncio.run(_fire(url, first_wave, concurrency=32))
    codes += asyncio.run(_fire(url, stale, concurrency=32))
    total = len(first_wave) + len(stale)
    assert 430 <= total <= 470

    assert Counter(codes) == {200: len(paid) + len(stale), 401: len(forged)}
    with db.read_session() as s:
        statuses = Counter(s.exec(select(Order.status).where(Order.pool == "storm")))
        events = s.exec(
            select(PaymentEvent)
            .join(Order, isouter=True)
            .where((Order.pool == "storm") | (PaymentEvent.order_id.is_(None)))
        ).all()
    assert statuses == {"fulfilled": 150, "pending_stock": 50}
    outcomes = Counter(e.outcome for e in events)
    assert outcomes["rejected"] == len(forged)
    assert not any(e.outcome != "rejected" for e in events if not e.signature_valid), "no forged callback applied"
    assert outcomes["applied"] == 200
    assert outcomes["duplicate"] == len(paid) - 200
    assert outcomes["ignored"] == len(stale)
    assert len(events) == total, "every request is recorded"
    assert invariants() == []
