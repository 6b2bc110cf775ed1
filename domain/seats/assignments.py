"""Assignments after allocation: extend (ACTIVE only), revoke (reason required), expire at end_at.
Every seat freed here is offered at once to the orders waiting for stock."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple, cast

import sqlalchemy as sa
from sqlmodel import Session, select

from domain.notify.mail import queue_seat_news, queue_seat_news_many
from domain.orders.locks import lock_pools
from domain.seats.allocation import reseat, serve_pending_stock
from domain.seats.ending import ASSIGNMENT_FIELDS, end_assignment, end_assignments
from domain.shared.audit import SCHEDULER, audit_row, snapshot
from domain.shared.errors import Conflict, NotFound, ValidationFailed
from domain.shared.models import AccountAssignment, AssignmentStatus, ChatGPTAccount, InviteState, Order
from domain.shared.money import MANUAL_METHODS, check_amount, check_method, record_manual_payment
from domain.shared.validation import require_text
from infra.rows import forget_rows, table_of
from infra.sqlfuncs import in_ids
from infra.types import UTCDateTime, utcnow

log = logging.getLogger("aksesgpt.allocation")
MAX_EXTENSION_DAYS = 3650  # one extension moves the end by ten years at most
MAX_END_DAYS = 2 * MAX_EXTENSION_DAYS  # and no seat ends more than twenty years from today (year 9999 is far off)


def _locked_assignment(session: Session, assignment_id: int) -> AccountAssignment:
    query = (
        select(AccountAssignment)
        .where(AccountAssignment.id == assignment_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    assignment = session.exec(query).first()
    if assignment is None:
        raise NotFound(f"unknown assignment {assignment_id}")
    return assignment


def _require_active(assignment: AccountAssignment, verb: str) -> None:
    if assignment.status != AssignmentStatus.ACTIVE:
        raise Conflict(f"assignment {assignment.id} is {assignment.status}; only an ACTIVE one can be {verb}")


def extend_assignment(
    *,
    session: Session,
    assignment_id: int,
    actor: str,
    days: int | None = None,
    new_end_at: datetime | None = None,
    ip: str | None = None,
    amount_idr: int | None = None,
    method: str | None = None,
) -> AccountAssignment:
    """Move end_at of an ACTIVE assignment later, by `days` or to `new_end_at`: by MAX_EXTENSION_DAYS at most,
    and to no later than MAX_END_DAYS from now. When the customer paid for it (`amount_idr` and its `method`:
    cash, transfer…), a ManualPayment of kind `extension` records the money in the same transaction."""
    if (amount_idr is None) != (method is None):
        raise ValidationFailed("give both the amount paid and how it was paid, or neither", field="method")
    if method is not None:
        check_method(method, MANUAL_METHODS)
    received = check_amount(amount_idr) if amount_idr is not None else None
    if (days is None) == (new_end_at is None):
        raise ValidationFailed("give either a number of days or a new end date", field="days")
    if days is not None and (not isinstance(days, int) or isinstance(days, bool) or not 0 < days <= MAX_EXTENSION_DAYS):
        raise ValidationFailed(f"days must be a whole number from 1 to {MAX_EXTENSION_DAYS}", field="days")
    if new_end_at is not None and new_end_at.tzinfo is None:
        raise ValidationFailed("the new end date must carry a time zone", field="new_end_at")
    assignment = _locked_assignment(session, assignment_id)
    _require_active(assignment, "extended")
    target = _extended_end(assignment.end_at, days, new_end_at)
    if target <= assignment.end_at:
        raise ValidationFailed("the new end date must be later than the current one", field="new_end_at")
    if target - assignment.end_at > timedelta(days=MAX_EXTENSION_DAYS):
        raise ValidationFailed(f"one extension moves the end by {MAX_EXTENSION_DAYS} days at most", field="new_end_at")
    if target > utcnow() + timedelta(days=MAX_END_DAYS):
        field = "days" if days is not None else "new_end_at"
        raise ValidationFailed(f"a seat cannot end more than {MAX_END_DAYS} days from today", field=field)
    before = snapshot(assignment, "end_at")
    assignment.end_at = target
    assignment.reminded_3d_at = assignment.reminded_1d_at = None  # remind again before the new end
    session.add(assignment)
    session.flush()
    _tell_customer(session, assignment, "seat_extended")
    audit_row(
        assignment,
        session=session,
        actor=actor,
        action="assignment.extend",
        before=before,
        after=snapshot(assignment, "end_at"),
        ip=ip,
        days=days,
        **({"amount_idr": received, "method": method} if method is not None else {}),
    )
    if method is not None and received is not None:
        order = session.get(Order, assignment.order_id)
        assert order is not None  # (a foreign key)
        record_manual_payment(
            session=session,
            order=order,
            kind="extension",
            amount_idr=received,
            method=method,
            actor=actor,
            assignment_id=assignment.id,
            ip=ip,
        )
    return assignment


def _extended_end(end_at: datetime, days: int | None, new_end_at: datetime | None) -> datetime:
    """The new end; one past what a datetime holds (year 9999, in UTC or in its own zone) is refused rather than
    an OverflowError."""
    try:
        if days is not None:
            return end_at + timedelta(days=days)
        target = cast(datetime, new_end_at)
        target.astimezone(UTC)  # as it will be stored
        return target
    except OverflowError:
        field = "days" if days is not None else "new_end_at"
        raise ValidationFailed("the new end date is too far in the future", field=field) from None


def _tell_customer(session: Session, assignment: AccountAssignment, kind: str) -> None:
    order = session.get(Order, assignment.order_id)
    if order is not None:
        queue_seat_news(session=session, order=order, seat=assignment, kind=kind)


def _pool_of(session: Session, assignment: AccountAssignment) -> str:
    return session.exec(select(ChatGPTAccount.pool).where(ChatGPTAccount.id == assignment.chatgpt_account_id)).one()


def revoke_assignment(
    *, session: Session, assignment_id: int, actor: str, reason: str, ip: str | None = None, tell: bool = True
) -> AccountAssignment:
    """End an ACTIVE assignment now, for a stated reason; the freed seat serves waiting orders. `tell` False: the
    caller sends the customer its own message (a refund says the amount, method and when)."""
    reason = require_text(reason, "reason", 500, multiline=True)
    assignment = _locked_assignment(session, assignment_id)
    _require_active(assignment, "revoked")
    lock_pools(session=session, pools=[_pool_of(session, assignment)])
    account = end_assignment(session, assignment, AssignmentStatus.REVOKED, actor, "assignment.revoke", reason, ip)
    if tell:
        _tell_customer(session, assignment, "seat_revoked")
    serve_pending_stock(session=session, actor=actor, pool=account.pool)
    return assignment


_SEATS = table_of(AccountAssignment)
_S = _SEATS.c
_ACCOUNTS = table_of(ChatGPTAccount)
_ORDERS = table_of(Order)
# the expired seats (locked, skipping those another transaction holds), each with its account's pool and what
# the customer's e-mail needs of its order; the orders and accounts are read, not locked (the pool lock, then
# the accounts, come after)
_EXPIRED = (
    sa.select(
        _S.id,
        *(_S[name] for name in ASSIGNMENT_FIELDS),
        _ACCOUNTS.c.pool,
        _ORDERS.c.code.label("order_code"),
        _ORDERS.c.name.label("order_name"),
        _ORDERS.c.email.label("order_email"),
        _ORDERS.c.locale.label("order_locale"),
    )
    .join_from(_SEATS, _ACCOUNTS, _ACCOUNTS.c.id == _S.chatgpt_account_id)
    .join(_ORDERS, _ORDERS.c.id == _S.order_id, isouter=True)
    .where(_S.status == AssignmentStatus.ACTIVE.value, _S.end_at <= sa.bindparam("now", type_=UTCDateTime()))
    .order_by(_S.end_at, _S.id)
    .limit(sa.bindparam("limit"))
    .with_for_update(skip_locked=True, of=_SEATS)
)


class _Expired(NamedTuple):
    """A row of _EXPIRED."""

    id: int
    order_id: int
    chatgpt_account_id: int
    customer_email: str
    status: str
    start_at: datetime
    end_at: datetime
    invite_state: str | None
    pool: str
    order_code: str | None
    order_name: str
    order_email: str
    order_locale: str


assert list(_Expired._fields) == list(_EXPIRED.selected_columns.keys())


class _OrderOf(NamedTuple):
    """What the "seat ended" e-mail needs of the seat's order, as read with the seat."""

    id: int
    code: str
    name: str
    email: str
    locale: str


def release_expired_assignments(
    *, session: Session, now: datetime | None = None, limit: int = 100, actor: str = SCHEDULER
) -> list[int]:
    """Expire ACTIVE assignments whose end_at has passed (at most `limit`, oldest end first), then serve waiting
    orders; returns their ids. A batch at a time: the seats are read and locked in one statement and ended by
    end_assignments (a few set-based statements, the same rows and audit entries as ending them one by one), and
    the customers' "seat ended" e-mails are rendered together (queue_seat_news_many)."""
    now = now or utcnow()
    result = session.connection().execute(_EXPIRED, {"now": now, "limit": limit})
    expired = [_Expired._make(row) for row in result]
    if not expired:
        return []
    pools = sorted({row.pool for row in expired})
    lock_pools(session=session, pools=pools)
    ended = end_assignments(session, expired, AssignmentStatus.EXPIRED, actor, "assignment.expire", "period ended")
    orders = {
        row.id: _OrderOf(row.order_id, row.order_code, row.order_name, row.order_email, row.order_locale)
        for row in expired
        if row.order_code is not None
    }
    queue_seat_news_many(
        session=session, news=[(orders[seat.id], seat) for seat in ended if seat.id in orders], kind="seat_ended"
    )
    for pool in pools:
        serve_pending_stock(session=session, actor=actor, pool=pool)
    return [seat.id for seat in ended]


# the two reminders' columns: the first (earlier) and the second; the owner chooses their days (3 and 1 by default)
REMINDER_SLOTS = ("reminded_3d_at", "reminded_1d_at")
REMINDED = {3: REMINDER_SLOTS[0], 1: REMINDER_SLOTS[1]}  # the default days' columns
_DUE = sa.bindparam("now", type_=UTCDateTime())


class _Reminded(NamedTuple):
    """A row of _reminders(): the seat as the reminder needs it, and its order."""

    id: int
    start_at: datetime
    end_at: datetime
    ended_at: datetime | None
    end_reason: str | None
    order_id: int
    order_code: str | None
    order_name: str
    order_email: str
    order_locale: str


def _reminders(column: str) -> sa.Select[Any]:
    """ACTIVE seats ending before `until` not yet reminded in `column` (locked, skipping those another
    transaction holds)."""
    return (
        sa.select(
            _S.id,
            _S.start_at,
            _S.end_at,
            _S.ended_at,
            _S.end_reason,
            _S.order_id,
            _ORDERS.c.code.label("order_code"),
            _ORDERS.c.name.label("order_name"),
            _ORDERS.c.email.label("order_email"),
            _ORDERS.c.locale.label("order_locale"),
        )
        .join_from(_SEATS, _ORDERS, _ORDERS.c.id == _S.order_id, isouter=True)
        .where(
            _S.status == AssignmentStatus.ACTIVE.value,
            _S[column].is_(None),
            _S.end_at > _DUE,
            _S.end_at <= sa.bindparam("until", type_=UTCDateTime()),
        )
        .order_by(_S.end_at, _S.id)
        .limit(sa.bindparam("limit"))
        .with_for_update(skip_locked=True, of=_SEATS)
    )


_REMINDERS = {column: _reminders(column) for column in REMINDER_SLOTS}
assert all(list(_Reminded._fields) == list(q.selected_columns.keys()) for q in _REMINDERS.values())


def remind_seats(
    *, session: Session, now: datetime, days: int, limit: int = 1000, slot: int | None = None, last_days: int = 1
) -> int:
    """The reminder `days` before a seat ends, at most once per seat: up to `limit` seats ending within `days`,
    each e-mailed and marked in one UPDATE. `slot` 0 is the first (earlier) reminder, 1 the second, `last_days`
    before the end (None: 3 days is the first, 1 day the second). A first reminder too late — within `last_days`
    of the end — or for a seat of `days` or less is only marked: the second will say it. Returns how many seats
    were handled."""
    column = REMINDER_SLOTS[slot] if slot is not None else REMINDED[days]
    first = column == REMINDER_SLOTS[0]
    rows = [
        _Reminded._make(row)
        for row in session.connection().execute(
            _REMINDERS[column], {"now": now, "until": now + timedelta(days=days), "limit": limit}
        )
    ]
    if not rows:
        return 0
    news = [
        (_OrderOf(row.order_id, row.order_code, row.order_name, row.order_email, row.order_locale), row)
        for row in rows
        if row.order_code is not None
        and not (
            first
            and (row.end_at <= now + timedelta(days=last_days) or row.end_at - row.start_at <= timedelta(days=days))
        )
    ]
    queue_seat_news_many(session=session, news=news, kind="reminder", days=days)
    ids = [row.id for row in rows]
    session.connection().execute(
        sa.update(_SEATS).where(in_ids(_S.id, "ids")).values({column: _DUE}),
        {"ids": ids, "now": now},
    )
    forget_rows(session=session, model=AccountAssignment, row_ids=ids, columns=[column, "updated_at"])
    return len(rows)


def move_assignment(
    *, session: Session, assignment_id: int, to_account_id: int, actor: str, reason: str, ip: str | None = None
) -> AccountAssignment:
    """Move a customer to another account of the same pool (e.g. the old one was banned), keeping the
    end date: the old seat is revoked with the reason, a new one starts, and the customer gets the new access."""
    reason = require_text(reason, "reason", 500, multiline=True)
    old = _locked_assignment(session, assignment_id)
    _require_active(old, "moved")
    new = reseat(session=session, old=old, actor=actor, reason=reason, to_account_id=to_account_id, ip=ip)
    assert new is not None  # a named account either takes the customer or refuses
    serve_pending_stock(session=session, actor=actor, pool=_pool_of(session, new))  # the old account has a seat free
    return new


_INVITE_STEPS = {InviteState.INVITED: InviteState.TO_INVITE, InviteState.REMOVED: InviteState.TO_REMOVE}


def mark_invite(
    *, session: Session, assignment_id: int, state: InviteState, actor: str, ip: str | None = None
) -> AccountAssignment:
    """Record the admin's work on an INVITE workspace: invitation sent, or member removed."""
    if state not in _INVITE_STEPS:
        raise ValidationFailed("an invitation can only be marked INVITED or REMOVED", field="state")
    assignment = _locked_assignment(session, assignment_id)
    if assignment.invite_state != _INVITE_STEPS[state]:
        raise Conflict(
            f"assignment {assignment.id} is {assignment.invite_state or 'not an invitation'}; "
            f"cannot mark it {state.value}"
        )
    before = snapshot(assignment, "invite_state")
    assignment.invite_state = state
    session.add(assignment)
    audit_row(
        assignment,
        session=session,
        actor=actor,
        action=f"assignment.{state.value.lower()}",
        before=before,
        after=snapshot(assignment, "invite_state"),
        ip=ip,
    )
    return assignment
