"""The WhatsApp parts of the shop through NiceGUI's simulated user: the checkout's "send to WhatsApp" choice,
and the floating contact button on every shop page when the owner set a support number."""

from __future__ import annotations

import asyncio

import pytest
from nicegui import ui
from nicegui.testing import User
from sqlmodel import select

from domain.admin.admins import create_admin
from domain.admin.shop_settings import save_shop_settings
from domain.shared.models import MailStatus, Order, WhatsAppOutbox
from infra import db
from tests.ui.test_open_admin_tabs import OWNER, sign_in
from tests.ui.test_shop import FORM, _choose, _fill, _link, _new_order

LABEL = 'aria-label="Hubungi kami lewat WhatsApp"'


@pytest.fixture(autouse=True)
def whatsapp_on(monkeypatch) -> None:
    """WhatsApp as if WHATSAPP_PROVIDER and its token were set (nothing is sent: no delivery job runs here)."""
    monkeypatch.setattr("domain.notify.whatsapp.whatsapp_on", lambda: True)


def _html(user: User) -> str:
    assert user.client is not None
    return "".join(el.content for el in user.client.elements.values() if isinstance(el, ui.html))


async def _place(user: User, *, keep_whatsapp: bool) -> Order:
    await user.open("/checkout/paket-30-hari")
    await user.should_see("Kirim info pesanan ke WhatsApp")
    box = next(iter(user.find("notify_whatsapp").elements))
    assert box.value is True, "on by default"
    _fill(user, **FORM)
    if not keep_whatsapp:
        user.find("notify_whatsapp").click()
        assert box.value is False
    _choose(user, "QRIS", "QRIS")
    user.find("terms").click()
    user.find("submit").click()
    for _ in range(200):
        with db.read_session() as s:
            order = s.exec(select(Order)).first()
            if order is not None and order.provider_reference:
                return order
        await asyncio.sleep(0.05)
    raise AssertionError("no order placed")


async def test_the_checkout_sends_to_whatsapp_by_default(user: User) -> None:
    order = await _place(user, keep_whatsapp=True)
    assert order.notify_whatsapp is True and order.phone == "+6281234567890"
    with db.read_session() as s:
        (row,) = s.exec(select(WhatsAppOutbox)).all()
    assert (row.to, row.kind, row.order_id) == ("6281234567890", "order_created", order.id)


async def test_unticking_whatsapp_keeps_the_order_off_it(user: User) -> None:
    order = await _place(user, keep_whatsapp=False)
    assert order.notify_whatsapp is False
    with db.read_session() as s:
        assert s.exec(select(WhatsAppOutbox)).all() == []


async def test_the_floating_whatsapp_button_shows_on_every_shop_page_once_a_number_is_set(user: User) -> None:
    order = _new_order()
    await user.open("/")
    assert LABEL not in _html(user), "no support number: no button"

    def work(s) -> None:
        owner = create_admin(session=s, email="owner@example.com", password="Owner-Pw-2026-x")
        save_shop_settings(session=s, admin_id=owner.id, changes={"support_whatsapp": "0812-3456-7890"})

    db.in_transaction(work)
    for path in ("/", "/checkout/paket-30-hari", _link(order), "/orders", "/terms"):
        await user.open(path)
        html = _html(user)
        assert LABEL in html, path
        assert 'href="https://wa.me/6281234567890"' in html and "shop-wa-fab" in html, path


async def test_the_whatsapp_outbox_shows_beside_the_email_outbox_in_words(user: User) -> None:
    db.in_transaction(lambda s: create_admin(session=s, email=OWNER[0], password=OWNER[1]))
    order = _new_order()  # its "order created" message, queued (nothing delivers it here)
    with db.write_session() as s:
        sent = WhatsAppOutbox(to="6281299998888", kind="refunded", text="Dana dikembalikan", status=MailStatus.FAILED)
        sent.attempts, sent.last_error = 10, "WhatsAppError: WhatsApp gateway HTTP 500: internal error"
        s.add(sent)
    await sign_in(user, OWNER)
    await user.open("/admin/outbox")
    await user.should_see("Outbox WhatsApp")
    table = next(iter(user.find("whatsapp-table").elements))
    rows = {(r["to"], r["kind"], r["status"], r["attempts"], r["last_error"]) for r in table.rows}
    assert rows == {
        ("+6281234567890", "Pesanan dibuat", "Menunggu dikirim", 0, ""),
        (
            "+6281299998888",
            "Dana dikembalikan",
            "Gagal",
            10,
            "WhatsAppError: WhatsApp gateway HTTP 500: internal error",
        ),
    }
    assert order.notify_whatsapp is True
