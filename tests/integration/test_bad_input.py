"""Bad input to every domain function raises a clear domain error and changes nothing."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from domain.catalog.pool import add_account, import_accounts_csv, retire_account, unsuspend_account, update_account
from domain.catalog.products import create_product, update_product
from domain.orders.orders import accept_review, create_order, record_payment, refund_order
from domain.orders.states import ORDER_TRANSITIONS, transition_order
from domain.seats.assignments import extend_assignment, revoke_assignment
from domain.shared.errors import Conflict, DomainError, IllegalTransition, NotFound, ValidationFailed
from domain.shared.models import AccountAssignment, AuditLog, ChatGPTAccount, Order
from infra import db
from tests.helpers import ADMIN, fingerprint, make_account, make_order, make_product, pay


@pytest.fixture
def shop(engine):
    """A package, a full single-seat account with its customer, and an unpaid order."""
    product = make_product()
    account = make_account()
    paid = make_order(product)
    seat = pay(paid).assignment
    unpaid = make_order(product)
    return {"product": product, "account": account, "paid": paid, "seat": seat, "unpaid": unpaid}


def _refused(engine, error: type[DomainError], work, match: str | None = None) -> DomainError:
    before = fingerprint(engine)
    with pytest.raises(error, match=match) as caught:
        db.in_transaction(work)
    assert fingerprint(engine) == before, "a refused call must change nothing"
    assert caught.value.message
    return caught.value


def test_unknown_product(engine, shop) -> None:
    _refused(
        engine,
        NotFound,
        lambda s: create_order(session=s, product_slug="nope", email="a@b.co", name="A", phone="08123456789"),
        "unknown package",
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [("email", "not-an-email"), ("phone", "12345"), ("name", "  "), ("locale", "fr")],
)
def test_malformed_order_fields(engine, shop, field, value) -> None:
    fields = {"email": "budi@example.com", "name": "Budi", "phone": "081234567890", "locale": "id"} | {field: value}
    error = _refused(
        engine, ValidationFailed, lambda s: create_order(session=s, product_slug=shop["product"].slug, **fields)
    )
    assert error.context["field"] == field


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"price_idr": -5}, "price_idr"),
        ({"duration_days": 0}, "duration_days"),
        ({"slug": "Bad Slug"}, "slug"),
        ({"price_idr": 1.5}, "price_idr"),
        ({"colour": "red"}, "cannot change"),
    ],
)
def test_bad_product_changes(engine, shop, changes, match) -> None:
    _refused(
        engine,
        ValidationFailed,
        lambda s: update_product(session=s, actor=ADMIN, product_id=shop["product"].id, **changes),
        match,
    )


def test_duplicate_product_slug(engine, shop) -> None:
    _refused(
        engine,
        ValidationFailed,
        lambda s: create_product(
            session=s, actor=ADMIN, slug=shop["product"].slug, name="X", price_idr=1000, duration_days=1
        ),
        "already",
    )


def test_negative_extension_days(engine, shop) -> None:
    _refused(
        engine,
        ValidationFailed,
        lambda s: extend_assignment(session=s, assignment_id=shop["seat"].id, actor=ADMIN, days=-3),
        "days",
    )


def test_extension_to_an_earlier_date(engine, shop) -> None:
    earlier = shop["seat"].end_at - timedelta(days=1)
    _refused(
        engine,
        ValidationFailed,
        lambda s: extend_assignment(session=s, assignment_id=shop["seat"].id, actor=ADMIN, new_end_at=earlier),
        "later",
    )


def test_extension_with_a_naive_date(engine, shop) -> None:
    _refused(
        engine,
        ValidationFailed,
        lambda s: extend_assignment(
            session=s, assignment_id=shop["seat"].id, actor=ADMIN, new_end_at=datetime(2030, 1, 1)
        ),
        "time zone",
    )


def test_revoke_without_reason(engine, shop) -> None:
    _refused(
        engine,
        ValidationFailed,
        lambda s: revoke_assignment(session=s, assignment_id=shop["seat"].id, actor=ADMIN, reason="   "),
        "reason",
    )


def test_extend_or_revoke_an_ended_assignment(engine, shop) -> None:
    db.in_transaction(lambda s: revoke_assignment(session=s, assignment_id=shop["seat"].id, actor=ADMIN, reason="test"))
    _refused(
        engine,
        Conflict,
        lambda s: extend_assignment(session=s, assignment_id=shop["seat"].id, actor=ADMIN, days=3),
        "only an ACTIVE",
    )
    _refused(
        engine,
        Conflict,
        lambda s: revoke_assignment(session=s, assignment_id=shop["seat"].id, actor=ADMIN, reason="again"),
        "ACTIVE",
    )


def test_unknown_assignment(engine, shop) -> None:
    _refused(engine, NotFound, lambda s: extend_assignment(session=s, assignment_id=99999, actor=ADMIN, days=1))


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (current, target)
        for current, allowed in ORDER_TRANSITIONS.items()
        for target in ORDER_TRANSITIONS
        if target not in allowed and target != current
    ][:12],
)
def test_illegal_transitions_are_refused(engine, shop, current, target) -> None:
    def force(s):
        order = s.get(Order, shop["unpaid"].id)
        order.status = current  # set up the starting state directly, outside the domain

    db.in_transaction(force)

    def attempt(s):
        transition_order(session=s, order=s.get(Order, shop["unpaid"].id), to=target, actor=ADMIN, action="test")

    _refused(engine, IllegalTransition, attempt, "cannot go from")


def test_accept_review_when_not_in_review(engine, shop) -> None:
    _refused(engine, IllegalTransition, lambda s: accept_review(session=s, order_id=shop["unpaid"].id, actor=ADMIN))


def test_refund_of_an_unpaid_order_or_without_reason(engine, shop) -> None:
    _refused(
        engine,
        IllegalTransition,
        lambda s: refund_order(session=s, order_id=shop["unpaid"].id, actor=ADMIN, reason="x"),
        "only paid orders",
    )
    _refused(
        engine, ValidationFailed, lambda s: refund_order(session=s, order_id=shop["paid"].id, actor=ADMIN, reason="")
    )


def test_payment_of_a_non_positive_amount_or_unknown_order(engine, shop) -> None:
    _refused(
        engine,
        ValidationFailed,
        lambda s: record_payment(session=s, order_id=shop["unpaid"].id, amount_idr=0, actor="tripay_webhook"),
    )
    _refused(
        engine, NotFound, lambda s: record_payment(session=s, order_id=424242, amount_idr=1, actor="tripay_webhook")
    )


@pytest.mark.parametrize(
    ("fields", "match"),
    [
        ({"email": "bad", "password": "x"}, "valid email"),
        ({"email": "ok@example.com", "password": ""}, "needs its password"),
        ({"email": "ok@example.com", "password": "x", "max_seats": 0}, "max_seats"),
        ({"email": "ok@example.com", "password": "x", "max_seats": "many"}, "whole number"),
        ({"email": "ok@example.com", "password": "x", "delivery": "POST"}, "delivery"),
    ],
)
def test_bad_account_fields(engine, shop, fields, match) -> None:
    _refused(engine, ValidationFailed, lambda s: add_account(session=s, actor=ADMIN, **fields), match)


def test_duplicate_account_email(engine, shop) -> None:
    _refused(
        engine,
        Conflict,
        lambda s: add_account(session=s, actor=ADMIN, email=shop["account"].email.upper(), password="pw"),
        "already in the pool",
    )


def test_capacity_below_seats_in_use_and_retire_with_customers(engine, shop) -> None:
    account_id = shop["account"].id
    _refused(
        engine, ValidationFailed, lambda s: update_account(session=s, actor=ADMIN, account_id=account_id, max_seats=-1)
    )
    _refused(engine, Conflict, lambda s: retire_account(session=s, actor=ADMIN, account_id=account_id), "active seat")
    _refused(engine, Conflict, lambda s: unsuspend_account(session=s, actor=ADMIN, account_id=account_id), "ASSIGNED")


def test_csv_import_preview_reports_each_bad_row_and_writes_nothing(engine, shop) -> None:
    text = (
        "email,password,pool,delivery,max_seats,note\n"
        "good@example.com,pw1,default,CREDENTIALS,3,ok\n"
        "not-an-email,pw2,default,CREDENTIALS,,\n"
        f"{shop['account'].email},pw3,default,CREDENTIALS,,dup\n"
        "team@example.com,,default,INVITE,10,\n"
        "good@example.com,pw1,default,CREDENTIALS,3,twice\n"
    )
    before = fingerprint(engine)
    preview = db.in_transaction(lambda s: import_accounts_csv(session=s, actor=ADMIN, text=text, dry_run=True))
    assert fingerprint(engine) == before
    assert [(r.line, r.error is None) for r in preview.rows] == [
        (2, True),
        (3, False),
        (4, False),
        (5, True),
        (6, False),
    ]
    assert "appears twice" in preview.rows[4].error

    report = db.in_transaction(lambda s: import_accounts_csv(session=s, actor=ADMIN, text=text))
    assert len(report.ok) == 2
    with db.read_session() as s:
        emails = set(s.exec(select(ChatGPTAccount.email)))
    assert {"good@example.com", "team@example.com"} <= emails and "not-an-email" not in emails


def test_a_password_with_an_unquoted_comma_is_never_echoed(engine, shop) -> None:
    """Trust #15: a password holding an unquoted comma spilled into the next columns, and their errors echoed
    it into the preview and the audit log."""
    text = (
        "email,password,pool,delivery,max_seats,note\n"
        "spill@example.com,Se,cr,etPart-XYZ9,CREDENTIALS\n"  # the password's tail landed in delivery
        "more@example.com,Sec,ret-QQ7,default,CREDENTIALS,3,note\n"  # one column too many
    )
    report = db.in_transaction(lambda s: import_accounts_csv(session=s, actor=ADMIN, text=text))
    assert [r.error is None for r in report.rows] == [False, False]
    assert "double quotes" in (report.rows[1].error or "")
    with db.read_session() as s:
        audit = s.exec(select(AuditLog).where(AuditLog.action == "account.import")).one()
    shown = repr([r.error for r in report.rows]) + repr(audit.details)
    for fragment in ("etpart-xyz9", "ret-qq7"):
        assert fragment not in shown.lower(), fragment


def test_database_constraints_back_the_rules(engine, shop) -> None:
    """Even code that bypassed the domain could not over-fill an account or double-seat an order."""

    def overfill(s):
        account = s.get(ChatGPTAccount, shop["account"].id)
        account.seats_used = account.capacity + 1

    with pytest.raises(IntegrityError):
        db.in_transaction(overfill)

    def second_active_seat(s):
        seat = s.get(AccountAssignment, shop["seat"].id)
        s.add(
            AccountAssignment(
                order_id=seat.order_id,
                chatgpt_account_id=seat.chatgpt_account_id,
                customer_email=seat.customer_email,
                start_at=seat.start_at,
                end_at=seat.end_at,
            )
        )

    with pytest.raises(IntegrityError):
        db.in_transaction(second_active_seat)

    def duplicate_reference(s):
        for order in s.exec(select(Order)):
            order.provider, order.provider_reference = "tripay", "T0001"

    with pytest.raises(IntegrityError):
        db.in_transaction(duplicate_reference)
