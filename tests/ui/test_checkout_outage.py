"""The checkout while the payment gateway is down (the simulator's outage switch): the customer reads
a clear "payments unavailable, try again" and no order is left waiting or mailed."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from nicegui.testing import User
from sqlmodel import select

from domain.shared.models import EmailOutbox, Order
from infra import db

UNAVAILABLE = "Pembayaran sedang tidak tersedia. Coba lagi sebentar lagi."


@pytest.fixture
def outage(sandbox: dict[str, str]) -> Iterator[callable]:
    control = sandbox["TRIPAY_BASE_URL"].removesuffix("/api-sandbox/") + "/_control/outage"

    def switch(status: int | None) -> None:
        httpx.post(control, json={"tripay": status}, timeout=10).raise_for_status()

    yield switch
    switch(None)


async def test_gateway_down_at_submit_says_unavailable_and_leaves_no_pending_order(user: User, outage) -> None:
    await user.open("/checkout/paket-30-hari")
    await user.should_see("Metode pembayaran")
    for marker, value in {"email": "ani@example.com", "name": "Ani", "phone": "081234567890"}.items():
        user.find(marker).clear().type(value)
    next(iter(user.find("group-QRIS").elements)).set_value("QRIS")
    user.find("terms").click()
    outage(503)
    user.find("submit").click()
    await user.should_see(UNAVAILABLE, retries=100)
    with db.read_session() as s:
        orders = s.exec(select(Order)).all()
        mails = s.exec(select(EmailOutbox)).all()
    assert [(o.status, o.provider_reference) for o in orders] == [("payment_failed", None)]
    assert mails == []


async def test_gateway_down_when_the_page_opens_offers_no_way_to_order(user: User, outage) -> None:
    outage(503)
    await user.open("/checkout/paket-30-hari")
    await user.should_see(UNAVAILABLE)
    user.find("submit").click()
    await user.should_see("Pilih metode pembayaran.")
    with db.read_session() as s:
        assert s.exec(select(Order)).all() == []
