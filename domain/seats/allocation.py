"""Seat allocation (DESIGN.md §4): pack the fullest account that still has room, serve
`pending_stock` first-come-first-served, all under row locks in the caller's write transaction."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from domain.notify.alerts import raise_alert
from domain.notify.mail import queue_access_ready, queue_pending_stock
from domain.orders.locks import lock_pools
from domain.orders.states import transition_order
from domain.seats.ending import ASSIGNMENT_FIELDS, end_assignment
from domain.seats.provisioning import is_automated, queue_invite
from domain.seats.seats import status_after_taking, take_seat, take_seat_row
from domain.shared.audit import audit_row, snapshot
from domain.shared.errors import Conflict, NotFound, ValidationFailed
from domain.shared.models import (
    DEAD,
    AccountAssignment,
    AccountStatus,
    AssignmentStatus,
    ChatGPTAccount,
    Delivery,
    Health,
    InviteState,
    Order,
    OrderStatus,
    Product,
)
from infra.metrics import ALLOCATION_LATENCY
from infra.rows import attach_inserted, forget_columns, insert_object, table_of
from infra.types import utcnow

log = logging.getLogger("aksesgpt.allocation")
_capacity = func.coalesce(ChatGPTAccount.max_seats, 1)
Paid = dict[str, Any]  # the payment's own columns (paid_at, paid_amount_idr), written with the order's new status
_NO_WAITING = "aksesgpt.pools_without_waiting"  # pools locked and seen with no order waiting for stock


@dataclass(frozen=True)
class PickedAccount:
    """The account row chosen for the next seat (locked), as read in the allocating transaction."""

    id: int
    email: str
    delivery: str
    display_name: str
    password_enc: str
    status: str
    seats_used: int
    max_seats: int | None
    driver: str

    @property
    def capacity(self) -> int:
        return self.max_seats if self.max_seats is not None else 1


_ACCOUNTS = table_of(ChatGPTAccount)
_A = _ACCOUNTS.c
# written out as in the index ix_chatgpt_accounts_pick (models.py), with the 1 inline rather than a bound
# parameter, so that SQLite and PostgreSQL's prepared plans both read that index in order
# a dead workspace (or one whose token lapsed) sells nothing; FULL ones have had their capacity lowered instead
_SELLABLE_HEALTH = sa.or_(_A.health == sa.literal_column("'OK'"), _A.health == sa.literal_column("'FULL'"))
_SEATS_LEFT = func.coalesce(_A.max_seats, sa.literal_column("1")) - _A.seats_used
_PICK = (
    sa.select(
        _A.id,
        _A.email,
        _A.delivery,
        _A.display_name,
        _A.password_enc,
        _A.status,
        _A.seats_used,
        _A.max_seats,
        _A.driver,
    )
    .where(
        _A.pool == sa.bindparam("pick_pool"),  # not "pool": in the seat statement that would name a column to SET
        _A.status == AccountStatus.AVAILABLE.value,
        _A.seats_used < func.coalesce(_A.max_seats, sa.literal_column("1")),
        _SELLABLE_HEALTH,
    )
    # fullest first, then the one with the fewest seats left, so whole accounts stay free
    .order_by(_A.seats_used.desc(), _SEATS_LEFT.asc(), _A.id)
    .limit(1)
    .with_for_update()
)
_PICK_ELSEWHERE = _PICK.where(_A.id != sa.bindparam("exclude_id"))  # moving a customer: any account but theirs
# PostgreSQL: pick, take and assign the seat in one statement (one round trip instead of three). The same
# pick as _PICK; the new status by seats.status_after_taking; the assignment's values are bound from an object
# built in Python, but for the account (the picked one) and the invite state (from its delivery).
_ASSIGNMENTS = table_of(AccountAssignment)
_PICKED = _PICK.cte("picked")
_TAKEN = (
    sa.update(_ACCOUNTS)
    .where(_A.id == _PICKED.c.id)
    .values(seats_used=_A.seats_used + 1, status=status_after_taking(_ACCOUNTS), updated_at=sa.bindparam("now"))
    .returning(_A.id, _A.seats_used)
    .cte("taken")
)
_SEAT_FROM_ROW = ("chatgpt_account_id", "invite_state")
_SEAT_BOUND = [c for c in _ASSIGNMENTS.c if c.key != "id" and c.key not in _SEAT_FROM_ROW]
_SEAT = (
    sa.insert(_ASSIGNMENTS)
    .from_select(
        [c.key for c in _SEAT_BOUND] + list(_SEAT_FROM_ROW),
        sa.select(
            *(sa.bindparam(f"seat_{c.key}", type_=c.type) for c in _SEAT_BOUND),
            _TAKEN.c.id,
            sa.case(
                (_PICKED.c.delivery == Delivery.INVITE.value, sa.literal(InviteState.TO_INVITE.value)),
                else_=sa.null(),
            ),
        ).select_from(_TAKEN.join(_PICKED, _PICKED.c.id == _TAKEN.c.id)),
    )
    .returning(_ASSIGNMENTS.c.id, _ASSIGNMENTS.c.invite_state)
    .cte("seat")
)
_PICK_TAKE_ASSIGN = sa.select(
    *_PICKED.c,
    _TAKEN.c.seats_used.label("seats_after"),
    _SEAT.c.id.label("assignment_id"),
    _SEAT.c.invite_state.label("assignment_invite_state"),
).select_from(_PICKED.join(_TAKEN, _TAKEN.c.id == _PICKED.c.id).join(_SEAT, sa.true()))
_WAITING = (
    sa.select(table_of(Order).c.id)
    .where(
        table_of(Order).c.status == OrderStatus.PENDING_STOCK.value,
        table_of(Order).c.pool == sa.bindparam("pool"),
        table_of(Order).c.id != sa.bindparam("order_id"),
    )
    .limit(1)
)


def free_seats(*, session: Session, pool: str | None = None) -> int:
    """Seats free right now on AVAILABLE accounts (of one pool, or all)."""
    query = select(func.coalesce(func.sum(_capacity - ChatGPTAccount.seats_used), 0)).where(
        ChatGPTAccount.status == AccountStatus.AVAILABLE, col(ChatGPTAccount.health).in_([Health.OK, Health.FULL])
    )
    if pool is not None:
        query = query.where(ChatGPTAccount.pool == pool)
    return int(session.exec(query).one())


def find_seat(*, session: Session, pool: str, exclude_id: int | None = None) -> PickedAccount | None:
    """Lock the account of `pool` that should take the next seat (not `exclude_id`), or None when the pool is
    full. The caller holds the pool lock, so the pick cannot race another allocation in the pool."""
    if exclude_id is not None:
        row = session.connection().execute(_PICK_ELSEWHERE, {"pick_pool": pool, "exclude_id": exclude_id}).first()
    else:
        row = session.connection().execute(_PICK, {"pick_pool": pool}).first()
    return PickedAccount(**row._mapping) if row is not None else None


def active_assignment(*, session: Session, order_id: int) -> AccountAssignment | None:
    query = select(AccountAssignment).where(
        AccountAssignment.order_id == order_id, AccountAssignment.status == AssignmentStatus.ACTIVE
    )
    return session.exec(query).first()


def _wait_for_stock(session: Session, order: Order, actor: str, paid: Paid | None) -> None:
    """Queue a paid order for the next free seat, tell the customer, and alert the admins."""
    session.info.get(_NO_WAITING, set()).discard(order.pool)
    transition_order(
        session=session,
        order=order,
        to=OrderStatus.PENDING_STOCK,
        actor=actor,
        action="order.pending_stock",
        columns=paid,
    )
    queue_pending_stock(session=session, order=order)
    raise_alert(
        session=session,
        key=f"pending_stock:{order.pool}",
        kind="pending_stock",
        subject=f"Pesanan menunggu stok di pool {order.pool}",
        message=f"Pesanan {order.code} sudah dibayar tetapi pool {order.pool!r} penuh. Tambahkan akun atau "
        "kursi; pesanan yang menunggu dilayani otomatis.",
    )
    log.warning("allocation outcome=pending_stock order=%s pool=%s", order.code, order.pool)


def allocate_seat(*, session: Session, order: Order, actor: str, paid: Paid | None = None) -> AccountAssignment | None:
    """Give a locked, paid order one seat: fulfilled with its assignment, or pending_stock and None.

    The order is paid and not yet served (the state machine guarantees it holds no ACTIVE seat, and
    the partial unique index on ACTIVE assignments per order backs that up)."""
    with ALLOCATION_LATENCY.time():
        return _allocate(session=session, order=order, actor=actor, paid=paid)


def _allocate(*, session: Session, order: Order, actor: str, paid: Paid | None) -> AccountAssignment | None:
    if session.new or session.dirty:
        session.flush()  # the seat is read and taken with Core statements: they must see the caller's changes
    lock_pools(session=session, pools=[order.pool])
    now = utcnow()
    assignment = AccountAssignment(
        order_id=order.id,  # type: ignore[arg-type]
        chatgpt_account_id=0,  # the account taken, below
        customer_email=order.email,
        status=AssignmentStatus.ACTIVE,
        start_at=now,
        end_at=now + timedelta(days=order.duration_days),
        created_at=now,
        updated_at=now,
    )
    taken = _take_seat(session=session, pool=order.pool, assignment=assignment, now=now)
    if taken is None:
        if order.status != OrderStatus.PENDING_STOCK:
            _wait_for_stock(session, order, actor, paid)
        return None
    account, seats_after = taken
    if is_automated(delivery=account.delivery, driver=account.driver):
        queue_invite(
            session=session,
            assignment_id=assignment.id,  # type: ignore[arg-type]
            account_id=account.id,
            email=assignment.customer_email,
            reason="sale",
            now=now,
        )
    transition_order(
        session=session, order=order, to=OrderStatus.FULFILLED, actor=actor, action="order.fulfil", columns=paid
    )
    queue_access_ready(
        session=session,
        order=order,
        seat=assignment,
        account=account,
    )
    audit_row(
        assignment,
        session=session,
        actor=actor,
        action="assignment.create",
        after=snapshot(assignment, *ASSIGNMENT_FIELDS),
        order_code=order.code,
        account_seats={"before": account.seats_used, "after": seats_after},
    )
    log.info(
        "allocation outcome=fulfilled order=%s account=%s seats=%s/%s",
        order.code,
        account.id,
        seats_after,
        account.capacity,
    )
    return assignment


def _take_seat(
    *, session: Session, pool: str, assignment: AccountAssignment, now: datetime
) -> tuple[PickedAccount, int] | None:
    """Pick the pool's next seat, take it, and insert `assignment` on it (attached to the session with its
    account and invite state filled in); the account as picked and its seats used after. None when the
    pool is full. One statement on PostgreSQL, three elsewhere."""
    if session.get_bind().dialect.name == "postgresql":
        values = {f"seat_{c.key}": getattr(assignment, c.key) for c in _SEAT_BOUND}
        row = session.connection().execute(_PICK_TAKE_ASSIGN, {"pick_pool": pool, "now": now, **values}).first()
        if row is None:
            return None
        fields = row._mapping
        account = PickedAccount(**{name: fields[name] for name in PickedAccount.__dataclass_fields__})
        assignment.chatgpt_account_id, assignment.invite_state = account.id, fields["assignment_invite_state"]
        attach_inserted(session=session, obj=assignment, row_id=fields["assignment_id"])
        forget_columns(
            session=session, model=ChatGPTAccount, row_id=account.id, columns=["seats_used", "status", "updated_at"]
        )
        return account, int(fields["seats_after"])
    picked = find_seat(session=session, pool=pool)
    if picked is None:
        return None
    seats_after = take_seat_row(session=session, account=picked)
    assignment.chatgpt_account_id = picked.id
    assignment.invite_state = InviteState.TO_INVITE if picked.delivery == Delivery.INVITE else None
    insert_object(session=session, obj=assignment)
    return picked, seats_after


def older_orders_waiting(*, session: Session, order: Order) -> bool:
    """Whether paid orders of the same pool already wait for stock (they go first). The caller holds
    the pool lock, and only holders of it make orders wait: once seen empty in this transaction, a
    pool stays empty until this transaction makes an order wait there."""
    empty: set[str] = session.info.setdefault(_NO_WAITING, set())
    if order.pool in empty:
        return False
    found = session.connection().execute(_WAITING, {"pool": order.pool, "order_id": order.id}).first()
    if found is None:
        empty.add(order.pool)
    return found is not None


def fulfil_paid_order(
    *, session: Session, order: Order, actor: str, paid: Paid | None = None
) -> AccountAssignment | None:
    """Allocate for a freshly paid order without jumping the queue of orders already waiting."""
    lock_pools(session=session, pools=[order.pool])
    if older_orders_waiting(session=session, order=order) or _replacements_waiting(session, order.pool):
        _wait_for_stock(session, order, actor, paid)
        serve_pending_stock(session=session, actor=actor, pool=order.pool)
        return active_assignment(session=session, order_id=order.id)  # type: ignore[arg-type]
    return allocate_seat(session=session, order=order, actor=actor, paid=paid)


def serve_pending_stock(
    *, session: Session, actor: str, pool: str | None = None, limit: int = 100
) -> list[AccountAssignment]:
    """Serve waiting orders oldest-paid first while seats exist; at most `limit` in one call."""
    pools = (
        [pool]
        if pool is not None
        else sorted(
            set(session.exec(select(Order.pool).where(Order.status == OrderStatus.PENDING_STOCK).distinct()))
            | set(session.exec(_POOLS_WITH_DEAD_SEATS))
        )
    )
    lock_pools(session=session, pools=pools)
    served: list[AccountAssignment] = []
    for name in pools:
        served.extend(reseat_waiting(session=session, pool=name, actor=actor, limit=limit))
        while len(served) < limit:
            query = (
                select(Order)
                .where(Order.status == OrderStatus.PENDING_STOCK, Order.pool == name)
                .order_by(col(Order.paid_at), col(Order.id))
                .limit(1)
                .with_for_update(skip_locked=True)
                .execution_options(populate_existing=True)
            )
            order = session.exec(query).first()
            if order is None:
                break
            assignment = allocate_seat(session=session, order=order, actor=actor)
            if assignment is None:
                break
            served.append(assignment)
    return served


def reseat(
    *,
    session: Session,
    old: AccountAssignment,
    actor: str,
    reason: str,
    to_account_id: int | None = None,
    ip: str | None = None,
) -> AccountAssignment | None:
    """Move the customer of a locked ACTIVE assignment to another account of the same pool, keeping the end
    date: to `to_account_id`, or to the seat allocation would pick (None when the pool has no free seat). The
    old seat is revoked with the reason, the new one starts, and the customer is told what changed."""
    pool = session.exec(select(ChatGPTAccount.pool).where(ChatGPTAccount.id == old.chatgpt_account_id)).one()
    lock_pools(session=session, pools=[pool])
    if to_account_id is None:
        picked = find_seat(session=session, pool=pool, exclude_id=old.chatgpt_account_id)
        if picked is None:
            return None
        to_account_id = picked.id
    target_pool = session.exec(select(ChatGPTAccount.pool).where(ChatGPTAccount.id == to_account_id)).first()
    if target_pool is not None and target_pool != pool:  # checked before locking a row outside our pool lock
        raise Conflict(f"account {to_account_id} serves pool {target_pool!r}, not {pool!r}")
    target = session.exec(
        select(ChatGPTAccount)
        .where(ChatGPTAccount.id == to_account_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if target is None:
        raise NotFound(f"unknown account {to_account_id}")
    if target.id == old.chatgpt_account_id:
        raise ValidationFailed("the customer is already on that account", field="to_account_id")
    if target.health in DEAD or target.health == Health.TOKEN_EXPIRED:
        raise Conflict(f"account {target.email} is {target.health}; it takes no customers")
    take_seat(target)  # refuses a full, suspended or retired account
    end_assignment(session, old, AssignmentStatus.REVOKED, actor, "assignment.move_out", f"moved: {reason}", ip)
    new = AccountAssignment(
        order_id=old.order_id,
        chatgpt_account_id=target.id,  # type: ignore[arg-type]
        customer_email=old.customer_email,
        status=AssignmentStatus.ACTIVE,
        start_at=old.start_at,
        end_at=old.end_at,
        invite_state=InviteState.TO_INVITE if target.delivery == Delivery.INVITE else None,
        reminded_3d_at=old.reminded_3d_at,
        reminded_1d_at=old.reminded_1d_at,
    )
    session.add_all([target, new])
    session.flush()
    if target.automated:
        queue_invite(
            session=session,
            assignment_id=new.id,  # type: ignore[arg-type]
            account_id=target.id,  # type: ignore[arg-type]
            email=new.customer_email,
            reason="move",
        )
    audit_row(
        new,
        session=session,
        actor=actor,
        action="assignment.move",
        before={"assignment_id": old.id, "chatgpt_account_id": old.chatgpt_account_id},
        after=snapshot(new, *ASSIGNMENT_FIELDS),
        ip=ip,
        reason=reason,
    )
    order = session.get(Order, new.order_id)
    if order is not None:
        queue_access_ready(session=session, order=order, seat=new, account=target, moved=True)
    log.info("allocation outcome=moved order=%s from=%s to=%s", new.order_id, old.chatgpt_account_id, target.id)
    return new


def within_warranty(*, order: Order, warranty_days: int | None, now: datetime) -> bool:
    """Whether a customer of a dead account is still owed a replacement: the package's warranty counts from
    the payment; without one, the whole paid period is covered."""
    if warranty_days is None:
        return True
    started = order.paid_at or order.created_at
    return now < started + timedelta(days=warranty_days)


_DEAD_WITH_CUSTOMERS = (
    sa.select(_A.id)
    .where(
        _A.pool == sa.bindparam("pool"),
        _A.health.in_([h.value for h in DEAD]),
        _A.seats_used > 0,
    )
    .limit(1)
)


_POOLS_WITH_DEAD_SEATS = (
    select(ChatGPTAccount.pool)
    .where(col(ChatGPTAccount.health).in_(list(DEAD)), col(ChatGPTAccount.seats_used) > 0)
    .distinct()
)


def _replacements_waiting(session: Session, pool: str) -> bool:
    """Whether customers of a dead account in `pool` wait for a seat (they paid before any new buyer)."""
    if session.connection().execute(_DEAD_WITH_CUSTOMERS, {"pool": pool}).first() is None:
        return False  # the common case: one indexed probe
    return bool(seats_to_replace(session=session, pool=pool))


def seats_to_replace(*, session: Session, pool: str, now: datetime | None = None) -> list[AccountAssignment]:
    """ACTIVE seats on dead accounts of `pool` still within their package's warranty, longest-paid first; they
    come before the stock queue (their customers paid before anyone waiting)."""
    if session.connection().execute(_DEAD_WITH_CUSTOMERS, {"pool": pool}).first() is None:
        return []
    now = now or utcnow()
    rows = session.exec(
        select(AccountAssignment, Order, Product.warranty_days)
        .join(ChatGPTAccount, col(ChatGPTAccount.id) == AccountAssignment.chatgpt_account_id)
        .join(Order, col(Order.id) == AccountAssignment.order_id)
        .join(Product, col(Product.id) == Order.product_id)
        .where(
            AccountAssignment.status == AssignmentStatus.ACTIVE,
            ChatGPTAccount.pool == pool,
            col(ChatGPTAccount.health).in_(list(DEAD)),
        )
        .order_by(col(Order.paid_at), col(AccountAssignment.id))
    ).all()
    return [seat for seat, order, warranty in rows if within_warranty(order=order, warranty_days=warranty, now=now)]


def reseat_waiting(*, session: Session, pool: str, actor: str, limit: int = 100) -> list[AccountAssignment]:
    """Move the customers of dead accounts in `pool` to healthy ones while seats exist (the caller holds the
    pool lock); those left wait for the next freed seat, ahead of the stock queue."""
    moved: list[AccountAssignment] = []
    for seat in seats_to_replace(session=session, pool=pool)[:limit]:
        locked = session.exec(
            select(AccountAssignment)
            .where(AccountAssignment.id == seat.id, AccountAssignment.status == AssignmentStatus.ACTIVE)
            .with_for_update(skip_locked=True)
            .execution_options(populate_existing=True)
        ).first()
        if locked is None:
            continue
        new = reseat(session=session, old=locked, actor=actor, reason="account unhealthy: replacement")
        if new is None:
            break
        moved.append(new)
    return moved
