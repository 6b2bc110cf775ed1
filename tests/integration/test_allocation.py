"""Seat allocation: packing, idempotent payments, pending_stock served oldest first."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import select

from domain.catalog.pool import suspend_account, unsuspend_account, update_account
from domain.orders.orders import accept_review, expire_order, record_payment, refund_order
from domain.seats.allocation import serve_pending_stock
from domain.seats.assignments import extend_assignment, release_expired_assignments, revoke_assignment
from domain.seats.seats import status_after_taking, status_for
from domain.shared.models import (
    AccountAssignment,
    AccountStatus,
    AssignmentStatus,
    AuditLog,
    ChatGPTAccount,
    EventOutcome,
    InviteState,
    Order,
    OrderStatus,
)
from infra import db
from infra.types import utcnow
from tests.helpers import ADMIN, invariants, make_account, make_order, make_product, pay


def _order(order_id: int) -> Order:
    with db.read_session() as s:
        return s.get(Order, order_id)


def _account(account_id: int) -> ChatGPTAccount:
    with db.read_session() as s:
        return s.get(ChatGPTAccount, account_id)


def test_paid_order_gets_a_seat_and_the_account_fills_up(engine) -> None:
    product = make_product(duration_days=30)
    account = make_account(max_seats=2)
    first, second, third = (make_order(product) for _ in range(3))

    result = pay(first)
    assert result.outcome == EventOutcome.APPLIED
    assert result.assignment is not None and result.assignment.chatgpt_account_id == account.id
    assert result.assignment.end_at - result.assignment.start_at == timedelta(days=30)
    assert _order(first.id).status == OrderStatus.FULFILLED
    assert _account(account.id).status == AccountStatus.AVAILABLE

    pay(second)
    assert _account(account.id).seats_used == 2
    assert _account(account.id).status == AccountStatus.ASSIGNED

    assert pay(third).assignment is None
    assert _order(third.id).status == OrderStatus.PENDING_STOCK
    assert invariants() == []


def test_packs_the_fullest_account_and_keeps_whole_accounts_free(engine) -> None:
    product = make_product()
    single = make_account(max_seats=None)
    team = make_account(max_seats=5)
    started = make_account(max_seats=5)
    pay(make_order(product))  # an empty pool: the account with the fewest seats left goes first
    assert _account(single.id).seats_used == 1

    pay(make_order(product))  # team and started are both empty: the tie goes to the lower id
    pay(make_order(product))
    assert _account(team.id).seats_used == 2
    assert _account(started.id).seats_used == 0
    assert invariants() == []


def test_duplicate_paid_notice_is_recorded_as_duplicate_and_changes_nothing(engine) -> None:
    product = make_product()
    make_account(max_seats=3)
    order = make_order(product)
    assert pay(order).outcome == EventOutcome.APPLIED
    again = pay(order)
    assert again.outcome == EventOutcome.DUPLICATE
    with db.read_session() as s:
        assignments = s.exec(select(AccountAssignment).where(AccountAssignment.order_id == order.id)).all()
    assert len(assignments) == 1
    assert again.assignment is not None and again.assignment.id == assignments[0].id


def test_expired_after_paid_is_ignored_and_late_paid_is_honoured(engine) -> None:
    product = make_product()
    make_account(max_seats=3)
    paid, late = make_order(product), make_order(product)
    pay(paid)
    stale = db.in_transaction(lambda s: expire_order(session=s, order_id=paid.id, actor="tripay_webhook"))
    assert stale.outcome == EventOutcome.IGNORED
    assert _order(paid.id).status == OrderStatus.FULFILLED

    db.in_transaction(lambda s: expire_order(session=s, order_id=late.id, actor="scheduler"))
    assert _order(late.id).status == OrderStatus.PAYMENT_EXPIRED
    assert pay(late).outcome == EventOutcome.APPLIED
    assert _order(late.id).status == OrderStatus.FULFILLED
    assert invariants() == []


def test_wrong_amount_is_held_for_review_then_accepted(engine) -> None:
    product = make_product(price_idr=79_000)
    make_account()
    order = make_order(product)
    result = pay(order, amount=50_000)
    assert result.assignment is None and _order(order.id).status == OrderStatus.PAYMENT_REVIEW
    accepted = db.in_transaction(lambda s: accept_review(session=s, order_id=order.id, actor=ADMIN, note="topped up"))
    assert accepted.assignment is not None and _order(order.id).status == OrderStatus.FULFILLED
    assert invariants() == []


def test_refund_revokes_the_seat_and_serves_the_queue(engine) -> None:
    product = make_product()
    account = make_account()
    first, waiting = make_order(product), make_order(product)
    pay(first)
    pay(waiting)
    assert _order(waiting.id).status == OrderStatus.PENDING_STOCK
    db.in_transaction(lambda s: refund_order(session=s, order_id=first.id, actor=ADMIN, reason="customer asked"))
    assert _order(first.id).status == OrderStatus.REFUNDED
    assert _order(waiting.id).status == OrderStatus.FULFILLED
    assert _account(account.id).seats_used == 1
    assert invariants() == []


def test_freed_seats_serve_pending_stock_oldest_first(engine) -> None:
    product = make_product()
    account = make_account(max_seats=1)
    holder = make_order(product)
    pay(holder)
    waiting = [make_order(product) for _ in range(3)]
    for order in waiting:
        pay(order)
    assert {_order(o.id).status for o in waiting} == {OrderStatus.PENDING_STOCK}

    with db.read_session() as s:
        seat = s.exec(select(AccountAssignment).where(AccountAssignment.order_id == holder.id)).one()
    db.in_transaction(lambda s: revoke_assignment(session=s, assignment_id=seat.id, actor=ADMIN, reason="abuse"))
    assert [_order(o.id).status for o in waiting] == [
        OrderStatus.FULFILLED,
        OrderStatus.PENDING_STOCK,
        OrderStatus.PENDING_STOCK,
    ]

    make_account(max_seats=1)  # adding an account serves the next in line
    assert [_order(o.id).status for o in waiting][:2] == [OrderStatus.FULFILLED, OrderStatus.FULFILLED]

    # expiry frees the first seat: the last waiting order is served
    later = utcnow() + timedelta(days=31)
    released = db.in_transaction(lambda s: release_expired_assignments(session=s, now=later, limit=1))
    assert len(released) == 1
    assert _order(waiting[2].id).status == OrderStatus.FULFILLED
    assert _account(account.id).seats_used == 1
    assert invariants() == []


def test_a_new_payment_does_not_jump_the_queue(engine) -> None:
    product = make_product()
    account = make_account(max_seats=1)
    pay(make_order(product))
    early = make_order(product)
    pay(early)
    with db.write_session() as s:  # a seat appears without the usual serving (e.g. a capacity edit raced)
        acc = s.get(ChatGPTAccount, account.id)
        acc.max_seats = 2
        acc.status = AccountStatus.AVAILABLE
    newcomer = make_order(product)
    pay(newcomer)
    assert _order(early.id).status == OrderStatus.FULFILLED
    assert _order(newcomer.id).status == OrderStatus.PENDING_STOCK


def test_extend_moves_end_and_is_audited_with_before_and_after(engine) -> None:
    product = make_product(duration_days=7)
    make_account()
    order = make_order(product)
    seat = pay(order).assignment
    extended = db.in_transaction(lambda s: extend_assignment(session=s, assignment_id=seat.id, actor=ADMIN, days=7))
    assert extended.end_at == seat.end_at + timedelta(days=7)
    with db.read_session() as s:
        entry = s.exec(select(AuditLog).where(AuditLog.action == "assignment.extend")).one()
    assert entry.actor == ADMIN
    assert entry.details["before"]["end_at"] == seat.end_at.isoformat()
    assert entry.details["after"]["end_at"] == extended.end_at.isoformat()


def test_invite_accounts_track_the_invitation_work(engine) -> None:
    product = make_product()
    make_account(max_seats=5, delivery="INVITE")
    seat = pay(make_order(product)).assignment
    assert seat.invite_state == InviteState.TO_INVITE
    revoked = db.in_transaction(
        lambda s: revoke_assignment(session=s, assignment_id=seat.id, actor=ADMIN, reason="refund")
    )
    assert revoked.status == AssignmentStatus.REVOKED and revoked.invite_state == InviteState.TO_REMOVE


def test_suspended_accounts_give_no_seats_until_unsuspended(engine) -> None:
    product = make_product()
    account = make_account(max_seats=2)
    db.in_transaction(lambda s: suspend_account(session=s, actor=ADMIN, account_id=account.id, reason="login issue"))
    order = make_order(product)
    pay(order)
    assert _order(order.id).status == OrderStatus.PENDING_STOCK
    db.in_transaction(lambda s: unsuspend_account(session=s, actor=ADMIN, account_id=account.id))
    assert _order(order.id).status == OrderStatus.FULFILLED
    assert _account(account.id).status == AccountStatus.AVAILABLE
    assert invariants() == []


def test_raising_capacity_serves_waiting_orders(engine) -> None:
    product = make_product()
    account = make_account(max_seats=1)
    orders = [make_order(product) for _ in range(3)]
    for order in orders:
        pay(order)
    db.in_transaction(lambda s: update_account(session=s, actor=ADMIN, account_id=account.id, max_seats=3))
    assert {_order(o.id).status for o in orders} == {OrderStatus.FULFILLED}
    assert _account(account.id).status == AccountStatus.ASSIGNED
    assert db.in_transaction(lambda s: serve_pending_stock(session=s, actor="scheduler")) == []
    assert invariants() == []


def test_mark_paid_by_admin_takes_the_same_path(engine) -> None:
    product = make_product()
    make_account()
    order = make_order(product)
    result = db.in_transaction(
        lambda s: record_payment(session=s, order_id=order.id, amount_idr=order.amount_idr, actor=ADMIN)
    )
    assert result.outcome == EventOutcome.APPLIED and _order(order.id).status == OrderStatus.FULFILLED
    with db.read_session() as s:
        actors = {
            e.actor for e in s.exec(select(AuditLog).where(AuditLog.entity_id == order.id, AuditLog.entity == "order"))
        }
    assert ADMIN in actors


def test_invariants_report_a_change_made_without_its_audit_entry(engine) -> None:
    product = make_product()
    make_account()
    order = make_order(product)
    pay(order)
    with db.write_session() as s:  # a change that went around the domain
        row = s.get(Order, order.id)
        row.status = OrderStatus.PAYMENT_REVIEW
    problems = invariants()
    assert f"order {order.code} is payment_review but its audit trail says fulfilled" in problems
    assert f"order {order.code} is payment_review but holds an ACTIVE seat" in problems


def test_allocation_on_an_account_the_caller_loaded_and_changed_keeps_that_object_in_step(engine) -> None:
    product = make_product()
    account = make_account(max_seats=1)
    pay(make_order(product))
    waiting = make_order(product)
    assert pay(waiting).assignment is None  # the pool is full: pending_stock

    def grow_and_serve(s):
        loaded = s.get(ChatGPTAccount, account.id)
        loaded.max_seats, loaded.status = 2, AccountStatus.AVAILABLE  # changed in memory only
        served = serve_pending_stock(session=s, actor=ADMIN)
        return served, loaded.seats_used, loaded.status  # the object shows what the seat's UPDATE wrote

    served, seats_used, status = db.in_transaction(grow_and_serve)
    assert len(served) == 1 and served[0].order_id == waiting.id
    assert (seats_used, status) == (2, AccountStatus.ASSIGNED)
    stored = _account(account.id)
    assert (stored.max_seats, stored.seats_used, stored.status) == (2, 2, AccountStatus.ASSIGNED)
    assert _order(waiting.id).status == OrderStatus.FULFILLED and invariants() == []


@pytest.mark.parametrize("max_seats", [None, 1, 2, 5])
def test_the_seat_statement_computes_the_status_as_python_does(engine, max_seats):
    """PostgreSQL takes a seat in one statement, whose new status is seats.status_after_taking: it must say
    what status_for says, on both databases, for every fill level of an AVAILABLE account."""
    capacity = max_seats or 1
    for seats_used in range(capacity):
        row = sa.select(
            sa.literal(seats_used, sa.Integer).label("seats_used"), sa.literal(max_seats, sa.Integer).label("max_seats")
        ).subquery()
        with engine.connect() as conn:
            in_sql = conn.execute(sa.select(status_after_taking(row))).scalar_one()  # type: ignore[arg-type]
        assert in_sql == status_for(status=AccountStatus.AVAILABLE, seats_used=seats_used + 1, capacity=capacity)
