"""The invariants of DESIGN.md §4 as a check that lists every violation (empty = healthy).

Column queries, not ORM objects, and the audit comparison done in SQL: the dashboard runs this every
30 s on shops with hundreds of thousands of orders."""

from __future__ import annotations

from collections import Counter, defaultdict

import sqlalchemy as sa
from sqlmodel import Session, func

from domain.shared.models import (
    AccountAssignment,
    AccountStatus,
    AssignmentStatus,
    AuditLog,
    ChatGPTAccount,
    Delivery,
    Driver,
    Health,
    InviteState,
    Order,
    OrderStatus,
    WorkspaceTask,
)

SEAT = AccountAssignment.__table__.c  # type: ignore[attr-defined]
ACCOUNT = ChatGPTAccount.__table__.c  # type: ignore[attr-defined]
ORDER = Order.__table__.c  # type: ignore[attr-defined]
AUDIT = AuditLog.__table__  # type: ignore[attr-defined]
TASK = WorkspaceTask.__table__.c  # type: ignore[attr-defined]
SELLABLE = (Health.OK.value, Health.FULL.value)


def check_invariants(*, session: Session, limit: int = 200) -> list[str]:
    """Every violation, one sentence each (at most `limit`); the dashboard shows them and the tests require none."""
    problems: list[str] = []
    active = list(
        session.execute(sa.select(SEAT.order_id, SEAT.chatgpt_account_id).where(SEAT.status == AssignmentStatus.ACTIVE))
    )
    per_order = Counter(order_id for order_id, _ in active)
    per_account = Counter(account_id for _, account_id in active)

    # 1. one paid order, at most one ACTIVE assignment
    problems += [f"order id {oid} has {n} ACTIVE assignments" for oid, n in per_order.items() if n > 1]

    # 2. seats_used = ACTIVE assignments <= capacity; ASSIGNED exactly when full
    free_by_pool: dict[str, int] = defaultdict(int)
    accounts = session.execute(
        sa.select(
            ACCOUNT.id,
            ACCOUNT.email,
            ACCOUNT.seats_used,
            ACCOUNT.max_seats,
            ACCOUNT.status,
            ACCOUNT.pool,
            ACCOUNT.health,
        )
    )
    for account_id, email, seats_used, max_seats, status, pool, health in accounts:
        capacity = max_seats if max_seats is not None else 1
        used = per_account.get(account_id, 0)
        if seats_used != used:
            problems.append(f"account {email}: seats_used={seats_used} but {used} ACTIVE assignments")
        if seats_used > capacity:
            problems.append(f"account {email}: {seats_used} seats used over capacity {capacity}")
        full = seats_used >= capacity
        if status == AccountStatus.ASSIGNED and not full:
            problems.append(f"account {email} is ASSIGNED with {capacity - seats_used} seat(s) free")
        if status == AccountStatus.AVAILABLE:
            if full:
                problems.append(f"account {email} is AVAILABLE but full")
            if health in SELLABLE:  # a dead account's free seats serve nobody
                free_by_pool[pool] += max(capacity - seats_used, 0)

    # 3. paid orders end fulfilled (with a seat) or pending_stock (served as soon as a seat exists)
    ever_assigned = set(session.execute(sa.select(SEAT.order_id).distinct()).scalars())
    orders = sa.select(ORDER.id, ORDER.code, ORDER.status, ORDER.pool, ORDER.renews_order_id)
    for order_id, code, status, pool, renews in session.execute(orders):
        if per_order.get(order_id, 0) and status != OrderStatus.FULFILLED:
            problems.append(f"order {code} is {status} but holds an ACTIVE seat")
        # a renewal served on the seat it renews holds none of its own
        if status == OrderStatus.FULFILLED and order_id not in ever_assigned and renews is None:
            problems.append(f"order {code} is fulfilled without any assignment")
        if status == OrderStatus.PENDING_STOCK and free_by_pool.get(pool, 0) > 0:
            problems.append(f"order {code} waits for stock while pool {pool!r} has free seats")
        if len(problems) >= limit:
            return problems

    # 7. no workspace intent is lost: a seat on an automated workspace that is still to be invited (or, ended, to be
    # removed) has its task (open, done or failed into the owner's queue)
    automated = sa.select(ACCOUNT.id).where(
        ACCOUNT.delivery == Delivery.INVITE.value, ACCOUNT.driver == Driver.CHATGPT.value
    )
    for kind, state, seat_status in (
        ("invite", InviteState.TO_INVITE, SEAT.status == AssignmentStatus.ACTIVE),
        ("remove", InviteState.TO_REMOVE, SEAT.status != AssignmentStatus.ACTIVE),
    ):
        has_task = sa.exists().where(TASK.assignment_id == SEAT.id, TASK.kind == kind)
        lost = session.execute(
            sa.select(SEAT.id).where(
                SEAT.chatgpt_account_id.in_(automated), SEAT.invite_state == state.value, seat_status, ~has_task
            )
        ).scalars()
        problems += [
            f"assignment {seat_id} is {state.value} on an automated workspace with no {kind} task" for seat_id in lost
        ]

    # 4. every order's current status was written by an audit entry (compared in SQL)
    def status_after(table: sa.FromClause) -> sa.ColumnElement[str]:
        return table.c.details[("after", "status")].as_string()

    latest = (
        sa.select(AUDIT.c.entity_id, func.max(AUDIT.c.id).label("last_id"))
        .where(AUDIT.c.entity == "order", status_after(AUDIT).is_not(None))
        .group_by(AUDIT.c.entity_id)
        .subquery()
    )
    last_entry = AUDIT.alias("last_entry")
    mismatched = session.execute(
        sa.select(ORDER.code, ORDER.status, status_after(last_entry))
        .select_from(Order.__table__)  # type: ignore[attr-defined]
        .outerjoin(latest, latest.c.entity_id == ORDER.id)
        .outerjoin(last_entry, last_entry.c.id == latest.c.last_id)
        .where(sa.or_(latest.c.last_id.is_(None), status_after(last_entry) != ORDER.status))
        .limit(max(0, limit - len(problems)))
    )
    problems += [f"order {code} is {status} but its audit trail says {said}" for code, status, said in mismatched]
    return problems
