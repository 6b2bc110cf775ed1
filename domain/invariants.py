"""The invariants of DESIGN.md §4 as a check that lists every violation (empty = healthy)."""

from __future__ import annotations

from collections import Counter, defaultdict

from sqlmodel import Session, col, func, select

from domain.models import (
    AccountAssignment,
    AccountStatus,
    AssignmentStatus,
    AuditLog,
    ChatGPTAccount,
    Order,
    OrderStatus,
)


def check_invariants(*, session: Session) -> list[str]:
    """Every violation, one sentence each; the dashboard shows them and the tests require none."""
    problems: list[str] = []
    active = list(session.exec(select(AccountAssignment).where(AccountAssignment.status == AssignmentStatus.ACTIVE)))
    per_order = Counter(a.order_id for a in active)
    per_account = Counter(a.chatgpt_account_id for a in active)

    # 1. one paid order, at most one ACTIVE assignment
    problems += [f"order id {oid} has {n} ACTIVE assignments" for oid, n in per_order.items() if n > 1]

    # 2. seats_used = ACTIVE assignments <= capacity; ASSIGNED exactly when full
    free_by_pool: dict[str, int] = defaultdict(int)
    for acc in session.exec(select(ChatGPTAccount)):
        used = per_account.get(acc.id, 0)  # type: ignore[arg-type]
        if acc.seats_used != used:
            problems.append(f"account {acc.email}: seats_used={acc.seats_used} but {used} ACTIVE assignments")
        if acc.seats_used > acc.capacity:
            problems.append(f"account {acc.email}: {acc.seats_used} seats used over capacity {acc.capacity}")
        full = acc.seats_used >= acc.capacity
        if acc.status == AccountStatus.ASSIGNED and not full:
            problems.append(f"account {acc.email} is ASSIGNED with {acc.capacity - acc.seats_used} seat(s) free")
        if acc.status == AccountStatus.AVAILABLE:
            if full:
                problems.append(f"account {acc.email} is AVAILABLE but full")
            free_by_pool[acc.pool] += max(acc.capacity - acc.seats_used, 0)

    # 3. paid orders end fulfilled (with a seat) or pending_stock (served as soon as a seat exists)
    orders = {o.id: o for o in session.exec(select(Order))}
    for oid, order in orders.items():
        has_seat = per_order.get(oid, 0) > 0  # type: ignore[arg-type]
        if has_seat and order.status != OrderStatus.FULFILLED:
            problems.append(f"order {order.code} is {order.status} but holds an ACTIVE seat")
        if order.status == OrderStatus.FULFILLED and not _ever_assigned(session, oid):  # type: ignore[arg-type]
            problems.append(f"order {order.code} is fulfilled without any assignment")
        if order.status == OrderStatus.PENDING_STOCK and free_by_pool.get(order.pool, 0) > 0:
            problems.append(f"order {order.code} waits for stock while pool {order.pool!r} has free seats")

    # 4. every order's current status was written with an audit entry
    latest: dict[int, str] = {}
    entries = session.exec(select(AuditLog).where(AuditLog.entity == "order").order_by(col(AuditLog.id)))
    for entry in entries:
        status = (entry.details.get("after") or {}).get("status")
        if status and entry.entity_id is not None:
            latest[entry.entity_id] = status
    for oid, order in orders.items():
        if latest.get(oid) != order.status:  # type: ignore[arg-type]
            problems.append(f"order {order.code} is {order.status} but its audit trail says {latest.get(oid)}")  # type: ignore[arg-type]
    return problems


def _ever_assigned(session: Session, order_id: int) -> bool:
    query = select(func.count()).select_from(AccountAssignment).where(AccountAssignment.order_id == order_id)
    return bool(session.exec(query).one())
