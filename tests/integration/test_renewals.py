"""Renewal on the same seat (issue #19 item 2): a paid renewal extends the first order's assignment on the same
account; an ended seat comes back on its account within the grace period; otherwise a seat elsewhere, said plainly."""

from __future__ import annotations

import secrets
from datetime import timedelta

import httpx
import pytest
import sqlalchemy as sa
from sqlmodel import col, select

from domain.catalog.pool import retire_account
from domain.orders.orders import refund_order
from domain.orders.renewals import RenewalRefused, create_renewal, renewable
from domain.seats.assignments import release_expired_assignments, revoke_assignment
from domain.shared.links import access_token
from domain.shared.models import (
    AccountAssignment,
    AssignmentStatus,
    AuditLog,
    ChatGPTAccount,
    EmailOutbox,
    EventOutcome,
    Order,
    OrderStatus,
)
from infra import db
from infra.changes import add_local_sink
from infra.types import utcnow
from tests.helpers import ADMIN, invariants, make_account, make_order, make_product, pay


def _renew(first: Order, product, token: str | None = None) -> Order:
    token = token if token is not None else access_token(first.code)
    order, _ = db.in_transaction(
        lambda s: create_renewal(session=s, code=first.code, token=token, product_slug=product.slug)
    )
    return order


def _seats(order_id: int) -> list[AccountAssignment]:
    with db.read_session() as s:
        query = select(AccountAssignment).where(AccountAssignment.order_id == order_id)
        return list(s.exec(query.order_by(col(AccountAssignment.id))))


def _order(order_id: int) -> Order:
    with db.read_session() as s:
        return s.get(Order, order_id)


def _mails(order_id: int) -> list[EmailOutbox]:
    with db.read_session() as s:
        return list(s.exec(select(EmailOutbox).where(EmailOutbox.order_id == order_id)))


def _ended(seat: AccountAssignment, days_ago: float) -> None:
    """Let the seat's period run out and the expiry job end it, as if `days_ago` days ago."""
    with db.write_session() as s:
        s.execute(
            sa.update(AccountAssignment)
            .where(col(AccountAssignment.id) == seat.id)
            .values(start_at=utcnow() - timedelta(days=40), end_at=utcnow() - timedelta(minutes=1))
        )
    assert db.in_transaction(lambda s: release_expired_assignments(session=s)) == [seat.id]
    with db.write_session() as s:
        past = utcnow() - timedelta(days=days_ago)
        s.execute(
            sa.update(AccountAssignment).where(col(AccountAssignment.id) == seat.id).values(end_at=past, ended_at=past)
        )


def test_a_paid_renewal_extends_the_same_seat_on_the_same_account(engine) -> None:
    product = make_product(duration_days=30)
    longer = make_product(slug="paket-90-hari", duration_days=90, price_idr=199_000)
    account = make_account(max_seats=3)
    first = make_order(product)
    seat = pay(first).assignment
    renewal = _renew(first, longer)
    assert renewal.renews_order_id == first.id and renewal.amount_idr == 199_000 and renewal.email == first.email

    result = pay(renewal)

    assert result.outcome == EventOutcome.APPLIED and result.assignment is not None
    assert result.assignment.id == seat.id
    [after] = _seats(first.id)
    assert after.id == seat.id and after.chatgpt_account_id == account.id
    assert after.status == AssignmentStatus.ACTIVE and after.end_at == seat.end_at + timedelta(days=90)
    assert _seats(renewal.id) == []  # no second seat
    assert _order(renewal.id).status == OrderStatus.FULFILLED
    with db.read_session() as s:
        assert s.get(ChatGPTAccount, account.id).seats_used == 1
        audit = s.exec(select(AuditLog).where(AuditLog.action == "assignment.renew")).one()
    assert audit.entity_id == seat.id and audit.details["renewal_code"] == renewal.code
    [mail] = [m for m in _mails(renewal.id) if m.kind == "renewal"]
    assert "Perpanjangan diterima, kursi Anda kini berakhir" in mail.text
    assert first.code in mail.text  # it points at the first order's page, where the seat is
    assert invariants() == []


def test_duplicate_callbacks_extend_once(engine) -> None:
    product = make_product(duration_days=30)
    make_account(max_seats=2)
    first = make_order(product)
    seat = pay(first).assignment
    renewal = _renew(first, product)

    outcomes = [pay(renewal).outcome for _ in range(3)]

    assert outcomes == [EventOutcome.APPLIED, EventOutcome.DUPLICATE, EventOutcome.DUPLICATE]
    [after] = _seats(first.id)
    assert after.end_at == seat.end_at + timedelta(days=30)
    assert [m.kind for m in _mails(renewal.id)].count("renewal") == 1
    assert invariants() == []


def test_a_refunded_renewal_takes_its_days_back_off_the_seat(engine) -> None:
    """The renewal held no seat of its own: refunding it shortens the seat it extended by its days, audited; the
    first order keeps its seat and its own days."""
    product = make_product(duration_days=30)
    make_account(max_seats=2)
    first = make_order(product)
    seat = pay(first).assignment
    renewal = _renew(first, product)
    pay(renewal)

    db.in_transaction(lambda s: refund_order(session=s, order_id=renewal.id, actor=ADMIN, reason="changed mind"))

    [after] = _seats(first.id)
    assert after.status == AssignmentStatus.ACTIVE and after.end_at == seat.end_at
    assert _order(renewal.id).status == OrderStatus.REFUNDED and _order(first.id).status == OrderStatus.FULFILLED
    with db.read_session() as s:
        audit = s.exec(select(AuditLog).where(AuditLog.action == "assignment.renewal_refunded")).one()
    assert audit.entity_id == seat.id and audit.details["renewal_code"] == renewal.code
    assert invariants() == []


def test_a_second_renewal_extends_the_seat_the_first_restarted(engine) -> None:
    """Two renewals of a seat ended within the grace: the first brings it back, the second extends that seat
    (one seat taken, never two)."""
    product = make_product(duration_days=30)
    account = make_account(max_seats=3)
    first = make_order(product)
    seat = pay(first).assignment
    _ended(seat, days_ago=1)
    one, two = _renew(first, product), _renew(first, product)
    pay(one)
    pay(two)
    active = [s for s in _seats(first.id) if s.status == AssignmentStatus.ACTIVE]
    assert len(active) == 1 and active[0].end_at - active[0].start_at == timedelta(days=60)
    with db.read_session() as s:
        assert s.get(ChatGPTAccount, account.id).seats_used == 1
    assert invariants() == []


def test_a_renewal_held_for_a_wrong_amount_extends_the_seat_once_accepted(engine) -> None:
    from domain.orders.orders import accept_review

    product = make_product(duration_days=30)
    make_account(max_seats=2)
    first = make_order(product)
    seat = pay(first).assignment
    renewal = _renew(first, product)
    pay(renewal, amount=50_000)
    assert _order(renewal.id).status == OrderStatus.PAYMENT_REVIEW
    assert _seats(first.id)[0].end_at == seat.end_at  # nothing extended while held

    db.in_transaction(lambda s: accept_review(session=s, order_id=renewal.id, actor=ADMIN))

    [after] = _seats(first.id)
    assert after.id == seat.id and after.end_at == seat.end_at + timedelta(days=30)
    assert _order(renewal.id).status == OrderStatus.FULFILLED
    assert invariants() == []


def test_a_seat_ended_within_grace_comes_back_on_the_same_account(engine) -> None:
    product = make_product(duration_days=30)
    account = make_account(max_seats=2)
    make_account(max_seats=2)  # an emptier account the pick would not prefer anyway: the customer goes back
    first = make_order(product)
    seat = pay(first).assignment
    _ended(seat, days_ago=2)
    with db.read_session() as s:
        assert s.get(ChatGPTAccount, account.id).seats_used == 0
    renewal = _renew(first, product)
    heard: list = []
    remove = add_local_sink(heard.append)
    try:
        pay(renewal)
    finally:
        remove()

    old, new = _seats(first.id)
    assert f"order:{first.id}" in heard[0].topics  # the first order's open page redraws with its new seat
    assert old.id == seat.id and old.status == AssignmentStatus.EXPIRED
    assert new.status == AssignmentStatus.ACTIVE and new.chatgpt_account_id == account.id
    assert new.end_at - new.start_at == timedelta(days=30) and new.start_at > old.end_at
    assert _seats(renewal.id) == []
    with db.read_session() as s:
        assert s.get(ChatGPTAccount, account.id).seats_used == 1
    assert invariants() == []


def test_past_the_grace_period_a_renewal_is_refused(engine) -> None:
    product = make_product()
    make_account(max_seats=2)
    first = make_order(product)
    _ended(pay(first).assignment, days_ago=4)  # the default grace is 3 days

    with pytest.raises(RenewalRefused, match="ended more than 3 days ago"):
        _renew(first, product)
    with db.read_session() as s:
        assert s.exec(select(Order).where(col(Order.renews_order_id).is_not(None))).all() == []


def test_a_package_of_another_pool_is_refused(engine) -> None:
    product = make_product()
    other = make_product(slug="paket-tim", pool="team")
    make_account(max_seats=2)
    first = make_order(product)
    pay(first)

    with pytest.raises(RenewalRefused, match="another kind of account"):
        _renew(first, other)


def test_a_revoked_seat_and_a_wrong_token_are_refused(engine) -> None:
    from domain.shared.errors import NotFound

    product = make_product()
    make_account(max_seats=2)
    first = make_order(product)
    seat = pay(first).assignment
    with pytest.raises(NotFound):
        _renew(first, product, token="wrong")
    db.in_transaction(lambda s: revoke_assignment(session=s, assignment_id=seat.id, actor=ADMIN, reason="abuse"))
    with pytest.raises(RenewalRefused, match="revoked"):
        _renew(first, product)


def test_when_the_old_account_was_retired_the_renewal_gets_a_seat_elsewhere_and_says_so(engine) -> None:
    product = make_product(duration_days=30)
    old_account = make_account(max_seats=2)
    first = make_order(product)
    seat = pay(first).assignment
    other = make_account(max_seats=2)
    _ended(seat, days_ago=1)
    db.in_transaction(lambda s: retire_account(session=s, actor=ADMIN, account_id=old_account.id, reason="banned"))
    renewal = _renew(first, product)

    result = pay(renewal)

    assert result.assignment is not None and result.assignment.chatgpt_account_id == other.id
    [new] = _seats(renewal.id)
    assert new.status == AssignmentStatus.ACTIVE and new.end_at - new.start_at == timedelta(days=30)
    assert [s.status for s in _seats(first.id)] == [AssignmentStatus.EXPIRED]
    kinds = {m.kind: m for m in _mails(renewal.id)}
    assert "access_ready" in kinds  # the new login, as for a new order
    assert "akun lain" in kinds["renewal_elsewhere"].text
    with db.read_session() as s:
        audit = s.exec(select(AuditLog).where(AuditLog.action == "order.renew_elsewhere")).one()
    assert audit.details["reason"] == "account_unavailable"
    assert invariants() == []
    # renewing again from the first order's link extends the seat the customer holds now, not the ended one
    with db.read_session() as s:
        again = renewable(session=s, order=s.get(Order, first.id))
    assert (again.holder.id, again.seat.id) == (renewal.id, new.id)


def test_a_renewal_paid_after_the_grace_period_gets_a_seat_elsewhere(engine) -> None:
    product = make_product(duration_days=30)
    make_account(max_seats=3)
    first = make_order(product)
    seat = pay(first).assignment
    _ended(seat, days_ago=2)
    renewal = _renew(first, product)
    _ended_long_ago = utcnow() - timedelta(days=5)  # the customer paid only after the grace period ran out
    with db.write_session() as s:
        s.execute(
            sa.update(AccountAssignment)
            .where(col(AccountAssignment.id) == seat.id)
            .values(end_at=_ended_long_ago, ended_at=_ended_long_ago)
        )

    result = pay(renewal)

    assert result.assignment is not None and result.assignment.order_id == renewal.id
    with db.read_session() as s:
        audit = s.exec(select(AuditLog).where(AuditLog.action == "order.renew_elsewhere")).one()
    assert audit.details["reason"] == "past_grace"
    assert invariants() == []


def test_the_owner_sets_the_grace_period_and_a_longer_one_admits_an_older_seat(engine) -> None:
    from domain.admin.admins import create_admin
    from domain.admin.shop_settings import save_shop_settings
    from domain.shared.errors import ValidationFailed

    owner = db.in_transaction(lambda s: create_admin(session=s, email="owner@example.com", password="pw-123456789"))
    product = make_product()
    make_account(max_seats=2)
    first = make_order(product)
    _ended(pay(first).assignment, days_ago=5)
    with pytest.raises(RenewalRefused):
        _renew(first, product)
    with pytest.raises(ValidationFailed, match="Masa tenggang perpanjangan harus bilangan bulat dari 0 sampai 60"):
        db.in_transaction(
            lambda s: save_shop_settings(session=s, admin_id=owner.id, changes={"renewal_grace_days": "-1"})
        )

    db.in_transaction(lambda s: save_shop_settings(session=s, admin_id=owner.id, changes={"renewal_grace_days": "7"}))

    assert _renew(first, product).renews_order_id == first.id


def test_reminders_carry_the_one_tap_renewal_link(engine) -> None:
    from domain.seats.assignments import remind_seats

    product = make_product(duration_days=30)
    make_account(max_seats=2)
    first = make_order(product)
    seat = pay(first).assignment
    assert db.in_transaction(lambda s: remind_seats(session=s, now=seat.end_at - timedelta(hours=20), days=1)) == 1
    [reminder] = [m for m in _mails(first.id) if m.kind == "reminder_1d"]
    link = f"/order/{first.code}?t={access_token(first.code)}&renew=1#perpanjang"
    assert link in reminder.text and "Perpanjang kursi ini" in reminder.text


def test_renewals_count_in_reports_as_their_own_kind(engine) -> None:
    from domain.admin.reports import make_period, order_counts, revenue_by_package
    from infra.types import utcnow as now_

    product = make_product(duration_days=30, price_idr=79_000)
    make_account(max_seats=2)
    first = make_order(product)
    pay(first)
    pay(_renew(first, product))
    today = (now_() + timedelta(hours=7)).date()  # (WIB)
    period = make_period(today - timedelta(days=1), today + timedelta(days=1))

    with db.read_session() as s:
        split = revenue_by_package(session=s, period=period)
        counts = order_counts(session=s, period=period)

    assert split.total("Paket 30 hari") == 79_000
    assert split.total("Perpanjangan · Paket 30 hari") == 79_000
    assert sum(c.paid for c in counts) == 2 and sum(c.created for c in counts) == 2


def test_duplicate_renewal_callbacks_in_one_batch_extend_once(engine) -> None:
    """The group-committed callback path (runtime/callback_writer.py): a renewal's PAID three times in one batch,
    beside a new order of the same pool."""
    import json
    import time

    from domain.payments.callbacks import CallbackJob, process_callbacks
    from domain.payments.checkout import attach_checkout
    from domain.payments.gateway import Checkout
    from integrations import tripay
    from tests.helpers import checked_out

    def job(order: Order) -> CallbackJob:
        raw = json.dumps(
            {
                "reference": order.provider_reference,
                "merchant_ref": order.code,
                "payment_method": "QRIS",
                "total_amount": order.amount_idr,
                "status": "PAID",
                "paid_at": 1764288000,
            },
            separators=(",", ":"),
        ).encode()
        return CallbackJob(
            provider="tripay",
            raw_body=raw,
            headers={"x-callback-event": "payment_status"},
            started=time.perf_counter(),
            signature_valid=True,
            state=tripay.parse_callback(raw),
        )

    product = make_product(duration_days=30)
    make_account(max_seats=3)
    first = make_order(product)
    seat = pay(first).assignment
    renewal = _renew(first, product)
    checkout = Checkout(provider="tripay", reference="DEV-TRENEW1", method="QRIS", checkout_url="http://sandbox/c")
    renewal = db.in_transaction(
        lambda s: attach_checkout(session=s, order_id=renewal.id, checkout=checkout, actor="test")
    )
    newcomer = checked_out(product)

    outcomes = process_callbacks([job(renewal), job(newcomer), job(renewal), job(renewal)])

    assert [o.outcome for o in outcomes] == [
        EventOutcome.APPLIED,
        EventOutcome.APPLIED,
        EventOutcome.DUPLICATE,
        EventOutcome.DUPLICATE,
    ]
    [after] = _seats(first.id)
    assert after.id == seat.id and after.end_at == seat.end_at + timedelta(days=30)
    assert len(_seats(newcomer.id)) == 1
    assert invariants() == []


# --- through real HTTP: the app and the payment simulator as subprocesses -----------------------------------------


def _buy(live, product) -> dict:
    response = httpx.post(
        f"{live.app_url}/api/orders",
        json={
            "customer_email": f"cust-{secrets.token_hex(3)}@example.com",
            "package_id": product.slug,
            "full_name": "Siti Aminah",
            "phone_number": "+62 812-3456-7890",
            "payment_method": "QRIS",
        },
        timeout=30,
    )
    assert response.status_code == 201, response.text
    return response.json()


def _status(live, code: str, token: str) -> dict:
    response = httpx.get(f"{live.app_url}/api/orders/{code}/status", params={"t": token}, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def test_renewal_api_over_http(live) -> None:
    pool = f"pool-{secrets.token_hex(3)}"
    product = make_product(slug=f"paket-{secrets.token_hex(4)}", pool=pool, duration_days=30)
    other_pool = make_product(slug=f"paket-{secrets.token_hex(4)}", pool=f"pool-{secrets.token_hex(3)}")
    make_account(max_seats=2, pool=pool)
    first = _buy(live, product)
    token = first["status_url"].split("?t=")[1]
    live.control(first["reference"], "pay")
    before = _status(live, first["order_id"], token)
    assert before["status"] == "fulfilled" and before["ends_at"]
    url = f"{live.app_url}/api/orders/{first['order_id']}/renewals"
    body = {"package_id": product.slug, "payment_method": "QRIS"}

    wrong = httpx.post(url, params={"t": "nope"}, json=body, timeout=30)
    assert wrong.status_code == 404 and wrong.json() == {"success": False, "message": "order not found"}
    refused = httpx.post(url, params={"t": token}, json={**body, "package_id": other_pool.slug}, timeout=30)
    assert refused.status_code == 409 and "another kind of account" in refused.json()["message"]
    no_method = httpx.post(url, params={"t": token}, json={**body, "payment_method": ""}, timeout=30)
    assert no_method.status_code == 400 and "payment_method" in no_method.json()["errors"]

    placed = httpx.post(url, params={"t": token}, json=body, timeout=30)
    assert placed.status_code == 201, placed.text
    renewal = placed.json()
    assert set(renewal) == set(first) and renewal["status"] == "pending_payment" and renewal["amount"] == 79_000
    delivered = live.control(renewal["reference"], "pay", copies=3)["deliveries"]  # duplicates: applied once
    assert all(d["ok"] for d in delivered)

    after = _status(live, first["order_id"], token)
    ends = [before["ends_at"], after["ends_at"]]
    with db.read_session() as s:
        first_order = s.exec(select(Order).where(Order.code == first["order_id"])).one()
        seats = list(s.exec(select(AccountAssignment).where(AccountAssignment.order_id == first_order.id)))
        renewal_order = s.exec(select(Order).where(Order.code == renewal["order_id"])).one()
    assert len(seats) == 1 and seats[0].status == AssignmentStatus.ACTIVE  # the same seat, the same account
    assert renewal_order.renews_order_id == first_order.id and renewal_order.status == OrderStatus.FULFILLED
    from datetime import datetime

    assert datetime.fromisoformat(ends[1]) - datetime.fromisoformat(ends[0]) == timedelta(days=30)
    assert invariants() == []
