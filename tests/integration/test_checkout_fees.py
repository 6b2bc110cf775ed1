"""Each payment channel's customer fee (Tripay's fee calculator on the simulator, over real HTTP) and the
gateway's own payment steps, stored with the order as text when the transaction is created."""

from __future__ import annotations

import secrets

import httpx
import pytest
from sqlmodel import select

from domain.payments.checkout import channels_by_group, plain_instructions, with_customer_fees
from domain.payments.gateway import GatewayError, PaymentChannel
from domain.shared.models import EmailOutbox, Order
from infra import db
from integrations.tripay import TripayClient
from tests.helpers import make_account, make_product


def _client(live) -> TripayClient:
    creds = live.credentials
    return TripayClient(
        base_url=creds["TRIPAY_BASE_URL"],
        merchant_code=creds["TRIPAY_MERCHANT_CODE"],
        api_key=creds["TRIPAY_API_KEY"],
        private_key=creds["TRIPAY_PRIVATE_KEY"],
    )


def _order(live, slug: str, method: str) -> Order:
    response = httpx.post(
        f"{live.app_url}/api/orders",
        json={
            "customer_email": f"cust-{secrets.token_hex(3)}@example.com",
            "package_id": slug,
            "full_name": "Siti Aminah",
            "phone_number": "0812-3456-7890",
            "payment_method": method,
        },
        timeout=30,
    )
    assert response.status_code == 201, response.text
    placed = response.json()  # the API says what the customer pays, and how
    assert placed["total"] == placed["amount"] + (placed["fee_customer"] or 0)
    assert placed["pay_instructions"] and all("<" not in str(s) for s in placed["pay_instructions"])
    with db.read_session() as s:
        return s.exec(select(Order).where(Order.code == response.json()["order_id"])).one()


def test_each_channel_shows_the_fee_the_calculator_gives_and_it_is_asked_once_per_amount(live) -> None:
    client = _client(live)
    try:
        channels = with_customer_fees(client.channels(), client, 50_000)
        fees = {c.code: c.fee_customer_idr for c in channels}
        assert fees["BRIVA"] == 2_500 and fees["BCAVA"] == 3_000 and fees["ALFAMART"] == 2_500
        assert fees["QRIS"] == 0 and fees["OVO"] == 0
        assert fees["SHOPEEPAY"] == 750  # 1.5 % of the amount: asked per amount, never assumed flat
        groups = channels_by_group(channels, 50_000)
        assert [c.code for c in groups["Virtual Account"]][:1] == ["BRIVA"]

        live.outage(tripay=503)  # the same amount again within the cache's life: no call made
        try:
            assert client.customer_fees(amount_idr=50_000)["BCAVA"] == 3_000
            with pytest.raises(GatewayError):
                client.customer_fees(amount_idr=75_000)
            # the calculator down: the channel list's flat fee stands, the checkout still shows
            down = with_customer_fees([PaymentChannel("BRIVA", "BRI", "Virtual Account", "direct", 1_234)], client, 9)
            assert down[0].fee_customer_idr == 1_234
        finally:
            live.outage(tripay=None)
    finally:
        client.close()


def test_a_virtual_account_order_keeps_its_fee_and_the_banks_steps_as_text(live) -> None:
    product = make_product(slug=f"paket-{secrets.token_hex(4)}", pool=f"pool-{secrets.token_hex(3)}")
    make_account(max_seats=2, pool=product.pool)
    order = _order(live, product.slug, "BRIVA")
    assert order.fee_customer_idr == 2_500
    titles = [section["title"] for section in order.pay_instructions or []]
    assert titles == ["Mobile Banking BRI", "ATM BRI"]
    steps = [step for section in order.pay_instructions or [] for step in section["steps"]]
    assert f"Masukkan nomor virtual account {order.pay_code}." in steps
    assert "Pilih Transaksi Lain > Pembayaran > Virtual Account." in steps  # entities read, tags dropped
    assert not any("<" in step for step in steps)
    total = f"{order.amount_idr + 2_500:,}".replace(",", ".")
    assert any(f"Rp {total}" in step for step in steps)

    with db.read_session() as s:  # the e-mail asks for what the customer will be charged
        mail = s.exec(select(EmailOutbox).where(EmailOutbox.order_id == order.id)).one()
    assert f"Rp {total}" in mail.text

    retail = _order(live, product.slug, "ALFAMART")
    assert retail.pay_instructions and retail.pay_instructions[0]["title"] == "Pembayaran di Alfamart"

    # paid with the customer's fee on top: the order's own amount is what the callback is checked against
    delivered = live.control(order.provider_reference, "pay")["deliveries"]
    assert delivered[0]["ok"]
    with db.read_session() as s:
        assert s.exec(select(Order).where(Order.code == order.code)).one().status == "fulfilled"


def test_gateway_html_never_survives_as_markup() -> None:
    raw = [
        {"title": "<script>alert(1)</script>ATM", "steps": ["<img src=x onerror=alert(1)>Masukkan <b>123</b>", ""]},
        "not a section",
        {"title": "kosong", "steps": ["<br>"]},
    ]
    assert plain_instructions(raw) == [{"title": "alert(1)ATM", "steps": ["Masukkan 123"]}]
