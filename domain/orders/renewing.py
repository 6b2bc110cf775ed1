"""A paid renewal keeps the customer on their seat: an ACTIVE seat runs longer, a seat ended within the grace period
starts again on the same account; when that account cannot take them back, the renewal gets a seat elsewhere like a
new order and the customer is told so. Called by record_payment under the renewal order's row lock (exactly once)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from domain.notify.mail import queue_renewal_news
from domain.orders.locks import lock_pools
from domain.orders.states import transition_order
from domain.seats.allocation import Paid, fulfil_paid_order
from domain.seats.ending import ASSIGNMENT_FIELDS
from domain.seats.provisioning import queue_invite
from domain.seats.seats import take_seat
from domain.shared.audit import audit_row, snapshot
from domain.shared.models import (
    SELLABLE,
    AccountAssignment,
    AccountStatus,
    AssignmentStatus,
    ChatGPTAccount,
    Delivery,
    InviteState,
    Order,
    OrderStatus,
)
from domain.shared.shop_settings import SHOP_CONFIG
from infra.changes import announce
from infra.types import utcnow

log = logging.getLogger("aksesgpt.renewals")


def latest_seat(*, session: Session, order_id: int, lock: bool = False) -> AccountAssignment | None:
    """The order's most recent assignment (ACTIVE, or how its last one ended); `lock`: FOR UPDATE."""
    query = (
        select(AccountAssignment)
        .where(AccountAssignment.order_id == order_id)
        .order_by(col(AccountAssignment.id).desc())
        .limit(1)
    )
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    return session.exec(query).first()


def ended_within_grace(seat: AccountAssignment, *, now: datetime, grace_days: int) -> bool:
    """Whether an EXPIRED seat ended no longer than `grace_days` ago (a REVOKED one is never renewed)."""
    if seat.status != AssignmentStatus.EXPIRED:
        return False
    ended = seat.ended_at or seat.end_at
    return now - ended <= timedelta(days=grace_days)


def _back_on_account(session: Session, seat: AccountAssignment) -> ChatGPTAccount | None:
    """The seat's account, locked, when it is still in service with a free seat (else None)."""
    account = session.exec(
        select(ChatGPTAccount)
        .where(ChatGPTAccount.id == seat.chatgpt_account_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if account is None or account.health not in SELLABLE:
        return None
    if account.status != AccountStatus.AVAILABLE or account.seats_used >= account.capacity:
        return None
    return account


def fulfil_renewal(*, session: Session, order: Order, actor: str, paid: Paid | None = None) -> AccountAssignment | None:
    """Serve a locked, paid renewal order (renews_order_id set): extend or restart the first order's seat, or
    allocate like a new order when the old account cannot take the customer back. Returns the seat it served."""
    assert order.renews_order_id is not None
    first = session.get(Order, order.renews_order_id)
    # the seat row before the pool: the lock order of the expiry job and revokes
    seat = latest_seat(session=session, order_id=order.renews_order_id, lock=True)
    # asked again: on PostgreSQL a second statement sees a seat that another renewal of the same order committed
    # while this one waited for the lock above (two renewals paid at once must not both restart the seat)
    seat = latest_seat(session=session, order_id=order.renews_order_id, lock=True) or seat
    now = utcnow()
    grace = SHOP_CONFIG.get(session=session).renewal_grace_days
    reason = "no_seat"  # why the renewal cannot stay on the seat (the order was refunded, say)
    if first is not None and seat is not None and first.status == OrderStatus.FULFILLED:
        if seat.status == AssignmentStatus.ACTIVE:
            return _extend(session, order, first, seat, actor, paid, now)
        reason = "seat_revoked" if seat.status == AssignmentStatus.REVOKED else "past_grace"
        if ended_within_grace(seat, now=now, grace_days=grace):
            lock_pools(session=session, pools=[first.pool])
            account = _back_on_account(session, seat)
            if account is not None:
                return _restart(session, order, first, seat, account, actor, paid, now)
            reason = "account_unavailable"
    audit_row(
        order,
        session=session,
        actor=actor,
        action="order.renew_elsewhere",
        order_code=order.code,
        renews=first.code if first else None,
        reason=reason,
    )
    assignment = fulfil_paid_order(session=session, order=order, actor=actor, paid=paid)
    queue_renewal_news(session=session, order=order, first=first, seat=assignment, elsewhere=True)
    log.info("renewal outcome=elsewhere order=%s reason=%s", order.code, reason)
    return assignment


def _fulfilled(session: Session, order: Order, first: Order, actor: str, paid: Paid | None) -> None:
    transition_order(
        session=session,
        order=order,
        to=OrderStatus.FULFILLED,
        actor=actor,
        action="order.renew",
        columns=paid,
        renews=first.code,
    )


def _extend(
    session: Session,
    order: Order,
    first: Order,
    seat: AccountAssignment,
    actor: str,
    paid: Paid | None,
    now: datetime,
) -> AccountAssignment:
    before = snapshot(seat, "end_at")
    seat.end_at = max(seat.end_at, now) + timedelta(days=order.duration_days)
    seat.reminded_3d_at = seat.reminded_1d_at = None  # remind again before the new end
    session.add(seat)
    session.flush()
    _fulfilled(session, order, first, actor, paid)
    audit_row(
        seat,
        session=session,
        actor=actor,
        action="assignment.renew",
        before=before,
        after=snapshot(seat, "end_at"),
        order_code=first.code,
        renewal_code=order.code,
        days=order.duration_days,
    )
    queue_renewal_news(session=session, order=order, first=first, seat=seat)
    log.info("renewal outcome=extended order=%s first=%s seat=%s", order.code, first.code, seat.id)
    return seat


def _restart(
    session: Session,
    order: Order,
    first: Order,
    old: AccountAssignment,
    account: ChatGPTAccount,
    actor: str,
    paid: Paid | None,
    now: datetime,
) -> AccountAssignment:
    """A new ACTIVE seat of the first order on the account its ended seat was on, from now for the package's days."""
    seats_before = account.seats_used
    take_seat(account)
    seat = AccountAssignment(
        order_id=first.id,  # type: ignore[arg-type]
        chatgpt_account_id=account.id,  # type: ignore[arg-type]
        customer_email=old.customer_email,
        status=AssignmentStatus.ACTIVE,
        start_at=now,
        end_at=now + timedelta(days=order.duration_days),
        invite_state=InviteState.TO_INVITE if account.delivery == Delivery.INVITE else None,
    )
    session.add_all([account, seat])
    session.flush()
    if account.automated:
        queue_invite(
            session=session,
            assignment_id=seat.id,  # type: ignore[arg-type]
            account_id=account.id,  # type: ignore[arg-type]
            email=seat.customer_email,
            reason="renewal",
            now=now,
        )
    _fulfilled(session, order, first, actor, paid)
    audit_row(
        seat,
        session=session,
        actor=actor,
        action="assignment.create",
        after=snapshot(seat, *ASSIGNMENT_FIELDS),
        order_code=first.code,
        renewal_code=order.code,
        previous_assignment_id=old.id,
        account_seats={"before": seats_before, "after": account.seats_used},
    )
    queue_renewal_news(session=session, order=order, first=first, seat=seat)
    announce(session=session, topics=(f"order:{first.id}",))  # the first order's open page follows its new seat
    log.info("renewal outcome=restarted order=%s first=%s account=%s", order.code, first.code, account.id)
    return seat
