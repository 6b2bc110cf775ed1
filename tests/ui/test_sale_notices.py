"""A new sale shows on every open admin page (issue #18, item 7): a notice in words, read once per process, with a
chime switch in the header; and a Telegram message when a chat is configured."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from nicegui.testing import User
from sqlmodel import select

from domain.orders.orders import create_order, record_payment
from domain.shared.models import Order, TelegramOutbox
from infra import db
from infra.settings import get_settings
from pages.admin import sales
from tests.ui.test_open_admin_tabs import STAFF, admins, sign_in, signed_in_tab  # noqa: F401  (the fixture)


def _paid(email: str) -> Order:
    def work(s):
        order, _ = create_order(session=s, product_slug="paket-30-hari", email=email, name="Budi", phone="081234567890")
        record_payment(session=s, order_id=order.id, amount_idr=order.amount_idr, actor="tripay_webhook")
        return order

    return db.in_transaction(work)


async def _until(condition, seconds: float = 5.0) -> bool:
    for _ in range(int(seconds * 20)):
        if condition():
            return True
        await asyncio.sleep(0.05)
    return False


async def test_every_open_admin_page_is_told_of_a_sale_in_words(
    create_user: Callable[[], User],
    admins,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    reads: list[list[int]] = []
    load = sales.load_sales
    monkeypatch.setattr(sales, "load_sales", lambda ids: reads.append(ids) or load(ids))
    overview, orders = create_user(), create_user()
    await signed_in_tab(overview, admins["staff"], STAFF[0])
    await signed_in_tab(orders, admins["staff"], STAFF[0])
    await orders.open("/admin/orders")
    await orders.should_see(marker="orders-table")
    assert await _until(lambda: len(sales.SALES.pages) >= 2)  # (the first user's overview may still be open)
    pages, told = len(sales.SALES.pages), sales.SALES.told
    order = _paid("pembeli@example.com")
    words = f"Pesanan baru dibayar: {order.code} · Rp 79.000"
    assert await _until(lambda: sales.SALES.told == told + pages), "each open admin page is told"
    # (the test harness collects every page's notices in one list, whichever user's page showed them)
    shown = overview.notify.messages + orders.notify.messages
    assert shown.count(words) == pages
    assert reads == [[order.id]], "one read for every open page"


async def test_the_chime_switch_says_what_it_does(user: User, admins) -> None:  # noqa: F811
    await sign_in(user, STAFF)
    switch = next(iter(user.find(marker="sale-sound").elements))
    assert switch.props["aria-label"] == "Bunyi pesanan baru: mati" and switch.props["icon"] == "volume_off"
    user.find(marker="sale-sound").click()
    await user.should_see("Bunyi pesanan baru: nyala")
    assert switch.props["aria-label"] == "Bunyi pesanan baru: nyala" and switch.props["icon"] == "volume_up"
    user.find(marker="sale-sound").click()
    await user.should_see("Bunyi pesanan baru: mati")
    assert switch.props["icon"] == "volume_off"


def test_a_sale_is_sent_to_the_telegram_chat_when_one_is_configured(engine, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.helpers import make_account, make_order, make_product, pay

    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456:not-a-real-token")
    monkeypatch.setenv("TELEGRAM_CHAT_ID", "-100200300")
    get_settings.cache_clear()
    try:
        product = make_product()
        make_account(max_seats=1)
        order = make_order(product)
        pay(order)
        pay(order)  # a duplicate notice is no second sale
    finally:
        get_settings.cache_clear()
    with db.read_session() as s:
        rows = s.exec(select(TelegramOutbox).where(TelegramOutbox.alert_key == f"sale:{order.code}")).all()
    assert len(rows) == 1
    assert f"Pesanan baru dibayar: {order.code} · Rp" in rows[0].text and "123456" not in rows[0].text
