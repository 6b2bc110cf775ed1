"""Gateway outages through the order API of the running app: Tripay timing out fails over to Midtrans
(audited); both gateways down answers a clear 503 and leaves no order waiting for a payment that was
never opened, and no e-mail about it."""

from __future__ import annotations

import secrets

import httpx
import pytest
from sqlmodel import select

from domain.shared.models import AuditLog, EmailOutbox, Order
from infra import db
from tests.helpers import invariants, make_account, make_product


def _order(live, slug: str) -> httpx.Response:
    return httpx.post(
        f"{live.app_url}/api/orders",
        json={
            "customer_email": f"outage-{secrets.token_hex(3)}@example.com",
            "package_id": slug,
            "full_name": "Dewi Lestari",
            "phone_number": "081234567890",
            "payment_method": "QRIS",
        },
        timeout=60,
    )


@pytest.fixture
def product(live):
    product = make_product(slug=f"outage-{secrets.token_hex(3)}", pool=f"outage-{secrets.token_hex(3)}")
    make_account(pool=product.pool)
    # the channel list is cached: fetch it while Tripay is up, as a shop that was running before the outage
    assert httpx.get(f"{live.app_url}/api/payment-channels", timeout=30).status_code == 200
    yield product
    live.outage(tripay=None, midtrans=None)


@pytest.mark.slow
def test_tripay_timing_out_fails_over_to_midtrans(live, product) -> None:
    live.outage(tripay="timeout")
    reply = _order(live, product.slug)
    assert reply.status_code == 201, reply.text
    order = reply.json()
    assert order["provider"] == "midtrans" and order["status"] == "pending_payment"
    with db.read_session() as s:
        failover = s.exec(select(AuditLog).where(AuditLog.action == "order.payment_failover")).all()
    entry = next(e for e in failover if e.details["order_code"] == order["order_id"])
    assert "timed out" in entry.details["reason"]
    live.outage(tripay=None)
    live.control(order["order_id"], "pay")  # the customer pays on Midtrans
    token = order["status_url"].split("?t=")[1]
    status = httpx.get(f"{live.app_url}/api/orders/{order['order_id']}/status?t={token}", timeout=30).json()
    assert status["status"] == "fulfilled"


@pytest.mark.slow
@pytest.mark.parametrize("tripay", ["timeout", 503])
def test_both_gateways_down_answer_a_clear_503_and_leave_no_orphan(live, product, tripay) -> None:
    live.outage(tripay=tripay, midtrans=503)
    reply = _order(live, product.slug)
    assert reply.status_code == 503
    assert reply.json() == {"success": False, "message": "payment gateway unavailable, please try again shortly"}
    with db.read_session() as s:
        orders = s.exec(select(Order).where(Order.product_id == product.id)).all()
        mails = s.exec(select(EmailOutbox).where(EmailOutbox.order_id.in_([o.id for o in orders]))).all()
    # the attempt is kept as a closed, audited record: never pending, never mailed, never reachable by a link
    assert [(o.status, o.provider_reference, o.checkout_url) for o in orders] == [("payment_failed", None, None)]
    assert mails == []
    assert invariants() == []
