"""Trust #13: what an admin can type or link that the database or a datetime cannot hold is a clear refusal
(a ValidationFailed naming the field) or a filter that matches nothing, never an OverflowError or a DataError."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlmodel import update

from domain.admin.listing import (
    MAX_ROW_ID,
    assignments_page,
    audit_page,
    events_page,
    filter_choice,
    filter_id,
    outbox_page,
)
from domain.seats.assignments import MAX_END_DAYS, MAX_EXTENSION_DAYS, extend_assignment
from domain.shared.errors import ValidationFailed
from domain.shared.models import AccountAssignment, OrderStatus
from infra import db
from tests.helpers import ADMIN, fingerprint, make_account, make_order, make_product, pay

HUGE = 99999999999999999999


@pytest.fixture
def seat(engine) -> AccountAssignment:
    product = make_product()
    make_account(max_seats=3)
    return pay(make_order(product)).assignment


def _refused(engine, work, match: str) -> ValidationFailed:
    before = fingerprint(engine)
    with pytest.raises(ValidationFailed, match=match) as caught:
        db.in_transaction(work)
    assert fingerprint(engine) == before, "a refused call must change nothing"
    return caught.value


def _extend(seat: AccountAssignment, **how):
    return lambda s: extend_assignment(session=s, assignment_id=seat.id, actor=ADMIN, **how)


@pytest.mark.parametrize("days", [MAX_EXTENSION_DAYS + 1, HUGE, 10**6])
def test_too_many_days_are_refused(engine, seat, days) -> None:
    assert _refused(engine, _extend(seat, days=days), "days").context["field"] == "days"


@pytest.mark.parametrize(
    "new_end",
    [
        datetime(9999, 12, 31, 23, 59, tzinfo=UTC),  # stored, it made every later read overflow in WIB
        datetime(9999, 12, 31, 23, 0, tzinfo=timezone(timedelta(hours=-5))),  # past year 9999 in UTC
        datetime.max.replace(tzinfo=timezone(timedelta(hours=-1))),
    ],
)
def test_an_end_date_past_year_9999_is_refused(engine, seat, new_end) -> None:
    error = _refused(engine, _extend(seat, new_end_at=new_end), "too far|at most|from today")
    assert error.context["field"] == "new_end_at"


def test_one_extension_moves_the_end_by_ten_years_at_most(engine, seat) -> None:
    _refused(engine, _extend(seat, new_end_at=seat.end_at + timedelta(days=MAX_EXTENSION_DAYS + 1)), "at most")
    done = db.in_transaction(_extend(seat, new_end_at=seat.end_at + timedelta(days=MAX_EXTENSION_DAYS)))
    assert done.end_at - seat.end_at == timedelta(days=MAX_EXTENSION_DAYS)


def test_extensions_stop_twenty_years_from_today(engine, seat) -> None:
    db.in_transaction(_extend(seat, days=MAX_EXTENSION_DAYS))
    error = _refused(engine, _extend(seat, days=MAX_EXTENSION_DAYS), "from today")
    assert error.context["field"] == "days" and MAX_END_DAYS == 2 * MAX_EXTENSION_DAYS


def test_a_seat_already_ending_in_year_9999_cannot_overflow(engine, seat) -> None:
    far = datetime(9999, 12, 20, tzinfo=UTC)
    with db.write_session() as s:  # as an extension before this rule could leave it
        s.exec(update(AccountAssignment).where(AccountAssignment.id == seat.id).values(end_at=far))
    _refused(engine, _extend(seat, days=30), "too far")


@pytest.mark.parametrize("typed", [HUGE, str(HUGE), MAX_ROW_ID + 1, "0", "-3", "abc", "1.5", 2.5])
def test_a_filter_id_that_names_no_row_is_refused(typed) -> None:
    with pytest.raises(ValidationFailed) as caught:
        filter_id(typed, "entity_id")
    assert caught.value.context["field"] == "entity_id"


def test_filter_ids_and_choices_that_can_be_used() -> None:
    assert filter_id("", "account_id") is None and filter_id(None, "account_id") is None
    assert filter_id(" 42 ", "account_id") == 42 and filter_id(MAX_ROW_ID, "account_id") == MAX_ROW_ID
    assert filter_choice("fulfilled", OrderStatus, "status") == "fulfilled"
    assert filter_choice("", OrderStatus, "status") == ""
    with pytest.raises(ValidationFailed, match="status 'bogus' is not one of"):
        filter_choice("bogus", OrderStatus, "status")


@pytest.mark.parametrize("huge", [HUGE, MAX_ROW_ID + 1, -(2**63)])
def test_listing_by_an_id_too_large_for_a_column_matches_nothing(engine, seat, huge) -> None:
    """Any caller (the admin API bounds its own): no OverflowError on SQLite, no DataError on PostgreSQL."""
    with db.read_session() as s:
        assert audit_page(session=s, entity_id=huge).rows == []
        assert assignments_page(session=s, account_id=huge).rows == []
        assert events_page(session=s, order_id=huge).rows == []
        assert outbox_page(session=s, order_id=huge).total == 0
        assert audit_page(session=s, entity_id=seat.id).total >= 1  # a real id still filters
