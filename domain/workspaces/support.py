""" "My access doesn't work" (issue #16 item 6): a customer's report from the order page, at most once per
REPORT_EVERY per order. On an automated workspace the shop looks for itself: a dead account's customer is moved
to a healthy one (or waits ahead of the stock queue), a healthy one is invited again (the worker looks at the
workspace first, so a member is not invited twice). Any other account opens a case for the owner."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlmodel import Session, col, func, select

from domain.notify.alerts import raise_alert
from domain.orders.locks import lock_order
from domain.seats.allocation import reseat, within_warranty
from domain.seats.provisioning import REPORTED, queue_invite
from domain.shared.audit import audit_row, snapshot
from domain.shared.errors import NotFound
from domain.shared.links import shop_link, token_hash_matches
from domain.shared.models import (
    DEAD,
    AccountAssignment,
    AssignmentStatus,
    ChatGPTAccount,
    Delivery,
    Health,
    Order,
    Product,
)
from domain.workspaces.health import HEALTH_WORDS

log = logging.getLogger("aksesgpt.workspaces")
REPORT_EVERY = timedelta(hours=3)
CUSTOMER = "customer"


class Next(StrEnum):
    """What follows a report (the order page words each one)."""

    CHECKING = "checking"  # an automated workspace: it is looked at and the customer invited again if missing
    MOVED = "moved"  # the account was dead: the customer has a seat on another one now
    WAITING = "waiting"  # the account is dead and the pool has no free seat: first in line for the next one
    CASE_OPENED = "case_opened"  # the owner was alerted and will get in touch
    TOO_SOON = "too_soon"  # reported within REPORT_EVERY: nothing done (retry_at says when)
    NO_SEAT = "no_seat"  # the order holds no active seat: nothing to check


@dataclass(frozen=True)
class ReportOutcome:
    next: Next
    retry_at: datetime | None = None  # when the order may report again


def last_report(*, session: Session, order_id: int) -> datetime | None:
    """The order's latest report, over all its seats (a move does not reset the throttle)."""
    return session.exec(
        select(func.max(AccountAssignment.access_reported_at)).where(AccountAssignment.order_id == order_id)
    ).one()


def next_report_at(reported_at: datetime | None) -> datetime | None:
    return reported_at + REPORT_EVERY if reported_at is not None else None


def report_access_problem(
    *, session: Session, order_code: str, token: str | None, now: datetime, ip: str | None = None
) -> ReportOutcome:
    """The customer behind the order link (`token`) says their access does not work. NotFound for an unknown
    code or a wrong token; a refused or throttled report writes nothing."""
    if not (order_code.isascii() and order_code.isprintable()):
        raise NotFound("order not found")
    order_id = session.exec(select(Order.id).where(Order.code == order_code)).first()
    order = lock_order(session=session, order_id=order_id) if order_id is not None else None
    if order is None or not token_hash_matches(order.access_token_hash, token):
        raise NotFound("order not found")
    # the lock order: the order row, then the seat's row, then (reseat) the pool and the accounts
    seat = session.exec(
        select(AccountAssignment)
        .where(AccountAssignment.order_id == order.id, AccountAssignment.status == AssignmentStatus.ACTIVE)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if seat is None:
        return ReportOutcome(Next.NO_SEAT)
    reported = last_report(session=session, order_id=order.id)  # type: ignore[arg-type]
    if reported is not None and now < reported + REPORT_EVERY:
        return ReportOutcome(Next.TOO_SOON, retry_at=reported + REPORT_EVERY)

    account = session.get(ChatGPTAccount, seat.chatgpt_account_id)
    assert account is not None
    before = snapshot(seat, "access_reported_at")
    seat.access_reported_at = now
    session.add(seat)
    session.flush()
    audit_row(
        seat,
        session=session,
        actor=CUSTOMER,
        action="assignment.access_reported",
        before=before,
        after=snapshot(seat, "access_reported_at"),
        ip=ip,
        order_code=order.code,
        account=account.email,
        health=account.health,
    )
    outcome = _handle(session, order, seat, account, now)
    log.info("access report order=%s account=%s next=%s", order.code, account.id, outcome.value)
    return ReportOutcome(outcome, retry_at=now + REPORT_EVERY)


def _handle(session: Session, order: Order, seat: AccountAssignment, account: ChatGPTAccount, now: datetime) -> Next:
    if account.health in DEAD:
        warranty = session.exec(select(Product.warranty_days).where(col(Product.id) == order.product_id)).first()
        if within_warranty(order=order, warranty_days=warranty, now=now):
            moved = reseat(session=session, old=seat, actor=CUSTOMER, reason="customer reported: account unhealthy")
            if moved is not None:
                return Next.MOVED
            if account.automated:
                return Next.WAITING  # seats_to_replace serves it first when a seat frees
    if account.automated and account.health not in DEAD:
        queue_invite(
            session=session,
            assignment_id=seat.id,  # type: ignore[arg-type]
            account_id=account.id,  # type: ignore[arg-type]
            email=seat.customer_email,
            reason=REPORTED,
            now=now,
        )
        return Next.CHECKING
    _open_case(session, order, seat, account, now)
    return Next.CASE_OPENED


def _open_case(session: Session, order: Order, seat: AccountAssignment, account: ChatGPTAccount, now: datetime) -> None:
    kind = "undangan workspace" if account.delivery == Delivery.INVITE else "login bersama"
    health = HEALTH_WORDS[Health(account.health)]
    raise_alert(
        session=session,
        key=f"access_problem:{order.code}",
        kind="access_problem",
        subject=f"Pesanan {order.code}: pelanggan melaporkan akses tidak berfungsi",
        message=f"Pelanggan pesanan {order.code} ({seat.customer_email}) melaporkan bahwa aksesnya tidak berfungsi. "
        f"Akun: {account.email} ({kind}, {health}). Periksa akunnya lalu hubungi pelanggan; "
        f"riwayat pesanan: {shop_link(f'/admin/orders/{order.code}')}",
        now=now,
    )
