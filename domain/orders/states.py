"""The order state machine of DESIGN.md §3: the one table of legal transitions, and the one
function that moves an order (with its audit entry)."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from domain.notify.alerts import resolve_alert
from domain.notify.telegram import queue_telegram_alert
from domain.notify.whatsapp import wa_owner_sale
from domain.shared.audit import audit_row
from domain.shared.errors import IllegalTransition
from domain.shared.i18n import format_idr
from domain.shared.links import shop_link
from domain.shared.models import Order, OrderStatus
from domain.shared.shop_settings import SHOP_CONFIG
from infra import settings as config
from infra.changes import announce
from infra.rows import write_columns
from infra.types import utcnow

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
SOLD = frozenset({S.PENDING_STOCK, S.FULFILLED})  # a sale: the order entered one of these (not back from a refund)


def can_transition(current: str, target: str) -> bool:
    return OrderStatus(target) in ORDER_TRANSITIONS[OrderStatus(current)]


def announce_sale(*, session: Session, order: Order) -> None:
    """An order was just paid (accepted): every open admin page shows a notice (the change feed's `sale` topic),
    and the shop's Telegram chat is told when one is configured."""
    announce(session=session, topics=("sale", f"sale:{order.id}"))
    settings = config.get_settings()
    if settings.telegram_configured:
        amount = format_idr(order.paid_amount_idr or order.amount_idr)
        method = f" · {order.payment_method}" if order.payment_method else ""
        link = shop_link(f"/admin/orders/{order.code}")
        text = f"[AksesGPT] Pesanan baru dibayar: {order.code} · {amount}{method}\n\n{link}"
        row = queue_telegram_alert(
            session=session, chat_id=settings.TELEGRAM_CHAT_ID.strip(), key=f"sale:{order.code}", text=text
        )
        row.next_attempt_at = utcnow()
    owner_phone = SHOP_CONFIG.get(session=session).owner_whatsapp
    if owner_phone:  # the owner's own number, when WhatsApp is on (wa_owner_sale queues nothing when it is off)
        wa_owner_sale(
            session=session, owner_phone=owner_phone, order=order, link=shop_link(f"/admin/orders/{order.code}")
        )


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
    if to in SOLD and before not in SOLD:
        announce_sale(session=session, order=order)
    if before == OrderStatus.PENDING_STOCK:  # the orders behind it in its pool's line moved up one
        announce(session=session, topics=(f"queue:{order.pool}",))
        if order.refund_requested_at is not None and to == OrderStatus.FULFILLED:
            # served after asking for a refund: the alert's "still waiting for a seat" is over (the order page
            # says the customer asked, then got a seat)
            resolve_alert(session=session, key=f"refund_request:{order.code}")
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
