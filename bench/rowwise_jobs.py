"""The release and reminder jobs as they were before they went set-based (main at bcfc9b6), kept for comparison
only: bench/jobs.py times the release against the new one, and tests/integration/test_batch_jobs.py checks that
the new jobs write what these wrote. Nothing in the app calls them.

Release: each expired seat goes through `end_assignment` (lock the account, free the seat, queue the removal on
an automated workspace, the audit entry) and `queue_seat_news` (the "seat ended" e-mail), one at a time, 200 to
a transaction; then the waiting orders of each pool are served. Reminders: each seat loaded as an object, its
order read, its e-mail queued and its mark written by the unit of work, 200 to a transaction."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from domain.notify.mail import queue_seat_news
from domain.orders.locks import lock_pools
from domain.seats.allocation import serve_pending_stock
from domain.seats.ending import end_assignment
from domain.shared.audit import SCHEDULER
from domain.shared.models import AccountAssignment, AssignmentStatus, ChatGPTAccount, Order
from infra import db
from infra.types import utcnow

BATCH = 200


def release_expired_assignments_rowwise(
    *, session: Session, now: datetime | None = None, limit: int = 100, actor: str = SCHEDULER
) -> list[AccountAssignment]:
    """domain/seats/assignments.py release_expired_assignments as it was."""
    now = now or utcnow()
    query = (
        select(AccountAssignment)
        .where(AccountAssignment.status == AssignmentStatus.ACTIVE, col(AccountAssignment.end_at) <= now)
        .order_by(col(AccountAssignment.end_at))
        .limit(limit)
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    )
    expired = list(session.exec(query))
    pools = sorted({_pool_of(session, assignment) for assignment in expired})
    lock_pools(session=session, pools=pools)
    for assignment in expired:
        end_assignment(session, assignment, AssignmentStatus.EXPIRED, actor, "assignment.expire", "period ended")
        order = session.get(Order, assignment.order_id)
        if order is not None:
            queue_seat_news(session=session, order=order, seat=assignment, kind="seat_ended")
    for pool in pools:
        serve_pending_stock(session=session, actor=actor, pool=pool)
    return expired


def _pool_of(session: Session, assignment: AccountAssignment) -> str:
    return session.exec(select(ChatGPTAccount.pool).where(ChatGPTAccount.id == assignment.chatgpt_account_id)).one()


def release_expired_rowwise(now: datetime | None = None, max_batches: int = 50) -> str:
    """runtime/jobs.py release_expired as it was: batches of 200, up to 10,000 a run."""
    now = now or utcnow()
    total = 0
    for _ in range(max_batches):
        released = db.in_transaction(lambda s: release_expired_assignments_rowwise(session=s, now=now, limit=BATCH))
        total += len(released)
        if len(released) < BATCH:
            break
    return f"released {total}"


def remind_seats_rowwise(*, session: Session, now: datetime, days: int, limit: int = BATCH) -> int:
    """runtime/jobs.py send_reminders' work for one kind of reminder, as it was."""
    column = {3: "reminded_3d_at", 1: "reminded_1d_at"}[days]
    seats = list(
        session.exec(
            select(AccountAssignment)
            .where(
                AccountAssignment.status == AssignmentStatus.ACTIVE,
                col(getattr(AccountAssignment, column)).is_(None),
                col(AccountAssignment.end_at) > now,
                col(AccountAssignment.end_at) <= now + timedelta(days=days),
            )
            .order_by(col(AccountAssignment.end_at))
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )
    for seat in seats:
        if days == 3 and (seat.end_at <= now + timedelta(days=1) or seat.end_at - seat.start_at <= timedelta(days=3)):
            setattr(seat, column, now)
            session.add(seat)
            continue
        order = session.get(Order, seat.order_id)
        if order is not None:
            queue_seat_news(session=session, order=order, seat=seat, kind="reminder", days=days)
        setattr(seat, column, now)
        session.add(seat)
    return len(seats)
