"""The order state machine of DESIGN.md §3: the one table of legal transitions, and the one
function that moves an order (with its audit entry)."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from domain.shared.audit import audit_row
from domain.shared.errors import IllegalTransition
from domain.shared.models import Order, OrderStatus
from infra.rows import write_columns

S = OrderStatus
_PAID_TARGETS = {S.FULFILLED, S.PENDING_STOCK, S.PAYMENT_REVIEW}

ORDER_TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    S.PENDING_PAYMENT: frozenset(_PAID_TARGETS | {S.PAYMENT_EXPIRED, S.PAYMENT_FAILED}),
    # a late PAID after local expiry or a failure notice is honoured: the customer paid
    S.PAYMENT_EXPIRED: frozenset(_PAID_TARGETS),
    S.PAYMENT_FAILED: frozenset(_PAID_TARGETS),
    S.PAYMENT_REVIEW: frozenset({S.FULFILLED, S.PENDING_STOCK, S.REFUNDED}),
    S.PENDING_STOCK: frozenset({S.FULFILLED, S.REFUNDED}),
    S.FULFILLED: frozenset({S.REFUNDED}),
    S.REFUNDED: frozenset(),
}

# States in which money has been received and not returned.
PAID_STATES = frozenset({S.PENDING_STOCK, S.FULFILLED, S.PAYMENT_REVIEW})
# States from which a PAID notice starts fulfilment.
AWAITING_PAYMENT = frozenset({S.PENDING_PAYMENT, S.PAYMENT_EXPIRED, S.PAYMENT_FAILED})


def can_transition(current: str, target: str) -> bool:
    return OrderStatus(target) in ORDER_TRANSITIONS[OrderStatus(current)]


def transition_order(
    *,
    session: Session,
    order: Order,
    to: OrderStatus,
    actor: str,
    action: str,
    ip: str | None = None,
    columns: dict[str, Any] | None = None,
    **extra: Any,
) -> Order:
    """Move an order to `to`, refusing anything the table does not allow; written at once (with any
    other `columns` that change with it, in the same UPDATE) and audited in the same transaction."""
    before = order.status
    if not can_transition(before, to):
        raise IllegalTransition(
            f"order {order.code} cannot go from {before} to {to.value}",
            order=order.code,
            current=before,
            target=to.value,
        )
    write_columns(session=session, obj=order, **(columns or {}), status=to.value)
    audit_row(
        order,
        session=session,
        actor=actor,
        action=action,
        before={"status": before},
        after={"status": to.value},
        ip=ip,
        order_code=order.code,
        **extra,
    )
    return order
