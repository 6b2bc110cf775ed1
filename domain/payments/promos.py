"""Promo codes: the owner creates, edits and deactivates them; checkout quotes and applies one in the order's own
transaction (the code row locked, so two checkouts for its last use cannot both pass), audited as "promo.use"."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, func, select

from domain.shared.audit import admin_actor, audit_row, snapshot
from domain.shared.errors import Conflict, NotFound, ValidationFailed
from domain.shared.i18n import WIB, format_idr, t
from domain.shared.models import AdminUser, Order, OrderStatus, Product, PromoCode, PromoKind, PromoUse
from domain.shared.validation import parse_rupiah, parse_whole_number, storable, unstorable
from infra.types import utcnow

CODE_PATTERN = re.compile(r"[A-Z0-9][A-Z0-9_-]{2,31}")
# an order that lapsed unpaid gives its use back
LAPSED = (OrderStatus.PAYMENT_EXPIRED, OrderStatus.PAYMENT_FAILED)
OWNER_ONLY = "Hanya pemilik (owner) yang boleh mengubah kode promo."
FIELDS = (
    "code",
    "kind",
    "value",
    "min_amount_idr",
    "max_uses",
    "max_uses_per_customer",
    "valid_from",
    "valid_until",
    "product_ids",
    "is_active",
    "note",
)


class PromoRefused(ValidationFailed):
    """The code cannot be used for this order; `key` and `params` name the customer's text (domain/shared/i18n)."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(t(key, "id", **params), field="promo_code")
        self.key, self.params = key, params

    def text(self, lang: str) -> str:
        return t(self.key, lang, **self.params)


@dataclass(frozen=True)
class PromoQuote:
    code: str
    price_idr: int
    discount_idr: int

    @property
    def total_idr(self) -> int:
        return self.price_idr - self.discount_idr


def normalize_code(value: str) -> str:
    """A code as stored: trimmed, upper case."""
    return (value or "").strip().upper()


def uses_of(*, session: Session, promo_id: int, customer: str | None = None) -> int:
    """The uses counting toward a code's limits (orders that lapsed unpaid do not), of one customer when given."""
    query = (
        select(func.count())
        .select_from(PromoUse)
        .join(Order, col(Order.id) == col(PromoUse.order_id))
        .where(PromoUse.promo_code_id == promo_id, col(Order.status).not_in(LAPSED))
    )
    if customer is not None:
        query = query.where(PromoUse.customer == customer.strip().lower())
    return int(session.exec(query).one())


def _find(*, session: Session, code: str, lock: bool) -> PromoCode:
    wanted = normalize_code(code)
    if not CODE_PATTERN.fullmatch(wanted):  # no code looks like it (nor reaches the database: NUL, surrogates)
        raise PromoRefused("promo.unknown")
    query = select(PromoCode).where(PromoCode.code == wanted)
    if lock:  # PostgreSQL: the row lock serialises uses of one code; SQLite's BEGIN IMMEDIATE already does
        query = query.with_for_update().execution_options(populate_existing=True)
    promo = session.exec(query).first()
    if promo is None:
        raise PromoRefused("promo.unknown")
    return promo


def quote_promo(
    *, session: Session, code: str, product: Product, email: str, floor_idr: int | None, lock: bool = False
) -> tuple[PromoCode, PromoQuote]:
    """The discount `code` gives this customer on this package, or PromoRefused saying why not. The total never
    goes below `floor_idr` (the least amount a payment channel takes) nor below Rp 1."""
    promo = _find(session=session, code=code, lock=lock)
    now = utcnow()
    if not promo.is_active or (promo.valid_until is not None and now > promo.valid_until):
        raise PromoRefused("promo.ended")
    if promo.valid_from is not None and now < promo.valid_from:
        raise PromoRefused("promo.not_yet")
    if promo.product_ids and product.id not in promo.product_ids:
        raise PromoRefused("promo.not_for_package")
    if product.price_idr < promo.min_amount_idr:
        raise PromoRefused("promo.minimum", amount=format_idr(promo.min_amount_idr))
    assert promo.id is not None
    if promo.max_uses is not None and uses_of(session=session, promo_id=promo.id) >= promo.max_uses:
        raise PromoRefused("promo.used_up")
    customer = "" if unstorable(email) else email.strip().lower()[:254]
    if promo.max_uses_per_customer is not None and customer:
        if uses_of(session=session, promo_id=promo.id, customer=customer) >= promo.max_uses_per_customer:
            raise PromoRefused("promo.used_by_you")
    wanted = product.price_idr * promo.value // 100 if promo.kind == PromoKind.PERCENT else promo.value
    discount = min(wanted, product.price_idr - max(floor_idr or 0, 1))
    if discount <= 0:
        raise PromoRefused("promo.too_low")
    return promo, PromoQuote(code=promo.code, price_idr=product.price_idr, discount_idr=discount)


def apply_promo(*, session: Session, order: Order, code: str, floor_idr: int | None, actor: str) -> PromoQuote:
    """Apply `code` to a new unpaid order in its transaction: the code row locked and its limits re-counted, the
    order's amount lowered, one PromoUse row, audited. PromoRefused (the caller rolls back) when it does not apply."""
    product = session.get(Product, order.product_id)
    if product is None or order.id is None:
        raise NotFound("the order's package is gone")
    promo, quote = quote_promo(
        session=session, code=code, product=product, email=order.email, floor_idr=floor_idr, lock=True
    )
    assert promo.id is not None
    order.amount_idr = quote.total_idr
    order.discount_idr = quote.discount_idr
    order.promo_code_id = promo.id
    session.add(order)
    session.add(
        PromoUse(
            promo_code_id=promo.id, order_id=order.id, customer=order.email.lower(), discount_idr=quote.discount_idr
        )
    )
    session.flush()
    audit_row(
        promo,
        session=session,
        actor=actor,
        action="promo.use",
        order_code=order.code,
        code=promo.code,
        price_idr=quote.price_idr,
        discount_idr=quote.discount_idr,
        amount_idr=quote.total_idr,
    )
    return quote


# --- the owner's side -------------------------------------------------------------------------------------------


def _owner(session: Session, admin_id: int) -> AdminUser:
    admin = session.get(AdminUser, admin_id)
    if admin is None or not admin.is_active or admin.role != "owner":
        raise Conflict(OWNER_ONLY)
    return admin


def _optional_count(value: Any, field: str, label: str) -> int | None:
    if value is None or str(value).strip() == "":
        return None
    try:
        return parse_whole_number(value, field, minimum=1, maximum=1_000_000)
    except ValidationFailed:
        raise ValidationFailed(
            f"{label} harus angka bulat 1–1.000.000, atau kosong (tanpa batas).", field=field
        ) from None


def _moment(value: Any, field: str, label: str) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = datetime.fromisoformat(str(value).strip())
        except ValueError:
            raise ValidationFailed(f"{label} tidak terbaca; pakai format 2026-12-31 23:59.", field=field) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=WIB)  # the owner's clock: WIB


def check_promo_fields(*, session: Session, data: dict[str, Any]) -> dict[str, Any]:
    """Every field of a code checked, with an Indonesian message for the first that is wrong (nothing saved)."""
    code = normalize_code(str(data.get("code", "")))
    if not CODE_PATTERN.fullmatch(code):
        raise ValidationFailed("Kode promo 3–32 karakter: huruf, angka, - atau _.", field="code")
    kind = str(data.get("kind", ""))
    if kind not in (PromoKind.PERCENT, PromoKind.FIXED):
        raise ValidationFailed("Pilih jenis potongan: persen atau rupiah.", field="kind")
    if kind == PromoKind.PERCENT:
        try:
            value = parse_whole_number(data.get("value", ""), "value", minimum=1, maximum=100)
        except ValidationFailed:
            raise ValidationFailed("Potongan persen harus angka bulat 1–100.", field="value") from None
    else:
        try:
            value = parse_rupiah(data.get("value", ""), "value")
        except ValidationFailed:
            raise ValidationFailed(
                "Potongan rupiah harus jumlah bulat, misalnya 10000 atau 10.000.", field="value"
            ) from None
    minimum_text = str(data.get("min_amount_idr") or "").strip()
    try:
        minimum = parse_rupiah(minimum_text, "min_amount_idr") if minimum_text not in ("", "0") else 0
    except ValidationFailed:
        raise ValidationFailed(
            "Minimal pembelian harus jumlah rupiah bulat, atau kosong.", field="min_amount_idr"
        ) from None
    valid_from = _moment(data.get("valid_from"), "valid_from", "Berlaku mulai")
    valid_until = _moment(data.get("valid_until"), "valid_until", "Berlaku sampai")
    if valid_from and valid_until and valid_until <= valid_from:
        raise ValidationFailed("'Berlaku sampai' harus setelah 'Berlaku mulai'.", field="valid_until")
    product_ids = sorted({int(p) for p in data.get("product_ids") or []})
    known = (
        set(session.exec(select(Product.id).where(col(Product.id).in_(product_ids))).all()) if product_ids else set()
    )
    if set(product_ids) - known:
        raise ValidationFailed("Ada paket yang tidak dikenal.", field="product_ids")
    return {
        "code": code,
        "kind": kind,
        "value": value,
        "min_amount_idr": minimum,
        "max_uses": _optional_count(data.get("max_uses"), "max_uses", "Batas pemakaian"),
        "max_uses_per_customer": _optional_count(
            data.get("max_uses_per_customer"), "max_uses_per_customer", "Batas per pelanggan"
        ),
        "valid_from": valid_from,
        "valid_until": valid_until,
        "product_ids": product_ids,
        "is_active": bool(data.get("is_active", True)),
        "note": storable(str(data.get("note") or "").strip()[:200], "note"),
    }


def save_promo(
    *, session: Session, admin_id: int, data: dict[str, Any], promo_id: int | None = None, ip: str | None = None
) -> PromoCode:
    """Create a code (promo_id None) or edit one; owner only, every field checked, audited with before and after."""
    admin = _owner(session, admin_id)
    fields = check_promo_fields(session=session, data=data)
    clash = session.exec(select(PromoCode).where(PromoCode.code == fields["code"])).first()
    if clash is not None and clash.id != promo_id:
        raise ValidationFailed(f"Kode {fields['code']} sudah ada.", field="code")
    if promo_id is None:
        promo, before = PromoCode(**fields), None
    else:
        found = session.get(PromoCode, promo_id)
        if found is None:
            raise NotFound(f"Kode promo #{promo_id} tidak ada.")
        promo, before = found, snapshot(found, *FIELDS)
        for name, value in fields.items():
            setattr(promo, name, value)
    session.add(promo)
    session.flush()
    after = snapshot(promo, *FIELDS)
    if before == after:
        return promo
    audit_row(
        promo,
        session=session,
        actor=admin_actor(admin.email),
        action="promo.create" if before is None else "promo.update",
        before=before,
        after=after,
        ip=ip,
    )
    return promo


def deactivate_promo(*, session: Session, admin_id: int, promo_id: int, ip: str | None = None) -> PromoCode:
    """Stop a code from being used (its past uses stay); owner only, audited."""
    admin = _owner(session, admin_id)
    promo = session.get(PromoCode, promo_id)
    if promo is None:
        raise NotFound(f"Kode promo #{promo_id} tidak ada.")
    if promo.is_active:
        promo.is_active = False
        session.add(promo)
        session.flush()
        audit_row(
            promo, session=session, actor=admin_actor(admin.email), action="promo.deactivate", ip=ip, code=promo.code
        )
    return promo


@dataclass(frozen=True)
class PromoRow:
    promo: PromoCode
    uses: int
    discount_idr: int  # given so far, on orders that did not lapse


def promo_rows(*, session: Session) -> list[PromoRow]:
    """Every code, newest first, with its counted uses and the discount they gave."""
    counted = (
        select(PromoUse.promo_code_id, func.count(), func.coalesce(func.sum(PromoUse.discount_idr), 0))
        .join(Order, col(Order.id) == col(PromoUse.order_id))
        .where(col(Order.status).not_in(LAPSED))
        .group_by(col(PromoUse.promo_code_id))
    )
    totals = {pid: (int(n), int(s)) for pid, n, s in session.exec(counted).all()}
    promos = session.exec(select(PromoCode).order_by(col(PromoCode.id).desc())).all()
    return [PromoRow(p, *totals.get(p.id, (0, 0))) for p in promos]  # type: ignore[arg-type]


def preview_promo(*, session: Session, code: str, product_slug: str, email: str, floor_idr: int | None) -> PromoQuote:
    """What `code` would take off this package for this customer now (checkout's "Pakai"); nothing written."""
    found = None if unstorable(product_slug) else select(Product).where(Product.slug == product_slug[:64])
    product = session.exec(found.where(col(Product.is_active))).first() if found is not None else None
    if product is None:
        raise NotFound(f"package {product_slug!r} is not for sale")
    return quote_promo(session=session, code=code, product=product, email=email, floor_idr=floor_idr)[1]
