"""Reconciliation: ask the gateways about orders still unpaid and apply their answers through the
callback path, so a lost callback never strands a paying customer."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from domain.orders.orders import PaymentResult, expire_order
from domain.payments.gateway import (
    PaymentGateway,
    PaymentStatus,
    TransactionState,
)
from domain.payments.notices import apply_gateway_state
from domain.shared.models import EventOutcome, Order, OrderStatus
from infra import db
from infra.types import utcnow

log = logging.getLogger("aksesgpt.webhooks")


def _unpaid_orders(*conditions: sa.ColumnElement[bool], by: Any, limit: int) -> list[Order]:
    with db.read_session() as session:
        query = select(Order).where(Order.status == OrderStatus.PENDING_PAYMENT, *conditions)
        return list(session.exec(query.order_by(col(by)).limit(limit)))


def overdue_unpaid_orders(*, now: datetime, limit: int) -> list[Order]:
    """Unpaid orders whose payment deadline has passed, the most overdue first."""
    return _unpaid_orders(
        col(Order.payment_expires_at).is_not(None),
        col(Order.payment_expires_at) <= now,
        by=Order.payment_expires_at,
        limit=limit,
    )


@dataclass(frozen=True)
class ReconcileReport:
    checked: int
    applied: int
    errors: int
    confirmed_unpaid: frozenset[int] = frozenset()  # orders the gateway said are still unpaid


def reconcile_unpaid(
    *,
    gateways: dict[str, PaymentGateway],
    older_than: timedelta = timedelta(minutes=15),
    limit: int = 50,
    now: datetime | None = None,
) -> ReconcileReport:
    """Ask the gateway about orders still unpaid after `older_than`, and apply what it says
    through the callback path, so a lost callback never strands a paying customer."""
    cutoff = (now or utcnow()) - older_than
    orders = _unpaid_orders(
        col(Order.provider_reference).is_not(None), col(Order.created_at) <= cutoff, by=Order.created_at, limit=limit
    )
    applied = errors = 0
    unpaid: set[int] = set()
    for order in orders:
        gateway = gateways.get(order.provider or "")
        if gateway is None:
            continue
        try:
            state = gateway.transaction_state(reference=order.provider_reference or "", merchant_ref=order.code)
            if state.status == PaymentStatus.UNPAID:
                unpaid.add(order.id)  # type: ignore[arg-type]
                continue
            result = db.in_transaction(_applier(state, "reconciler"))
        except Exception as exc:  # one order or gateway hiccup must not stop the others (retried next run)
            errors += 1
            log.warning("reconcile order=%s outcome=error reason=%s", order.code, getattr(exc, "message", exc))
            continue
        applied += result.outcome == EventOutcome.APPLIED
        log.info("reconcile order=%s status=%s outcome=%s", order.code, state.status, result.outcome)
    return ReconcileReport(checked=len(orders), applied=applied, errors=errors, confirmed_unpaid=frozenset(unpaid))


def _applier(state: TransactionState, actor: str) -> Callable[[Session], PaymentResult]:
    return lambda session: apply_gateway_state(session=session, state=state, actor=actor)


def settle_deadline(*, gateways: dict[str, PaymentGateway], order_id: int, now: datetime | None = None) -> str:
    """An unpaid order's payment deadline has come (its open page asks, so the customer sees the answer at the
    deadline rather than at the expiry job's next run): the gateway is asked first, a payment it knows of is
    applied, and the order expires only when the gateway confirms it unpaid (or it never reached one). A failed
    check raises and leaves the order to the next try, as in `expire_unpaid_orders`."""
    now = now or utcnow()
    with db.read_session() as session:
        order = session.get(Order, order_id)
    deadline = order.payment_expires_at if order is not None else None
    if order is None or order.status != OrderStatus.PENDING_PAYMENT or deadline is None or deadline > now:
        return "not due"
    if order.provider_reference:
        gateway = gateways.get(order.provider or "")
        if gateway is None:
            return "no gateway"
        state = gateway.transaction_state(reference=order.provider_reference, merchant_ref=order.code)
        if state.status != PaymentStatus.UNPAID:
            result = db.in_transaction(_applier(state, "deadline"))
            log.info("deadline order=%s status=%s outcome=%s", order.code, state.status, result.outcome)
            return str(result.outcome)
    result = db.in_transaction(lambda session: expire_order(session=session, order_id=order_id, actor="deadline"))
    return str(result.outcome)
