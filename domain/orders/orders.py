"""Orders: creation, payment notices (paid / expired / failed / wrong amount), review and refund.

The PAID notice from Tripay, Midtrans, the sandbox and the admin's "mark paid" button all go
through `record_payment`; idempotency comes from the state machine under the order row lock."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from domain.catalog.products import get_product
from domain.notify.alerts import raise_alert, resolve_alert
from domain.notify.mail import queue_refunded
from domain.orders.locks import lock_order
from domain.orders.renewing import fulfil_renewal
from domain.orders.states import AWAITING_PAYMENT, transition_order
from domain.seats.allocation import active_assignment, fulfil_paid_order
from domain.seats.assignments import revoke_assignment
from domain.shared.audit import audit_row, snapshot
from domain.shared.errors import IllegalTransition, NotFound, ValidationFailed
from domain.shared.links import access_token, hash_token, token_hash_matches
from domain.shared.models import AccountAssignment, AssignmentStatus, EventOutcome, Order, OrderStatus, Product
from domain.shared.money import REFUND_METHODS, amount_paid, check_amount, check_method
from domain.shared.validation import normalize_email, normalize_locale, normalize_phone, require_text
from infra.types import utcnow

log = logging.getLogger("aksesgpt.orders")
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: codes are read out over WhatsApp


@dataclass(frozen=True)
class PaymentResult:
    """What a payment notice did: applied, duplicate (already handled) or ignored (stale)."""

    outcome: EventOutcome
    order: Order
    assignment: AccountAssignment | None = None
    detail: str = ""


def new_order_code() -> str:
    return "AG-" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(10))


def token_matches(order: Order, token: str | None) -> bool:
    return token_hash_matches(order.access_token_hash, token)


def create_order(
    *,
    session: Session,
    product_slug: str,
    email: str,
    name: str,
    phone: str,
    locale: str = "id",
    actor: str = "customer",
    ip: str | None = None,
    notify_whatsapp: bool | None = None,
) -> tuple[Order, str]:
    """A new unpaid order for an active package; returns it with the order page's access token. `notify_whatsapp`
    (None: yes when a phone is given) sends the order's news to that phone on WhatsApp too."""
    product = get_product(session=session, slug=product_slug)
    if not product.is_active:
        raise NotFound(f"package {product_slug!r} is not for sale")
    code = new_order_code()
    token = access_token(code)
    order = Order(
        code=code,
        access_token_hash=hash_token(token),
        email=normalize_email(email),
        name=require_text(name, "name", 120),
        phone=normalize_phone(phone),
        locale=normalize_locale(locale),
        product_id=product.id,  # type: ignore[arg-type]
        amount_idr=product.price_idr,
        duration_days=product.duration_days,
        pool=product.pool,
    )
    order.notify_whatsapp = bool(order.phone) and notify_whatsapp is not False
    session.add(order)
    session.flush()
    audit_row(
        order,
        session=session,
        actor=actor,
        action="order.create",
        after={"status": order.status, "amount_idr": order.amount_idr, "product": product.slug},
        ip=ip,
        order_code=order.code,
    )
    return order, token


def order_input_errors(
    *, session: Session, product_slug: str, email: str, name: str, phone: str, locale: str = "id"
) -> dict[str, str]:
    """Every problem with a customer's order form, by field (empty when it can be placed)."""
    errors: dict[str, str] = {}
    checks = (
        ("email", lambda: normalize_email(email)),
        ("name", lambda: require_text(name, "name", 120)),
        ("phone", lambda: normalize_phone(phone)),
        ("locale", lambda: normalize_locale(locale)),
    )
    for field, check in checks:
        try:
            check()
        except ValidationFailed as exc:
            errors[field] = exc.message
    try:
        product = get_product(session=session, slug=product_slug)
        if not product.is_active:
            errors["product"] = f"package {product_slug!r} is not for sale"
    except NotFound as exc:
        errors["product"] = exc.message
    return errors


@dataclass(frozen=True)
class OrderView:
    """An order as its customer may see it (through the token link)."""

    order: Order
    product_name: str
    product_slug: str
    assignment: AccountAssignment | None


# Built once: on SQLite, constructing this select cost more than running it.
_ORDER_VIEW = (
    select(Order, Product.name, Product.slug, AccountAssignment)
    .outerjoin(Product, col(Product.id) == col(Order.product_id))
    .outerjoin(AccountAssignment, col(AccountAssignment.order_id) == col(Order.id))
    .where(col(Order.code) == bindparam("code"))
    .order_by(col(AccountAssignment.id).desc())
    .limit(1)
)


def view_order(*, session: Session, code: str, token: str | None) -> OrderView:
    """The order behind a customer link; an unknown code and a wrong token are the same NotFound. One query
    (order, package, latest seat): this is read on every view of the order page and while it is open."""
    if not (code.isascii() and code.isprintable()):  # codes are plain ASCII; PostgreSQL refuses NUL in a query
        raise NotFound("order not found")
    row = session.exec(_ORDER_VIEW, params={"code": code}).first()
    if row is None or not token_matches(row[0], token):
        raise NotFound("order not found")
    order, product_name, product_slug, latest = row
    return OrderView(order=order, product_name=product_name or "", product_slug=product_slug or "", assignment=latest)


def _by_code(session: Session, code: str) -> Order | None:
    if not (code.isascii() and code.isprintable()):  # codes are plain ASCII; PostgreSQL refuses NUL in a query
        return None
    return session.exec(select(Order).where(Order.code == code)).first()


def get_order(*, session: Session, code: str) -> Order:
    order = _by_code(session, code)
    if order is None:
        raise NotFound(f"unknown order {code!r}")
    return order


def _locked(session: Session, order_id: int) -> Order:
    order = lock_order(session=session, order_id=order_id)
    if order is None:
        raise NotFound(f"unknown order id {order_id}")
    return order


def record_payment(
    *,
    session: Session,
    order_id: int,
    amount_idr: int,
    actor: str,
    paid_at: datetime | None = None,
    ip: str | None = None,
    fee_idr: int | None = None,
) -> PaymentResult:
    """A PAID notice: fulfil (or queue for stock); a wrong amount holds the order for review. `fee_idr`: what the
    gateway kept of it (Tripay's merchant fee), stored with the payment when the notice said."""
    if not isinstance(amount_idr, int) or amount_idr <= 0:
        raise ValidationFailed("a payment must carry a positive whole rupiah amount", field="amount_idr")
    order = _locked(session, order_id)
    if order.status not in AWAITING_PAYMENT:
        log.info("payment outcome=duplicate order=%s status=%s", order.code, order.status)
        return PaymentResult(
            EventOutcome.DUPLICATE,
            order,
            active_assignment(session=session, order_id=order_id),
            f"order already {order.status}",
        )
    paid = {"paid_at": paid_at or utcnow(), "paid_amount_idr": amount_idr}  # written with the new status
    if fee_idr is not None and isinstance(fee_idr, int) and 0 <= fee_idr <= amount_idr:
        paid["fee_idr"] = fee_idr
    if amount_idr != order.amount_idr:
        transition_order(
            session=session,
            order=order,
            to=OrderStatus.PAYMENT_REVIEW,
            actor=actor,
            action="order.amount_mismatch",
            ip=ip,
            columns=paid,
            expected_idr=order.amount_idr,
            paid_idr=amount_idr,
        )
        raise_alert(
            session=session,
            key=f"amount_mismatch:{order.code}",
            kind="amount_mismatch",
            subject=f"Jumlah pembayaran berbeda: {order.code}",
            message=f"Pesanan {order.code} dibayar {amount_idr} rupiah, tagihan {order.amount_idr}. Pesanan "
            "ditahan untuk diperiksa: terima atau kembalikan dananya dari dashboard.",
        )
        log.warning("payment outcome=review order=%s expected=%s paid=%s", order.code, order.amount_idr, amount_idr)
        return PaymentResult(EventOutcome.APPLIED, order, None, "amount mismatch: held for review")
    assignment = fulfil_order(session=session, order=order, actor=actor, paid=paid)
    return PaymentResult(EventOutcome.APPLIED, order, assignment, order.status)


def fulfil_order(
    *, session: Session, order: Order, actor: str, paid: dict[str, object] | None = None
) -> AccountAssignment | None:
    """Serve a locked, paid order: a renewal extends the seat it renews, any other order gets a seat."""
    if order.renews_order_id is not None:
        return fulfil_renewal(session=session, order=order, actor=actor, paid=paid)
    return fulfil_paid_order(session=session, order=order, actor=actor, paid=paid)


def _close_unpaid(session: Session, order_id: int, to: OrderStatus, actor: str, action: str) -> PaymentResult:
    order = _locked(session, order_id)
    if order.status != OrderStatus.PENDING_PAYMENT:
        # stale or out of order (EXPIRED after PAID): refused, never applied
        log.info("payment outcome=ignored order=%s status=%s notice=%s", order.code, order.status, to.value)
        return PaymentResult(EventOutcome.IGNORED, order, None, f"order already {order.status}")
    transition_order(session=session, order=order, to=to, actor=actor, action=action)
    return PaymentResult(EventOutcome.APPLIED, order)


def expire_order(*, session: Session, order_id: int, actor: str) -> PaymentResult:
    return _close_unpaid(session, order_id, OrderStatus.PAYMENT_EXPIRED, actor, "order.expire")


def fail_order(*, session: Session, order_id: int, actor: str) -> PaymentResult:
    return _close_unpaid(session, order_id, OrderStatus.PAYMENT_FAILED, actor, "order.fail")


def accept_review(*, session: Session, order_id: int, actor: str, note: str = "") -> PaymentResult:
    """The admin accepts a payment held for review: fulfil as if the amount were right."""
    order = _locked(session, order_id)
    if order.status != OrderStatus.PAYMENT_REVIEW:
        raise IllegalTransition(f"order {order.code} is {order.status}, not waiting for review")
    audit_row(order, session=session, actor=actor, action="order.review_accept", order_code=order.code, note=note)
    assignment = fulfil_order(session=session, order=order, actor=actor)
    return PaymentResult(EventOutcome.APPLIED, order, assignment, order.status)


def _take_back_renewal(*, session: Session, renewal: Order, actor: str) -> None:
    """A refunded renewal that extended another order's seat gives its days back: that seat, while still active,
    ends `duration_days` earlier (not before now; the expiry job then releases it), audited."""
    seat = session.exec(
        select(AccountAssignment)
        .where(
            AccountAssignment.order_id == renewal.renews_order_id,
            AccountAssignment.status == AssignmentStatus.ACTIVE,
        )
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if seat is None:
        return  # the seat ended already: nothing left to take back
    before = snapshot(seat, "end_at")
    seat.end_at = max(seat.end_at - timedelta(days=renewal.duration_days), utcnow())
    session.add(seat)
    session.flush()
    audit_row(
        seat,
        session=session,
        actor=actor,
        action="assignment.renewal_refunded",
        before=before,
        after=snapshot(seat, "end_at"),
        renewal_code=renewal.code,
        days=renewal.duration_days,
    )


def refund_order(
    *,
    session: Session,
    order_id: int,
    actor: str,
    reason: str,
    amount_idr: int | None = None,
    method: str | None = None,
    refunded_at: datetime | None = None,
) -> Order:
    """Mark an order refunded; its active seat, if any, is revoked with the same reason. The money given back is
    recorded: `amount_idr` (default: what was paid, `amount_paid`; at most that, 0 for a cancellation without money
    back), `method` (gateway, cash, transfer…; default none said) and `refunded_at` (default now, never future)."""
    reason = require_text(reason, "reason", 500, multiline=True)
    if method is not None:
        check_method(method, REFUND_METHODS)
    if refunded_at is not None and refunded_at.tzinfo is None:
        raise ValidationFailed("the refund time must carry a time zone", field="refunded_at")
    if refunded_at is not None and refunded_at > utcnow() + timedelta(minutes=5):
        raise ValidationFailed("the refund time cannot be in the future", field="refunded_at")
    order = _locked(session, order_id)
    if order.status not in (OrderStatus.PAYMENT_REVIEW, OrderStatus.PENDING_STOCK, OrderStatus.FULFILLED):
        raise IllegalTransition(f"order {order.code} is {order.status}; only paid orders can be refunded")
    paid = amount_paid(session=session, order=order)
    refunded = paid if amount_idr is None else check_amount(amount_idr, maximum=paid)
    assignment = active_assignment(session=session, order_id=order_id)
    if assignment is None and order.renews_order_id is not None and order.status == OrderStatus.FULFILLED:
        _take_back_renewal(session=session, renewal=order, actor=actor)
    if assignment is not None:
        revoke_assignment(
            session=session,
            assignment_id=assignment.id,  # type: ignore[arg-type]
            actor=actor,
            reason=f"refund: {reason}",
            tell=False,  # the refund message below says what happened
        )
    transition_order(
        session=session,
        order=order,
        to=OrderStatus.REFUNDED,
        actor=actor,
        action="order.refund",
        columns={"refunded_amount_idr": refunded, "refund_method": method, "refunded_at": refunded_at or utcnow()},
        reason=reason,
        amount_idr=refunded,
        method=method,
    )
    queue_refunded(session=session, order=order, had_seat=assignment is not None)
    if order.refund_requested_at is not None:  # the customer's request (a queued order's "Minta refund") is answered
        resolve_alert(session=session, key=f"refund_request:{order.code}")
    return order
