"""What the admin does with one order: its timeline, resending access, marking paid by hand, refunding."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session, and_, col, func, or_, select

from domain.notify.mail import queue_access_ready
from domain.orders.orders import PaymentResult, record_payment
from domain.seats.allocation import active_assignment
from domain.shared.audit import audit_row
from domain.shared.errors import Conflict, NotFound, ValidationFailed
from domain.shared.models import (
    AccountAssignment,
    AuditLog,
    ChatGPTAccount,
    EmailOutbox,
    EventOutcome,
    Order,
    OrderStatus,
    PaymentEvent,
)
from domain.shared.money import MANUAL_METHODS, check_amount, check_method, record_manual_payment
from domain.shared.validation import require_text


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    kind: str  # audit | payment | email
    title: str
    detail: dict[str, Any]
    event: str = ""  # the audit action, "payment" or "email"
    facts: dict[str, Any] = field(default_factory=dict)  # what a sentence about it needs (pages/admin/timeline.py)


PAID_ACTIONS = ("order.fulfil", "order.pending_stock", "order.review_accept")


def _audit_facts(entry: AuditLog, order: Order, accounts: dict[int, ChatGPTAccount]) -> dict[str, Any]:
    """The facts of one audit entry a sentence names: who, the payment, the seat's account and its fill, dates."""
    details = entry.details or {}
    after, before = details.get("after") or {}, details.get("before") or {}
    facts: dict[str, Any] = {"actor": entry.actor}
    for key in ("reason", "note"):
        if details.get(key):
            facts["reason"] = str(details[key])
    if entry.action == "assignment.revoke" and after.get("end_reason"):  # the admin's reason, told the customer
        facts.setdefault("reason", str(after["end_reason"]))
    if entry.action in PAID_ACTIONS or entry.action == "order.mark_paid":
        facts["method"] = order.payment_method or order.provider or ""
        facts["amount_idr"] = order.paid_amount_idr or order.amount_idr
    if entry.action == "order.checkout":
        facts["method"], facts["provider"] = str(details.get("method") or ""), str(details.get("provider") or "")
    if "status" in after:
        facts["from"], facts["to"] = before.get("status", ""), after["status"]
    account = accounts.get(after.get("chatgpt_account_id") or -1)
    if account is not None:
        facts["account"] = account.email
        facts["max_seats"] = account.capacity
    seats = details.get("account_seats")
    if isinstance(seats, dict) and "after" in seats:
        facts["seats_used"] = seats["after"]
    if after.get("end_at"):
        facts["end_at"] = after["end_at"]
    if after.get("invite_state"):
        facts["invite_state"] = after["invite_state"]
    return facts


def order_timeline(*, session: Session, order_id: int) -> list[TimelineEntry]:
    """Everything that happened to an order, oldest first: state changes, gateway events, seats, e-mails."""
    order = session.get(Order, order_id)
    if order is None:
        raise NotFound(f"unknown order id {order_id}")
    seat_ids = list(session.exec(select(AccountAssignment.id).where(AccountAssignment.order_id == order_id)))
    entries: list[TimelineEntry] = []
    audits = list(
        session.exec(
            select(AuditLog).where(
                or_(
                    and_(col(AuditLog.entity) == "order", col(AuditLog.entity_id) == order_id),
                    and_(col(AuditLog.entity) == "assignment", col(AuditLog.entity_id).in_(seat_ids or [-1])),
                )
            )
        )
    )
    account_ids = {(e.details.get("after") or {}).get("chatgpt_account_id") for e in audits if e.details}
    wanted = [i for i in account_ids if isinstance(i, int)]
    accounts = (
        {a.id or 0: a for a in session.exec(select(ChatGPTAccount).where(col(ChatGPTAccount.id).in_(wanted)))}
        if wanted
        else {}
    )
    for entry in audits:
        entries.append(
            TimelineEntry(
                entry.at,
                "audit",
                f"{entry.action} — {entry.actor}",
                entry.details,
                entry.action,
                _audit_facts(entry, order, accounts),
            )
        )
    for event in session.exec(select(PaymentEvent).where(PaymentEvent.order_id == order_id)):
        signature = "signature ok" if event.signature_valid else "BAD signature"
        title = f"{event.provider} callback: {event.outcome} ({signature})"
        entries.append(
            TimelineEntry(
                event.created_at,
                "payment",
                title,
                {"event_key": event.event_key, "detail": event.detail, "latency_ms": event.latency_ms},
                "payment",
                {"provider": event.provider, "outcome": event.outcome, "signature_valid": event.signature_valid},
            )
        )
    for mail in session.exec(select(EmailOutbox).where(EmailOutbox.order_id == order_id)):
        entries.append(
            TimelineEntry(
                mail.created_at,
                "email",
                f"e-mail {mail.kind}: {mail.status}",
                {
                    "to": mail.to,
                    "subject": mail.subject,
                    "attempts": mail.attempts,
                    "sent_at": mail.sent_at.isoformat() if mail.sent_at else None,
                    "last_error": mail.last_error,
                },
                "email",
                {"kind": mail.kind, "status": mail.status, "to": mail.to},
            )
        )
    return sorted(entries, key=lambda e: e.at)


def resend_access(*, session: Session, order_id: int, actor: str, ip: str | None = None) -> None:
    """Queue the access e-mail of the order's active seat again (the customer lost it)."""
    order = session.get(Order, order_id)
    if order is None:
        raise NotFound(f"unknown order id {order_id}")
    seat = active_assignment(session=session, order_id=order_id)
    if seat is None:
        raise Conflict(f"order {order.code} has no active seat to send")
    account = session.get(ChatGPTAccount, seat.chatgpt_account_id)
    assert account is not None
    queue_access_ready(
        session=session,
        order=order,
        seat=seat,
        account=account,
    )
    audit_row(order, session=session, actor=actor, action="order.resend_access", ip=ip, order_code=order.code)


def mark_paid_manually(
    *,
    session: Session,
    order_id: int,
    actor: str,
    reason: str,
    ip: str | None = None,
    amount_idr: int | None = None,
    method: str | None = None,
) -> PaymentResult:
    """The admin saw the money arrive: the same path as a PAID callback (the order is fulfilled at its price).

    Without `method` the money came through the gateway (seen in its dashboard): the order's paid amount counts
    as gateway revenue. With a manual `method` (cash, transfer…) the owner took `amount_idr` (default: the price)
    outside the gateways: a ManualPayment row of kind `order` records it, and the reports count that row instead."""
    reason = require_text(reason, "reason", 500, multiline=True)
    if method is None and amount_idr is not None:
        raise ValidationFailed("say how the money was paid (method) when giving an amount", field="method")
    if method is not None:
        check_method(method, MANUAL_METHODS)
    received = check_amount(amount_idr) if amount_idr is not None else None
    order = session.get(Order, order_id)
    if order is None:
        raise NotFound(f"unknown order id {order_id}")
    taken: dict[str, Any] = {}
    if method is not None:
        taken = {"method": method, "amount_idr": order.amount_idr if received is None else received}
    audit_row(
        order,
        session=session,
        actor=actor,
        action="order.mark_paid",
        ip=ip,
        order_code=order.code,
        reason=reason,
        **taken,
    )
    result = record_payment(session=session, order_id=order_id, amount_idr=order.amount_idr, actor=actor, ip=ip)
    if method is not None and result.outcome == EventOutcome.APPLIED:
        record_manual_payment(
            session=session,
            order=result.order,
            kind="order",
            amount_idr=order.amount_idr if received is None else received,
            method=method,
            actor=actor,
            note=reason,
            ip=ip,
        )
    return result


def waiting_for_stock(*, session: Session, pool: str | None = None) -> int:
    """How many paid orders wait for a free seat (in one pool, or in all)."""
    query = select(func.count()).select_from(Order).where(Order.status == OrderStatus.PENDING_STOCK)
    if pool is not None:
        query = query.where(Order.pool == pool)
    return int(session.exec(query).one())
