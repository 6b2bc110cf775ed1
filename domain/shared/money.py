"""Money the owner took or gave back outside the gateways: the methods, and one ManualPayment row, audited."""

from __future__ import annotations

from sqlmodel import Session, select

from domain.shared.audit import record_audit
from domain.shared.errors import ValidationFailed
from domain.shared.models import ManualPayment, Order
from domain.shared.validation import parse_whole_number, require_text
from infra.types import utcnow

# how the owner took the money; the admin shows these words, the rows keep the codes
MANUAL_METHODS: dict[str, str] = {
    "cash": "Tunai",
    "transfer": "Transfer bank",
    "qris": "QRIS",
    "ewallet": "E-wallet",
    "other": "Lainnya",
}
GATEWAY = "gateway"  # a refund made through the gateway's dashboard (or announced by its callback)
REFUND_METHODS: dict[str, str] = {GATEWAY: "Lewat gateway", **MANUAL_METHODS}
MAX_PAYMENT_IDR = 1_000_000_000  # one payment for a seat never reaches a billion rupiah: more is a typo


def amount_paid(*, session: Session, order: Order) -> int:
    """What the customer paid for the order itself: the amount taken by hand when it was marked paid with a manual
    method (its ManualPayment of kind `order`), else what the gateway said was paid, else the price."""
    taken = session.exec(
        select(ManualPayment.amount_idr).where(ManualPayment.order_id == order.id, ManualPayment.kind == "order")
    ).first()
    if taken is not None:
        return taken
    return order.paid_amount_idr if order.paid_amount_idr is not None else order.amount_idr


def check_method(method: str, methods: dict[str, str], field: str = "method") -> str:
    if method not in methods:
        raise ValidationFailed(f"{field} must be one of {', '.join(methods)}", field=field, value=str(method)[:40])
    return method


def check_amount(amount_idr: int | str, field: str = "amount_idr", *, maximum: int = MAX_PAYMENT_IDR) -> int:
    """A whole rupiah amount from 0 to `maximum` (0: nothing was paid, e.g. a goodwill extension recorded)."""
    return parse_whole_number(amount_idr, field, minimum=0, maximum=maximum)


def record_manual_payment(
    *,
    session: Session,
    order: Order,
    kind: str,
    amount_idr: int,
    method: str,
    actor: str,
    assignment_id: int | None = None,
    note: str = "",
    ip: str | None = None,
) -> ManualPayment:
    """One ManualPayment row (kind `order` or `extension`) for `order`, audited on the order (its timeline)."""
    payment = ManualPayment(
        at=utcnow(),
        kind=kind,
        order_id=order.id,  # type: ignore[arg-type]
        assignment_id=assignment_id,
        amount_idr=check_amount(amount_idr),
        method=check_method(method, MANUAL_METHODS),
        actor=actor,
        note=require_text(note, "note", 500, multiline=True) if note else "",
    )
    session.add(payment)
    session.flush()
    record_audit(
        session=session,
        actor=actor,
        action=f"payment.manual_{kind}",
        entity="order",
        entity_id=order.id,
        ip=ip,
        order_code=order.code,
        amount_idr=payment.amount_idr,
        method=payment.method,
        assignment_id=assignment_id,
        manual_payment_id=payment.id,
    )
    return payment
