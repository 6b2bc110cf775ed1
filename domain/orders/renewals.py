"""Renewing a seat: which packages an order's customer may renew with, until when, and the renewal order itself (a
new order linked to the one holding the seat, paid like any other; domain/orders/renewing.py serves it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from domain.catalog.products import get_product
from domain.orders.orders import create_order, view_order
from domain.orders.renewing import ended_within_grace, latest_seat
from domain.shared.audit import audit_row
from domain.shared.errors import Conflict, NotFound
from domain.shared.models import AccountAssignment, AssignmentStatus, Order, OrderStatus, Product
from domain.shared.shop_settings import SHOP_CONFIG
from infra.types import utcnow

MAX_HOPS = 50  # a renewal of a renewal of …: the seat is found within this many links


class RenewalRefused(Conflict):
    """The seat cannot be renewed now, or not with that package; the message says why."""


@dataclass(frozen=True)
class Renewable:
    """An order whose seat can be renewed: the order holding it, the seat, and the packages that fit it."""

    holder: Order
    seat: AccountAssignment
    packages: list[Product]
    grace_days: int

    def new_end(self, product: Product, now: datetime) -> datetime:
        """Where the seat would end after renewing with `product` now (paid at once)."""
        if self.seat.status == AssignmentStatus.ACTIVE:
            return max(self.seat.end_at, now) + timedelta(days=product.duration_days)
        return now + timedelta(days=product.duration_days)

    @property
    def renew_until(self) -> datetime | None:
        """The last moment an ended seat can still be renewed (None: the seat is ACTIVE)."""
        if self.seat.status == AssignmentStatus.ACTIVE:
            return None
        return (self.seat.ended_at or self.seat.end_at) + timedelta(days=self.grace_days)


def seat_holder(*, session: Session, order: Order) -> Order:
    """The order whose assignment a renewal of `order` extends: `order` itself, or, for a renewal that extended
    an earlier order's seat (and so has none of its own), that earlier order."""
    holder = order
    for _ in range(MAX_HOPS):
        if holder.renews_order_id is None or latest_seat(session=session, order_id=holder.id) is not None:  # type: ignore[arg-type]
            return holder
        parent = session.get(Order, holder.renews_order_id)
        if parent is None:
            return holder
        holder = parent
    return holder


def seated_renewal(*, session: Session, order: Order) -> Order | None:
    """The latest paid renewal of `order` that got a seat of its own (on another account, its old one could not
    take it back) and still holds it: where the customer is seated now; None when there is none."""
    renewals = session.exec(
        select(Order)
        .where(Order.renews_order_id == order.id, Order.status == OrderStatus.FULFILLED)
        .order_by(col(Order.id).desc())
    ).all()
    for renewal in renewals:
        seat = latest_seat(session=session, order_id=renewal.id)  # type: ignore[arg-type]
        if seat is not None and seat.status == AssignmentStatus.ACTIVE:
            return renewal
    return None


def renewable(*, session: Session, order: Order, now: datetime | None = None) -> Renewable:
    """The seat `order` (or the order it renewed) holds and the active packages of its pool, or RenewalRefused
    saying why it cannot be renewed: not served yet, refunded, revoked, or ended longer ago than the grace."""
    now = now or utcnow()
    holder = seat_holder(session=session, order=order)
    seat = latest_seat(session=session, order_id=holder.id)  # type: ignore[arg-type]
    if seat is not None and seat.status != AssignmentStatus.ACTIVE:
        moved = seated_renewal(session=session, order=holder)
        if moved is not None:  # renewed onto another account: renewing extends that seat, not the ended one
            holder, seat = moved, latest_seat(session=session, order_id=moved.id)  # type: ignore[arg-type]
    if holder.status != OrderStatus.FULFILLED or seat is None:
        raise RenewalRefused("this order has no seat to renew yet", reason="no_seat")
    grace = SHOP_CONFIG.get(session=session).renewal_grace_days
    if seat.status == AssignmentStatus.REVOKED:
        raise RenewalRefused("this seat was revoked and cannot be renewed; buy a new package", reason="revoked")
    if seat.status != AssignmentStatus.ACTIVE and not ended_within_grace(seat, now=now, grace_days=grace):
        raise RenewalRefused(
            f"this seat ended more than {grace} days ago and can no longer be renewed; buy a new package",
            reason="past_grace",
        )
    packages = list(
        session.exec(
            select(Product)
            .where(col(Product.is_active).is_(True), Product.pool == holder.pool)
            .order_by(col(Product.sort_order), col(Product.price_idr), col(Product.id))
        )
    )
    return Renewable(holder=holder, seat=seat, packages=packages, grace_days=grace)


def renewal_of(*, session: Session, code: str, token: str | None) -> Renewable:
    """`renewable` for the order behind a customer link; a wrong token is NotFound, as on the order page."""
    return renewable(session=session, order=view_order(session=session, code=code, token=token).order)


def check_renewal_package(*, session: Session, renewal: Renewable, product_slug: str) -> Product:
    """The package to renew with: for sale, and of the seat's pool (RenewalRefused otherwise)."""
    try:
        product = get_product(session=session, slug=product_slug)
    except NotFound:
        raise RenewalRefused(f"unknown package {product_slug!r}", reason="unknown_package") from None
    if not product.is_active:
        raise RenewalRefused(f"package {product_slug!r} is not for sale", reason="not_for_sale")
    if product.pool != renewal.holder.pool:
        raise RenewalRefused(
            f"package {product_slug!r} is for another kind of account; renew with a package of this seat's pool",
            reason="other_pool",
        )
    return product


def create_renewal(
    *,
    session: Session,
    code: str,
    token: str | None,
    product_slug: str,
    actor: str = "customer",
    ip: str | None = None,
) -> tuple[Order, str]:
    """A new unpaid order renewing the seat of the order behind the link (checked again in this transaction);
    returns it with its own order page token."""
    renewal = renewal_of(session=session, code=code, token=token)
    product = check_renewal_package(session=session, renewal=renewal, product_slug=product_slug)
    holder = renewal.holder
    order, new_token = create_order(
        session=session,
        product_slug=product.slug,
        email=holder.email,
        name=holder.name or holder.email.split("@")[0],
        phone=holder.phone,
        locale=holder.locale,
        actor=actor,
        ip=ip,
    )
    order.renews_order_id = holder.id
    session.add(order)
    session.flush()
    audit_row(
        order,
        session=session,
        actor=actor,
        action="order.renewal_create",
        ip=ip,
        order_code=order.code,
        renews=holder.code,
        assignment_id=renewal.seat.id,
    )
    return order, new_token


def renewals_of(*, session: Session, order: Order, limit: int = 20) -> list[Order]:
    """The renewal orders placed for `order`'s seat, newest first (for its page)."""
    return list(
        session.exec(
            select(Order)
            .where(Order.renews_order_id == order.id)
            .order_by(col(Order.created_at).desc(), col(Order.id).desc())
            .limit(limit)
        )
    )


@dataclass(frozen=True)
class RenewedFrom:
    """A renewal order as its own page tells it: the order whose seat it renewed, that seat's end while it is
    active, and whether the renewal got a seat of its own (the old one could not be kept)."""

    first: Order
    seat_end: datetime | None
    own_seat: bool


def renewed_from(*, session: Session, order: Order) -> RenewedFrom | None:
    """For a renewal order, what it renewed; None for any other order."""
    first = session.get(Order, order.renews_order_id) if order.renews_order_id is not None else None
    if first is None:
        return None
    seat = latest_seat(session=session, order_id=first.id)  # type: ignore[arg-type]
    return RenewedFrom(
        first=first,
        seat_end=seat.end_at if seat is not None and seat.status == AssignmentStatus.ACTIVE else None,
        own_seat=latest_seat(session=session, order_id=order.id) is not None,  # type: ignore[arg-type]
    )


RENEWALS_LISTED = (OrderStatus.FULFILLED, OrderStatus.PENDING_STOCK, OrderStatus.PAYMENT_REVIEW, OrderStatus.REFUNDED)


def paid_renewals(*, session: Session, order_id: int) -> list[Order]:
    """The renewals of an order that were paid (served, waiting, held for review or refunded), oldest first."""
    return list(
        session.exec(
            select(Order)
            .where(Order.renews_order_id == order_id, col(Order.status).in_(RENEWALS_LISTED))
            .order_by(col(Order.id))
        )
    )
