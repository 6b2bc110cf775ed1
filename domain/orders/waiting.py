"""A paid order waiting for a seat (PENDING_STOCK, the package's "queue" mode): its place in line, and the
customer's way out, a refund request the owner is alerted to."""

from __future__ import annotations

from sqlmodel import Session, col, func, select

from domain.notify.alerts import raise_alert
from domain.orders.locks import lock_order_where
from domain.orders.orders import token_matches
from domain.shared.audit import audit_row
from domain.shared.errors import Conflict, NotFound
from domain.shared.models import Order, OrderStatus
from infra.types import utcnow


def queue_position(*, session: Session, order: Order) -> int | None:
    """1 for the next order of its pool to get a seat: the pool's waiting orders paid earlier, plus one (None when
    the order is not waiting)."""
    if order.status != OrderStatus.PENDING_STOCK or order.paid_at is None:
        return None
    earlier = select(func.count()).where(
        Order.pool == order.pool,
        Order.status == OrderStatus.PENDING_STOCK,
        (col(Order.paid_at) < order.paid_at) | ((col(Order.paid_at) == order.paid_at) & (col(Order.id) < order.id)),
    )
    return int(session.exec(earlier).one()) + 1


def request_refund(*, session: Session, code: str, token: str | None, ip: str | None = None) -> Order:
    """The customer of a waiting order asks for their money back: the request is kept on the order, audited, and
    the owner alerted (the refund itself is the owner's action). Asking twice changes nothing."""
    order = lock_order_where(session=session, condition=col(Order.code) == code)
    if order is None or not token_matches(order, token):
        raise NotFound("order not found")
    if order.status != OrderStatus.PENDING_STOCK:
        raise Conflict(f"order {order.code} is not waiting for a seat ({order.status})")
    if order.refund_requested_at is not None:
        return order
    order.refund_requested_at = utcnow()
    session.add(order)
    session.flush()
    audit_row(order, session=session, actor="customer", action="order.refund_request", ip=ip, order_code=order.code)
    raise_alert(
        session=session,
        key=f"refund_request:{order.code}",
        kind="refund_request",
        subject=f"Permintaan refund: {order.code}",
        message=(
            f"Pelanggan {order.email} meminta refund pesanan {order.code} (Rp {order.amount_idr:,}".replace(",", ".")
            + ") yang masih menunggu kursi. Proses refund di halaman pesanan admin."
        ),
    )
    return order
