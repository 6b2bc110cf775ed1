"""Expiry with the clock moved forward: the release job frees the seat, the e-mail arrives (real SMTP),
the owner's gauge gives the seat back and the customer's page says the period ended — live."""

from __future__ import annotations

import email
import email.header
import re
from datetime import timedelta

from aiosmtpd.controller import Controller
from playwright.sync_api import Browser, Page, expect
from sqlmodel import select

from domain.shared.models import AccountAssignment, Order
from infra import db
from runtime.delivery import deliver_outbox
from runtime.jobs import release_expired
from tests.e2e.conftest import place_order
from tests.e2e.test_stories_e2e import _admin_page
from tests.helpers import smtp_sender
from tests.live import free_port


class Inbox:
    def __init__(self) -> None:
        self.subjects: list[str] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        message = email.message_from_bytes(envelope.original_content)
        self.subjects.append(str(email.header.make_header(email.header.decode_header(message["Subject"]))))
        return "250 OK"


def test_an_expired_seat_is_released_mailed_and_freed_on_the_gauge(shop, page: Page, browser: Browser, shoot) -> None:
    order = place_order(shop.app_url, "habis@example.com", package="paket-7-hari", name="Habis")
    shop.control(order["reference"], "pay")
    page.goto(order["status_url"])
    expect(page.get_by_text("7 hari lagi", exact=False)).to_be_visible()

    admin = _admin_page(browser, shop)
    used = admin.get_by_text(re.compile(r"(\d+) dari \d+ kursi"))
    expect(used).to_be_visible()
    seats_before = int(used.inner_text().split()[0])
    shoot(admin, "1-gauge-before")

    with db.read_session() as s:
        seat = s.exec(select(AccountAssignment).join(Order).where(Order.code == order["order_id"])).one()
    later = seat.end_at + timedelta(minutes=1)  # the clock, moved past the end of the seat
    assert release_expired(now=later) == "released 1"

    inbox, port = Inbox(), free_port()
    smtp = Controller(inbox, hostname="127.0.0.1", port=port)
    smtp.start()
    try:
        sender = smtp_sender(port)
        deliver_outbox(sender=sender, now=later)
    finally:
        smtp.stop()
    assert f"Akses pesanan {order['order_id']} telah berakhir" in inbox.subjects

    expect(used).to_have_text(re.compile(rf"^{seats_before - 1} dari"), timeout=5000)
    shoot(admin, "2-gauge-after")
    expect(page.get_by_text("Masa aktif berakhir")).to_be_visible(timeout=5000)
    shoot(page, "3-customer-page-ended")
    admin.context.close()
