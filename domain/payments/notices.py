"""Applying what a gateway says of a transaction: callbacks, reconciliation and admins take this one path."""

from __future__ import annotations

from dataclasses import replace

import sqlalchemy as sa
from sqlmodel import Session, col

from domain.notify.alerts import raise_alert
from domain.orders.locks import lock_order_where, locked_order_by_code
from domain.orders.orders import PaymentResult, expire_order, fail_order, record_payment, refund_order
from domain.orders.states import PAID_STATES
from domain.payments.gateway import PaymentGateway, PaymentStatus, TransactionState
from domain.shared.errors import NotFound, ValidationFailed
from domain.shared.models import EventOutcome, Order, OrderStatus
from domain.shared.money import GATEWAY

# a notice that moves money is checked with the gateway's status API before it is applied, where the notice's
# signature does not cover its status (Midtrans signs order_id, status_code and gross_amount only)
CONFIRM_FIRST = frozenset({PaymentStatus.PAID, PaymentStatus.REFUND})


def confirmed_state(state: TransactionState, gateway: PaymentGateway) -> TransactionState:
    """The notice as the gateway's status API tells it now: its status, amount and payment time replace
    what the notice claims. Raises GatewayError when the gateway cannot be asked (the notice is delivered again)."""
    answer = gateway.transaction_state(reference=state.reference, merchant_ref=state.merchant_ref)
    return replace(
        state,
        status=answer.status,
        amount_idr=answer.amount_idr if answer.amount_idr is not None else state.amount_idr,
        paid_at=answer.paid_at or state.paid_at,
    )


def find_order_for(*, session: Session, state: TransactionState) -> Order | None:
    """The order a gateway notice is about, locked for the rest of the transaction."""
    if state.merchant_ref:
        order = locked_order_by_code(session=session, code=state.merchant_ref)
        if order is not None:
            return order
        order = lock_order_where(session=session, condition=col(Order.code) == state.merchant_ref)
        if order is not None:
            return order
    return lock_order_where(
        session=session,
        condition=sa.and_(col(Order.provider) == state.provider, col(Order.provider_reference) == state.reference),
    )


def apply_gateway_state(*, session: Session, state: TransactionState, actor: str) -> PaymentResult:
    """Apply a gateway's word on a transaction: PAID fulfils (or queues, or holds a wrong amount for
    review), EXPIRED/FAILED close an unpaid order, REFUND revokes the seat. Stale or out-of-order
    news is ignored; repeated news is a duplicate. One path for callbacks, polling and admins."""
    order = find_order_for(session=session, state=state)
    if order is None:
        raise NotFound(f"no order for {state.provider} transaction {state.reference}")
    order_id = order.id
    assert order_id is not None
    current = order.provider == state.provider and order.provider_reference == state.reference
    if state.status == PaymentStatus.PAID:
        if state.amount_idr is None:
            raise ValidationFailed("a PAID notice without an amount cannot be applied", field="amount")
        # money arrived, even on an older transaction of this order (e.g. before a failover): honour it
        result = record_payment(
            session=session,
            order_id=order_id,
            amount_idr=state.amount_idr,
            actor=actor,
            paid_at=state.paid_at,
            fee_idr=state.fee_idr,
        )
        if result.outcome == EventOutcome.DUPLICATE and not current:
            # paid already, and now paid again on another transaction: the customer paid twice
            raise_alert(
                session=session,
                key=f"double_payment:{order.code}:{state.reference}",
                kind="double_payment",
                subject=f"Pembayaran ganda: {order.code}",
                message=f"Pesanan {order.code} sudah dibayar, lalu {state.provider} melaporkan pembayaran "
                f"lain ({state.reference}, {state.amount_idr} rupiah). Kembalikan salah satunya.",
            )
            return PaymentResult(
                EventOutcome.DUPLICATE,
                result.order,
                result.assignment,
                "paid again on another transaction: admins alerted",
            )
        return result
    if not current:
        return PaymentResult(EventOutcome.IGNORED, order, None, "not the order's current transaction")
    if state.status == PaymentStatus.EXPIRED:
        return expire_order(session=session, order_id=order_id, actor=actor)
    if state.status == PaymentStatus.FAILED:
        return fail_order(session=session, order_id=order_id, actor=actor)
    if state.status == PaymentStatus.REFUND:
        if order.status == OrderStatus.REFUNDED:
            return PaymentResult(EventOutcome.DUPLICATE, order, None, "already refunded")
        if order.status not in PAID_STATES:
            return PaymentResult(EventOutcome.IGNORED, order, None, f"refund for an order that is {order.status}")
        refund_order(session=session, order_id=order_id, actor=actor, reason=f"{state.provider} refund", method=GATEWAY)
        return PaymentResult(EventOutcome.APPLIED, order, None, "refunded")
    return PaymentResult(EventOutcome.IGNORED, order, None, f"status {state.status} needs no action")
