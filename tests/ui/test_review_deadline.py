"""Review of issue #17: the payment deadline asked by an open order page."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from nicegui.testing import User

from domain.orders.orders import create_order
from domain.shared.links import access_token
from domain.shared.models import Order
from infra import db
from infra.types import utcnow
from pages.shop import order as order_page


async def test_an_order_the_page_cannot_settle_is_not_asked_about_every_second(
    user: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An overdue order whose gateway is not configured here (settle_deadline answers "no gateway", as the expiry
    job leaves it waiting): the open page re-arms its deadline timer at +1 s after every answer, for ever."""
    calls: list[str] = []
    real = order_page.settle_deadline

    def counted(**kwargs):
        answer = real(**kwargs)
        calls.append(answer)
        return answer

    monkeypatch.setattr(order_page, "settle_deadline", counted)

    def work(s):
        order, _ = create_order(
            session=s, product_slug="paket-30-hari", email="x@example.com", name="Budi", phone="081234567890"
        )
        return order

    order = db.in_transaction(work)
    with db.write_session() as s:
        row = s.get(Order, order.id)
        row.provider, row.provider_reference = "retired-gateway", "T-OLD-1"
        row.payment_expires_at = utcnow() - timedelta(seconds=1)
        s.add(row)
    await user.open(f"/order/{order.code}?t={access_token(order.code)}")
    await user.should_see("Menunggu pembayaran")
    await asyncio.sleep(6)
    assert len(calls) <= 2, f"settle_deadline ran {len(calls)} times in 6 s: {calls}"


async def test_a_payment_landing_while_the_page_connects_is_shown(user: User, monkeypatch: pytest.MonkeyPatch) -> None:
    """The gateway redirects the customer to the order page as its callback arrives: the page is read before the
    payment commits, and its socket connects (and only then subscribes) after the change went by. Nothing
    re-reads the page at its first connect: it shows "waiting" until the safety refresh, about five minutes on."""
    from domain.orders.orders import record_payment
    from pages import live
    from runtime.feed import FEED

    def work(s):
        order, _ = create_order(
            session=s, product_slug="paket-30-hari", email="race@example.com", name="Budi", phone="081234567890"
        )
        return order

    order = db.in_transaction(work)
    real_connected = live.Follower._connected

    async def paid_just_before(self) -> None:
        if self.subscription is None and f"order:{order.id}" in self.topics:
            delivered = FEED.delivered
            db.in_transaction(
                lambda s: record_payment(session=s, order_id=order.id, amount_idr=order.amount_idr, actor="webhook")
            )
            for _ in range(40):  # the change goes by (before this page's socket connected)
                if FEED.delivered > delivered:
                    break
                await asyncio.sleep(0.05)
            assert FEED.delivered > delivered
        real_connected(self)

    monkeypatch.setattr(live.Follower, "_connected", paid_just_before)
    await user.open(f"/order/{order.code}?t={access_token(order.code)}")
    await asyncio.sleep(0.2)  # (the change reaches the feed)
    await user.should_see("Pembayaran diterima", retries=30)
