"""Money the admin records: a manual payment of an order, a paid extension, a refund's amount, method and time,
and the gateway fee of a Tripay callback. Bad input is refused and changes nothing."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from domain.admin.reports import make_period, money
from domain.orders.admin_actions import mark_paid_manually
from domain.orders.orders import record_payment, refund_order
from domain.payments.gateway import PaymentStatus, TransactionState
from domain.payments.notices import apply_gateway_state
from domain.seats.assignments import extend_assignment
from domain.shared.errors import ValidationFailed
from domain.shared.i18n import WIB
from domain.shared.models import AccountAssignment, AuditLog, ManualPayment, Order, OrderStatus
from infra import db
from infra.types import utcnow
from integrations.tripay import parse_callback
from tests.helpers import ADMIN, checked_out, fingerprint, make_account, make_order, make_product, pay
from tests.integration.test_admin_api import api  # noqa: F401  (the fixture)


def _order(order_id: int) -> Order:
    with db.read_session() as s:
        return s.get(Order, order_id)


def _payments() -> list[ManualPayment]:
    with db.read_session() as s:
        return list(s.exec(select(ManualPayment).order_by(ManualPayment.id)))


def _today():
    today = utcnow().astimezone(WIB).date()
    return make_period(today - timedelta(days=1), today + timedelta(days=1))


def test_marked_paid_in_cash_records_the_amount_taken_and_reports_count_it(engine) -> None:
    product = make_product(price_idr=79_000)
    make_account(max_seats=2)
    order = make_order(product)
    db.in_transaction(
        lambda s: mark_paid_manually(
            session=s, order_id=order.id, actor=ADMIN, reason="dibayar tunai di toko", amount_idr=75_000, method="cash"
        )
    )
    assert _order(order.id).status == OrderStatus.FULFILLED
    [payment] = _payments()
    assert (payment.kind, payment.order_id, payment.amount_idr, payment.method) == ("order", order.id, 75_000, "cash")
    with db.read_session() as s:
        actions = set(s.exec(select(AuditLog.action).where(AuditLog.entity_id == order.id)))
        rows = money(session=s, period=_today())
    assert {"order.mark_paid", "payment.manual_order"} <= actions
    assert sum(r.revenue_manual for r in rows) == 75_000 and sum(r.revenue_gateway for r in rows) == 0


def test_marked_paid_without_a_method_counts_as_gateway_money(engine) -> None:
    product = make_product(price_idr=79_000)
    make_account()
    order = make_order(product)
    db.in_transaction(lambda s: mark_paid_manually(session=s, order_id=order.id, actor=ADMIN, reason="terlihat"))
    assert _payments() == []
    with db.read_session() as s:
        assert sum(r.revenue_gateway for r in money(session=s, period=_today())) == 79_000


@pytest.mark.parametrize("amount, method", [(75_000, "bitcoin"), (-5, "cash"), (2_000_000_000, "cash"), (75_000, None)])
def test_a_bad_manual_payment_is_refused_and_changes_nothing(engine, amount, method) -> None:
    product = make_product()
    make_account()
    order = make_order(product)
    before = fingerprint(engine)
    with pytest.raises(ValidationFailed):
        db.in_transaction(
            lambda s: mark_paid_manually(
                session=s, order_id=order.id, actor=ADMIN, reason="x", amount_idr=amount, method=method
            )
        )
    assert fingerprint(engine) == before


def test_a_paid_extension_records_a_manual_payment_in_the_same_transaction(engine) -> None:
    product = make_product()
    make_account()
    order = make_order(product)
    seat = pay(order).assignment
    seat_id = seat.id
    db.in_transaction(
        lambda s: extend_assignment(
            session=s, assignment_id=seat_id, actor=ADMIN, days=30, amount_idr=79_000, method="transfer"
        )
    )
    [payment] = _payments()
    assert (payment.kind, payment.assignment_id, payment.amount_idr, payment.method) == (
        "extension",
        seat_id,
        79_000,
        "transfer",
    )
    with db.read_session() as s:
        assert s.get(AccountAssignment, seat_id).end_at == seat.end_at + timedelta(days=30)
        extend_audit = s.exec(select(AuditLog).where(AuditLog.action == "assignment.extend")).one()
    assert extend_audit.details["amount_idr"] == 79_000 and extend_audit.details["method"] == "transfer"
    before = fingerprint(engine)
    with pytest.raises(ValidationFailed):  # an amount without its method
        db.in_transaction(
            lambda s: extend_assignment(session=s, assignment_id=seat_id, actor=ADMIN, days=30, amount_idr=79_000)
        )
    assert fingerprint(engine) == before


def test_a_refund_records_amount_method_and_time_at_most_what_was_paid(engine) -> None:
    product = make_product(price_idr=79_000)
    make_account()
    first, second = make_order(product), make_order(product)
    pay(first), pay(second)
    before = fingerprint(engine)
    with pytest.raises(ValidationFailed):
        db.in_transaction(
            lambda s: refund_order(session=s, order_id=first.id, actor=ADMIN, reason="x", amount_idr=80_000)
        )
    with pytest.raises(ValidationFailed):
        db.in_transaction(
            lambda s: refund_order(session=s, order_id=first.id, actor=ADMIN, reason="x", method="piggy-bank")
        )
    assert fingerprint(engine) == before
    when = datetime(2026, 11, 4, 16, 59, tzinfo=UTC)
    db.in_transaction(
        lambda s: refund_order(
            session=s, order_id=first.id, actor=ADMIN, reason="batal", amount_idr=50_000, method="transfer",
            refunded_at=when,
        )
    )  # fmt: skip
    db.in_transaction(lambda s: refund_order(session=s, order_id=second.id, actor=ADMIN, reason="batal"))
    refunded = _order(first.id)
    assert (refunded.status, refunded.refunded_amount_idr, refunded.refund_method) == ("refunded", 50_000, "transfer")
    assert refunded.refunded_at == when
    whole = _order(second.id)
    assert (whole.refunded_amount_idr, whole.refund_method) == (79_000, None) and whole.refunded_at is not None
    with db.read_session() as s:
        rows = money(session=s, period=make_period(date(2026, 11, 4), date(2026, 11, 5)))
    assert [r.refunds for r in rows] == [50_000, 0]


def test_tripay_callbacks_carry_the_merchant_fee_and_it_is_stored(engine) -> None:
    def body(**fields) -> bytes:
        return json.dumps(
            {"reference": "T1", "merchant_ref": "AG-X", "status": "PAID", "total_amount": 80_000, **fields}
        ).encode()

    assert parse_callback(body(fee_merchant=1_300, fee_customer=0, total_fee=1_300)).fee_idr == 1_300
    assert parse_callback(body(fee_customer=700, total_fee=2_000)).fee_idr == 1_300
    assert parse_callback(body()).fee_idr is None
    product = make_product()
    make_account()
    order = make_order(product)
    db.in_transaction(
        lambda s: record_payment(session=s, order_id=order.id, amount_idr=order.amount_idr, actor="t", fee_idr=1_300)
    )
    assert _order(order.id).fee_idr == 1_300


def test_the_admin_api_extension_takes_the_optional_payment(api) -> None:  # noqa: F811
    product = make_product()
    make_account()
    seat = pay(make_order(product)).assignment
    url = f"/api/admin/account-assignments/{seat.id}/extend"
    refused = api.post(url, json={"additional_days": 5, "amount_idr": 79_000, "method": "bitcoin"})
    assert 400 <= refused.status_code < 500 and _payments() == []
    assert api.post(url, json={"additional_days": 5}).status_code == 200 and _payments() == []
    assert api.post(url, json={"additional_days": 5, "amount_idr": 79_000, "method": "qris"}).status_code == 200
    [payment] = _payments()
    assert (payment.kind, payment.assignment_id, payment.amount_idr, payment.method) == (
        "extension",
        seat.id,
        79_000,
        "qris",
    )
    assert payment.actor == "admin:ops@example.com"


def test_a_tripay_paid_notice_stores_its_fee_and_a_gateway_refund_takes_the_paid_amount(engine) -> None:
    product = make_product()
    make_account()
    order = checked_out(product)
    state = TransactionState(
        provider="tripay",
        reference=order.provider_reference,
        merchant_ref=order.code,
        status=PaymentStatus.PAID,
        amount_idr=order.amount_idr,
        fee_idr=1_300,
    )
    db.in_transaction(lambda s: apply_gateway_state(session=s, state=state, actor="tripay_webhook"))
    assert _order(order.id).fee_idr == 1_300
    refund = replace(state, status=PaymentStatus.REFUND)
    db.in_transaction(lambda s: apply_gateway_state(session=s, state=refund, actor="tripay_webhook"))
    refunded = _order(order.id)
    assert (refunded.refunded_amount_idr, refunded.refund_method) == (order.amount_idr, "gateway")


def test_a_refund_of_an_order_paid_in_cash_defaults_to_the_cash_taken(engine) -> None:
    product = make_product(price_idr=79_000)
    make_account()
    order = make_order(product)
    db.in_transaction(
        lambda s: mark_paid_manually(
            session=s, order_id=order.id, actor=ADMIN, reason="tunai", amount_idr=70_000, method="cash"
        )
    )
    with pytest.raises(ValidationFailed):  # more than the cash taken
        db.in_transaction(
            lambda s: refund_order(session=s, order_id=order.id, actor=ADMIN, reason="x", amount_idr=75_000)
        )
    db.in_transaction(lambda s: refund_order(session=s, order_id=order.id, actor=ADMIN, reason="batal", method="cash"))
    assert _order(order.id).refunded_amount_idr == 70_000
