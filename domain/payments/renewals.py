"""Placing a renewal and starting its payment, as place_order does for a new order: the seat and package checked,
the renewal order created, a checkout opened on the first gateway that works. `POST /api/orders/{code}/renewals`
and the order page's "Perpanjang" section both go through `place_renewal`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from sqlmodel import Session

from domain.orders.renewals import check_renewal_package, create_renewal, renewal_of
from domain.payments.checkout import OrderRefused, PlacedOrder, payment_window, redirects_to_gateway, start_payment
from domain.payments.gateway import GatewayError, PaymentChannel, PaymentGateway
from domain.shared.links import order_link
from domain.shared.models import Order
from infra import db


def place_renewal(
    *,
    code: str,
    token: str | None,
    product_slug: str,
    method: str,
    gateways: Sequence[PaymentGateway],
    actor: str,
    ip: str | None,
    window: timedelta | None = None,
) -> PlacedOrder:
    """Renew the seat of order `code` (its link's `token`) with a package of the same pool, paid by `method`.
    Raises NotFound (a wrong code or token), RenewalRefused (nothing to renew, past the grace period, a package of
    another pool), OrderRefused (no or an unknown method), GatewayRejected / GatewayError as place_order does."""
    try:
        channels: list[PaymentChannel] | None = gateways[0].channels() if gateways else None
    except GatewayError:
        channels = None  # the primary is down: let start_payment fail over
    with db.read_session() as session:
        renewal = renewal_of(session=session, code=code, token=token)  # the link first: a wrong one learns nothing
        if not product_slug:
            raise OrderRefused({"product": "package_id is required"})
        check_renewal_package(session=session, renewal=renewal, product_slug=product_slug)
        window = window if window is not None else payment_window(session=session)
    if not method:
        raise OrderRefused({"method": "payment_method is required"})
    if channels and method not in {c.code for c in channels}:
        raise OrderRefused({"method": f"unknown payment channel {method!r}"})

    def create(s: Session) -> tuple[Order, str]:
        return create_renewal(session=s, code=code, token=token, product_slug=product_slug, actor=actor, ip=ip)

    order, _token = db.in_transaction(create)
    link = order_link(order.code)
    assert order.id is not None
    order = start_payment(
        order_id=order.id, method=method, gateways=gateways, return_url=link, actor=actor, window=window
    )
    return PlacedOrder(
        order=order,
        link=link,
        pay_at=order.checkout_url if redirects_to_gateway(order) and order.checkout_url else link,
    )
