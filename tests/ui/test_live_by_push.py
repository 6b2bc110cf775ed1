"""Open pages follow the change feed (issue #17): a change re-reads only the pages it names, the days left count
down in the browser, and the owner's overview is computed once for every open tab."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta

from nicegui import Client
from nicegui.testing import User

from domain.orders.orders import create_order, record_payment
from domain.shared.links import access_token
from domain.shared.models import Order
from infra import db
from infra.types import utcnow
from pages.admin.overview import SHARED
from pages.shop.order import FOLLOWERS
from tests.ui.test_open_admin_tabs import STAFF, admins, sign_in, signed_in_tab  # noqa: F401  (the fixture)


def _order(email: str) -> Order:
    def work(s):
        order, _ = create_order(session=s, product_slug="paket-30-hari", email=email, name="Budi", phone="081234567890")
        return order

    return db.in_transaction(work)


def _pay(order: Order) -> None:
    db.in_transaction(
        lambda s: record_payment(session=s, order_id=order.id, amount_idr=order.amount_idr, actor="tripay_webhook")
    )


def _link(order: Order) -> str:
    return f"/order/{order.code}?t={access_token(order.code)}"


def _follower_of(code: str):
    return next(f for client, f in FOLLOWERS.items() if f.code == code and not client.is_deleted)


async def test_a_payment_redraws_its_own_order_page_and_not_anothers(create_user: Callable[[], User]) -> None:
    mine, theirs = _order("mine@example.com"), _order("theirs@example.com")
    first, second = create_user(), create_user()
    await first.open(_link(mine))
    await second.open(_link(theirs))
    await first.should_see("Menunggu pembayaran")
    await second.should_see("Menunggu pembayaran")
    watching_mine, watching_theirs = _follower_of(mine.code), _follower_of(theirs.code)
    before_mine, before_theirs = watching_mine.follower.refreshes, watching_theirs.follower.refreshes
    _pay(mine)
    await first.should_see("Pembayaran diterima", retries=60)
    assert watching_mine.follower.refreshes > before_mine
    await asyncio.sleep(0.5)
    assert watching_theirs.follower.refreshes == before_theirs, "another order's payment re-read this page"
    await second.should_see("Menunggu pembayaran")


async def test_the_days_left_are_drawn_for_the_browser_to_count_down(user: User) -> None:
    order = _order("days@example.com")
    _pay(order)
    await user.open(_link(order))
    ends = next(iter(user.find(marker="ends").elements))
    assert "data-until=" in ends.content and "{days}" in ends.content and "30 hari lagi" in ends.content


async def test_the_overview_is_computed_once_for_several_open_tabs(create_user: Callable[[], User], admins) -> None:  # noqa: F811
    tabs = [create_user() for _ in range(3)]
    for tab in tabs:
        await signed_in_tab(tab, admins["staff"], STAFF[0])
        await tab.should_see(marker="gauge-utilisation")
    for _ in range(50):
        if len(SHARED.boards) == 3:
            break
        await asyncio.sleep(0.1)
    assert len(SHARED.boards) == 3
    order = _order("overview@example.com")  # (a change of its own: computed once more for it, first)
    await asyncio.sleep(1.0)
    computed = SHARED.computed
    _pay(order)
    for _ in range(50):
        if SHARED.computed > computed:
            break
        await asyncio.sleep(0.1)
    await asyncio.sleep(0.5)  # every tab shown it
    assert SHARED.computed == computed + 1, "one computation for the three tabs"
    for tab in tabs:
        await tab.should_see("Aktif (terlayani) 1")
    assert all(isinstance(client, Client) for client in SHARED.boards)


async def test_at_the_payment_deadline_the_open_page_turns_expired_by_itself(user: User) -> None:
    """The server decides at the deadline (the page once showed 00:00:00 until the expiry job's next run)."""
    order = _order("late@example.com")
    with db.write_session() as s:
        row = s.get(Order, order.id)
        row.payment_expires_at = utcnow() + timedelta(seconds=2)
        s.add(row)
    await user.open(_link(order))
    await user.should_see("Menunggu pembayaran")
    await user.should_see(marker="order-again", retries=100)  # (an expired order offers to order again)
    with db.read_session() as s:
        assert s.get(Order, order.id).status == "payment_expired"
