"""Packages for sale: what a customer buys (price in whole rupiah, duration in days, pool)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from domain.seats.allocation import free_seats
from domain.shared.audit import audit_row, snapshot
from domain.shared.errors import NotFound, ValidationFailed
from domain.shared.i18n import format_idr
from domain.shared.models import Product, SoldOutMode
from domain.shared.validation import MAX_RUPIAH, unstorable

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
PRODUCT_FIELDS = (
    "slug",
    "name",
    "price_idr",
    "duration_days",
    "pool",
    "is_active",
    "is_popular",
    "sort_order",
    "warranty_days",
    "sold_out_mode",
)
MAX_DURATION_DAYS = 3650  # ten years: a longer package is a typo
MAX_SORT_ORDER = 1_000_000  # either way; far inside an INTEGER column


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _validate(
    *,
    slug: str,
    name: str,
    price_idr: int,
    duration_days: int,
    pool: str,
    sort_order: int = 0,
    lowest_price_idr: int | None = None,
    warranty_days: int | None = None,
    sold_out_mode: str = SoldOutMode.QUEUE,
) -> None:
    """`lowest_price_idr`: the least the enabled payment channels accept, when known (a price below it could
    never be paid); None skips that check."""
    if not SLUG_RE.fullmatch(slug or "") or len(slug) > 64:
        raise ValidationFailed(f"slug {slug!r} must be lower-case letters, digits and dashes", field="slug")
    if not name.strip():
        raise ValidationFailed("name is required", field="name")
    if not _whole(price_idr) or not 0 < price_idr <= MAX_RUPIAH:
        raise ValidationFailed(f"price_idr must be a whole number of rupiah from 1 to {MAX_RUPIAH}", field="price_idr")
    if lowest_price_idr is not None and price_idr < lowest_price_idr:
        raise ValidationFailed(
            f"price {format_idr(price_idr)} is below {format_idr(lowest_price_idr)}, the least any enabled "
            "payment channel accepts",
            field="price_idr",
        )
    if not _whole(duration_days) or not 0 < duration_days <= MAX_DURATION_DAYS:
        raise ValidationFailed(
            f"duration_days must be a whole number from 1 to {MAX_DURATION_DAYS}", field="duration_days"
        )
    if not _whole(sort_order) or not -MAX_SORT_ORDER <= sort_order <= MAX_SORT_ORDER:
        raise ValidationFailed(
            f"sort_order must be a whole number from -{MAX_SORT_ORDER} to {MAX_SORT_ORDER}", field="sort_order"
        )
    if not pool.strip():
        raise ValidationFailed("pool is required", field="pool")
    if str(sold_out_mode) not in {mode.value for mode in SoldOutMode}:
        raise ValidationFailed(
            "when the pool has no free seat the package either stops selling or sells and queues",
            field="sold_out_mode",
        )
    if warranty_days is not None and (not _whole(warranty_days) or not 0 <= warranty_days <= MAX_DURATION_DAYS):
        raise ValidationFailed(
            f"warranty_days must be a whole number from 0 to {MAX_DURATION_DAYS} (empty: the whole paid period)",
            field="warranty_days",
        )


def create_product(
    *,
    session: Session,
    actor: str,
    slug: str,
    name: str,
    price_idr: int,
    duration_days: int,
    pool: str = "default",
    description: str = "",
    is_active: bool = True,
    is_popular: bool = False,
    sort_order: int = 0,
    lowest_price_idr: int | None = None,
    warranty_days: int | None = None,
    sold_out_mode: str = SoldOutMode.QUEUE,
) -> Product:
    """A new package; `lowest_price_idr` as in `_validate`; `warranty_days`: how long after payment a customer of
    an account that dies is moved to a healthy one (None: the whole paid period)."""
    _validate(
        slug=slug,
        name=name,
        price_idr=price_idr,
        duration_days=duration_days,
        pool=pool,
        sort_order=sort_order,
        lowest_price_idr=lowest_price_idr,
        warranty_days=warranty_days,
        sold_out_mode=sold_out_mode,
    )
    if session.exec(select(Product).where(Product.slug == slug)).first():
        raise ValidationFailed(f"a package with slug {slug!r} already exists", field="slug")
    product = Product(
        slug=slug,
        name=name.strip(),
        description=description,
        price_idr=price_idr,
        duration_days=duration_days,
        pool=pool.strip(),
        is_active=is_active,
        is_popular=is_popular,
        sort_order=sort_order,
        warranty_days=warranty_days,
        sold_out_mode=SoldOutMode(sold_out_mode),
    )
    session.add(product)
    session.flush()
    audit_row(product, session=session, actor=actor, action="product.create", after=snapshot(product, *PRODUCT_FIELDS))
    return product


def get_product(*, session: Session, product_id: int | None = None, slug: str | None = None) -> Product:
    if unstorable(slug):  # no package has one; PostgreSQL would refuse the query with a 500
        raise NotFound("unknown package")
    query = select(Product)
    query = query.where(Product.id == product_id) if product_id is not None else query.where(Product.slug == slug)
    product = session.exec(query).first()
    if product is None:
        raise NotFound(f"unknown package {slug or product_id!r}")
    return product


def update_product(
    *, session: Session, actor: str, product_id: int, lowest_price_idr: int | None = None, **changes: Any
) -> Product:
    """Change a package; orders already placed keep their own price and duration snapshot. A price the payment
    channels cannot take is refused only when the price changes (`lowest_price_idr` as in `_validate`)."""
    product = get_product(session=session, product_id=product_id)
    unknown = set(changes) - set(PRODUCT_FIELDS) - {"description"}
    if unknown:
        raise ValidationFailed(f"cannot change {', '.join(sorted(unknown))} of a package")
    checked = ("slug", "name", "price_idr", "duration_days", "pool", "sort_order", "warranty_days", "sold_out_mode")
    merged = {k: changes.get(k, getattr(product, k)) for k in checked}
    price_changes = merged["price_idr"] != product.price_idr
    _validate(**merged, lowest_price_idr=lowest_price_idr if price_changes else None)
    before = snapshot(product, *PRODUCT_FIELDS)
    for key, value in changes.items():
        setattr(product, key, value)
    session.add(product)
    session.flush()
    audit_row(
        product,
        session=session,
        actor=actor,
        action="product.update",
        before=before,
        after=snapshot(product, *PRODUCT_FIELDS),
    )
    return product


def list_products(*, session: Session, active_only: bool = True) -> list[Product]:
    query = select(Product).order_by(col(Product.sort_order), col(Product.price_idr))
    if active_only:
        query = query.where(col(Product.is_active).is_(True))
    return list(session.exec(query))


@dataclass(frozen=True)
class CatalogueItem:
    product: Product
    free_seats: int

    @property
    def in_stock(self) -> bool:
        return self.free_seats > 0


def catalogue(*, session: Session) -> list[CatalogueItem]:
    """The packages on sale with the seats free right now in each one's pool."""
    products = list_products(session=session)
    seats = {pool: free_seats(session=session, pool=pool) for pool in {p.pool for p in products}}
    return [CatalogueItem(p, seats[p.pool]) for p in products]
