"""Placing an order and starting its payment: the customer's details and method checked, the order created, a
checkout opened on the first gateway that works (failover audited and counted) and attached to the order under
its lock. The shop's checkout page and `POST /api/orders` both go through `place_order`."""

from __future__ import annotations

import html
import logging
import re
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import timedelta

from sqlmodel import Session, select

from domain.notify.mail import queue_order_created
from domain.orders.locks import lock_order
from domain.orders.orders import create_order, fail_order, order_input_errors
from domain.payments.gateway import (
    Checkout,
    CheckoutRequest,
    CustomerFees,
    GatewayError,
    GatewayRejected,
    PaymentChannel,
    PaymentGateway,
)
from domain.payments.promos import PromoRefused, apply_promo
from domain.seats.allocation import free_seats
from domain.shared.audit import SYSTEM, audit_row, record_audit
from domain.shared.errors import Conflict, NotFound, ValidationFailed
from domain.shared.links import order_link
from domain.shared.models import Order, OrderStatus, Product, SoldOutMode
from domain.shared.shop_settings import SHOP_CONFIG
from infra import db
from infra.metrics import FAILOVERS
from infra.types import utcnow

log = logging.getLogger("aksesgpt.webhooks")
PAYMENT_WINDOW = timedelta(hours=1)
# methods paid on the gateway's own page (e-wallet apps, Midtrans Snap): the customer is sent there at once;
# for the others (QRIS, virtual accounts, retail codes) the order page shows what to pay
REDIRECT_METHODS = frozenset({"OVO", "DANA", "SHOPEEPAY", "MIDTRANS"})
CHANNEL_GROUPS = ("QRIS", "Virtual Account", "E-Wallet", "Convenience Store")


def usable_channels(channels: Sequence[PaymentChannel], amount_idr: int) -> list[PaymentChannel]:
    """The channels that accept this amount (within their minimum and maximum, where they have one)."""
    return [
        c
        for c in channels
        if (not c.minimum_amount or c.minimum_amount <= amount_idr)
        and (not c.maximum_amount or amount_idr <= c.maximum_amount)
    ]


def lowest_channel_minimum(gateways: Sequence[PaymentGateway]) -> int | None:
    """The least amount any enabled channel of any gateway accepts (0: one has no minimum), for refusing a
    package price no customer could pay. None when it cannot be known: no gateway, or one did not answer
    (GatewayError), whose channels might take what the others refuse. Asks each gateway for its channels."""
    minimums: list[int] = []
    for gateway in gateways:
        try:
            channels = gateway.channels()
        except GatewayError:
            return None
        minimums += [max(c.minimum_amount, 0) for c in channels]
    return min(minimums) if minimums else None


def channels_by_group(channels: Sequence[PaymentChannel], amount_idr: int) -> OrderedDict[str, list[PaymentChannel]]:
    """The usable channels grouped QRIS, virtual account, e-wallet, retail (then any other group), no empty group."""
    groups: OrderedDict[str, list[PaymentChannel]] = OrderedDict((g, []) for g in CHANNEL_GROUPS)
    for channel in usable_channels(channels, amount_idr):
        groups.setdefault(channel.group, []).append(channel)
    return OrderedDict((g, items) for g, items in groups.items() if items)


def with_customer_fees(
    channels: Sequence[PaymentChannel], gateway: PaymentGateway | CustomerFees, amount_idr: int
) -> list[PaymentChannel]:
    """The channels with what each costs the customer on top of `amount_idr`, as the gateway's fee calculator
    says; the channel list's flat fee where the gateway has no calculator or it did not answer."""
    ask = getattr(gateway, "customer_fees", None)
    if ask is None:
        return list(channels)
    try:
        fees: dict[str, int] = ask(amount_idr=amount_idr)
    except (GatewayError, GatewayRejected) as exc:
        log.warning("fee calculator gateway=%s outcome=unavailable reason=%s", getattr(gateway, "name", "?"), exc)
        return list(channels)
    return [replace(c, fee_customer_idr=fees[c.code]) if c.code in fees else c for c in channels]


TAG = re.compile(r"<[^>]*>")
MAX_INSTRUCTION_TEXT = 500


def plain_text(value: object) -> str:
    """A gateway's HTML fragment as text: tags dropped, entities read, spaces folded."""
    text = html.unescape(TAG.sub("", str(value or "")))
    return " ".join(text.split())[:MAX_INSTRUCTION_TEXT]


def plain_instructions(raw: Sequence[object]) -> list[dict[str, object]]:
    """The gateway's payment steps ([{title, steps}]) as text only, empty ones dropped: kept with the order and
    shown as numbered steps (the gateway's HTML never reaches the page)."""
    sections: list[dict[str, object]] = []
    for item in list(raw)[:10]:
        if not isinstance(item, dict):
            continue
        steps = [plain_text(step) for step in list(item.get("steps") or [])[:20]]
        steps = [step for step in steps if step]
        if steps:
            sections.append({"title": plain_text(item.get("title")), "steps": steps})
    return sections


def redirects_to_gateway(order: Order) -> bool:
    """Whether the customer pays on the gateway's page rather than with what the order page shows."""
    return order.payment_method in REDIRECT_METHODS and bool(order.checkout_url)


@dataclass(frozen=True)
class OrderForm:
    """What a customer (or a bot through the API) asks for."""

    product_slug: str
    email: str
    name: str
    phone: str
    method: str
    locale: str = "id"
    notify_whatsapp: bool | None = None  # None: yes when a phone is given
    promo_code: str = ""  # optional; applied in the order's transaction (domain/payments/promos.py)


class OrderRefused(ValidationFailed):
    """The form cannot be placed; `errors` says why, by field (email, name, phone, locale, product, method)."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{field}: {problem}" for field, problem in errors.items()))
        self.errors = errors


class SoldOut(Conflict):
    """The package stops selling while its pool has no free seat (its sold_out_mode is "stop")."""


def refuse_when_sold_out(*, session: Session, product_slug: str) -> None:
    """SoldOut when the package takes no order now: "stop" mode and no free seat in its pool ("queue" mode
    sells and serves the order when a seat returns)."""
    product = session.exec(select(Product).where(Product.slug == product_slug)).first()
    if product is not None and product.sold_out_mode == SoldOutMode.STOP:
        if free_seats(session=session, pool=product.pool) <= 0:
            raise SoldOut(f"package {product_slug!r} is sold out; try again later", slug=product_slug)


def payment_window(*, session: Session) -> timedelta:
    """How long a customer has to pay: the owner's setting (its .env default when unset)."""
    return timedelta(minutes=SHOP_CONFIG.get(session=session).payment_window_minutes)


@dataclass(frozen=True)
class PlacedOrder:
    order: Order
    link: str  # the customer's order page
    pay_at: str  # where to send the customer now: the gateway's page, or the order page


def form_errors(*, session: Session, form: OrderForm, channels: Sequence[PaymentChannel] | None) -> dict[str, str]:
    """Every problem with an order form, by field; the method is checked against `channels` when the gateway
    listed them (None: it could not be asked, and start_payment will fail over)."""
    errors = order_input_errors(
        session=session,
        product_slug=form.product_slug,
        email=form.email,
        name=form.name,
        phone=form.phone,
        locale=form.locale,
    )
    if not form.method:
        errors["method"] = "payment_method is required"
    elif channels and form.method not in {c.code for c in channels}:
        errors["method"] = f"unknown payment channel {form.method!r}"
    return errors


def place_order(
    *,
    form: OrderForm,
    gateways: Sequence[PaymentGateway],
    actor: str,
    ip: str | None,
    window: timedelta | None = None,
) -> PlacedOrder:
    """Check the form, create the order and open its payment (`window`: how long the customer has to pay; None:
    the shop's setting). Raises OrderRefused (nothing written) for a bad form, SoldOut (nothing written) for a
    package that stopped selling, GatewayRejected when the gateway refuses the method, GatewayError when no
    gateway works."""
    try:
        channels: list[PaymentChannel] | None = gateways[0].channels() if gateways else None
    except GatewayError:
        channels = None  # the primary is down: let start_payment fail over
    with db.read_session() as session:
        errors = form_errors(session=session, form=form, channels=channels)
        window = window if window is not None else payment_window(session=session)
    if errors:
        raise OrderRefused(errors)
    # a discount never takes the total below what a payment channel accepts
    floor = lowest_channel_minimum(gateways) if form.promo_code.strip() else None

    def create(s: Session) -> tuple[Order, str]:
        refuse_when_sold_out(session=s, product_slug=form.product_slug)
        created = create_order(
            session=s,
            product_slug=form.product_slug,
            email=form.email,
            name=form.name,
            phone=form.phone,
            locale=form.locale,
            actor=actor,
            ip=ip,
            notify_whatsapp=form.notify_whatsapp,
        )
        if form.promo_code.strip():
            try:
                apply_promo(session=s, order=created[0], code=form.promo_code, floor_idr=floor, actor=actor)
            except PromoRefused as exc:
                raise OrderRefused({"promo_code": exc.message}) from None
        return created

    order, _token = db.in_transaction(create)
    link = order_link(order.code)
    assert order.id is not None
    order = start_payment(
        order_id=order.id, method=form.method, gateways=gateways, return_url=link, actor=actor, window=window
    )
    return PlacedOrder(
        order=order,
        link=link,
        pay_at=order.checkout_url if redirects_to_gateway(order) and order.checkout_url else link,
    )


def attach_checkout(*, session: Session, order_id: int, checkout: Checkout, actor: str) -> Order:
    """Remember the gateway transaction of an order: reference, how to pay, and the deadline.
    Re-checked under the order's row lock, so two racing checkouts cannot both attach."""
    order = lock_order(session=session, order_id=order_id)
    if order is None:
        raise NotFound(f"unknown order id {order_id}")
    if order.status != OrderStatus.PENDING_PAYMENT or order.provider_reference:
        raise Conflict(f"order {order.code} already has a payment ({order.provider} {order.provider_reference})")
    order.provider, order.provider_reference = checkout.provider, checkout.reference
    order.payment_method, order.checkout_url = checkout.method, checkout.checkout_url
    order.pay_code, order.qr_string = checkout.pay_code, checkout.qr_string
    order.payment_expires_at = checkout.expires_at or order.payment_expires_at
    order.fee_customer_idr = checkout.fee_customer_idr
    order.pay_instructions = plain_instructions(checkout.instructions) or None
    session.add(order)
    session.flush()
    queue_order_created(session=session, order=order)
    audit_row(
        order,
        session=session,
        actor=actor,
        action="order.checkout",
        order_code=order.code,
        provider=checkout.provider,
        reference=checkout.reference,
        method=checkout.method,
    )
    return order


def start_payment(
    *,
    order_id: int,
    method: str,
    gateways: Sequence[PaymentGateway],
    return_url: str,
    actor: str = SYSTEM,
    window: timedelta = PAYMENT_WINDOW,
) -> Order:
    """Open a transaction for an unpaid order on the first gateway that works.

    No database transaction is held during the gateway calls. When the first gateway fails for a
    reason that is not the customer's (timeout, 5xx, merchant misconfiguration) the next one is
    tried, and the failover is audited and counted. When every gateway fails the order is marked
    payment_failed and the last GatewayError is raised."""
    if not gateways:
        raise GatewayError("no payment gateway is configured")
    with db.read_session() as session:
        order = session.get(Order, order_id)
        if order is None:
            raise NotFound(f"unknown order id {order_id}")
        if order.status != OrderStatus.PENDING_PAYMENT or order.provider_reference:
            raise ValidationFailed(f"order {order.code} already has a payment in progress or is {order.status}")
        product = session.get(Product, order.product_id)
        item_name = product.name if product else "ChatGPT"
    request = CheckoutRequest(
        merchant_ref=order.code,
        amount_idr=order.amount_idr,
        method=method,
        customer_name=order.name,
        customer_email=order.email,
        customer_phone=order.phone,
        item_name=item_name,
        return_url=return_url,
        expires_at=utcnow() + window,
    )
    failure: GatewayError | None = None
    for index, gateway in enumerate(gateways):
        try:
            checkout = gateway.create_transaction(request)
        except GatewayError as exc:
            failure = exc
            log.warning(
                "checkout gateway=%s order=%s outcome=unavailable reason=%s", gateway.name, order.code, exc.message
            )
            continue
        failed_over_from = gateways[0].name if index > 0 else None
        break
    else:
        db.in_transaction(lambda s: fail_order(session=s, order_id=order_id, actor=actor))
        assert failure is not None
        raise failure

    def attach(s: Session) -> Order:
        if failed_over_from is not None:
            record_audit(
                session=s,
                actor=actor,
                action="order.payment_failover",
                entity="order",
                entity_id=order_id,
                order_code=order.code,
                failed=failed_over_from,
                to=checkout.provider,
                reason=failure.message if failure else "",
            )
        return attach_checkout(session=s, order_id=order_id, checkout=checkout, actor=actor)

    attached = db.in_transaction(attach)
    if failed_over_from is not None:
        FAILOVERS.labels(to=checkout.provider).inc()
    return attached
