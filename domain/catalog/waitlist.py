"""The sold-out waitlist: a customer leaves an e-mail or a WhatsApp number on a package that stopped selling, and is
told once when its pool has a free seat again (the `waitlist_notify` job, every minute)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, func, select

from domain.notify.mail import Message, queue_email
from domain.seats.allocation import free_seats
from domain.shared.audit import audit_row, record_audit
from domain.shared.errors import NotFound, ValidationFailed
from domain.shared.i18n import t
from domain.shared.links import shop_link
from domain.shared.models import Order, OrderStatus, Product, WaitlistEntry, WhatsAppOutbox
from domain.shared.validation import normalize_email, normalize_locale, normalize_phone, unstorable
from infra.types import utcnow

BATCH = 200  # entries told per product per run; the next run tells the rest


@dataclass(frozen=True)
class Contact:
    email: str = ""
    phone: str = ""  # +62… (E.164)

    @property
    def shown(self) -> str:
        return self.email or self.phone


def parse_contact(value: str) -> Contact:
    """An e-mail address or an Indonesian mobile number, whichever was written; ValidationFailed otherwise."""
    text = (value or "").strip()
    if not text:
        raise ValidationFailed("contact is required", field="contact")
    try:
        return Contact(email=normalize_email(text)) if "@" in text else Contact(phone=normalize_phone(text))
    except ValidationFailed:
        raise ValidationFailed(f"{text!r} is neither an e-mail address nor a mobile number", field="contact") from None


def join_waitlist(
    *, session: Session, product_slug: str, contact: str, locale: str = "id", ip: str | None = None
) -> tuple[WaitlistEntry, bool]:
    """Put a customer on a package's waitlist; returns the entry and whether it is new (the same contact still
    waiting for the same package is not added twice)."""
    found = None if unstorable(product_slug) else select(Product).where(Product.slug == product_slug[:64])
    product = session.exec(found.where(col(Product.is_active))).first() if found is not None else None
    if product is None:
        raise NotFound(f"package {product_slug!r} is not for sale")
    who = parse_contact(contact)
    waiting = select(WaitlistEntry).where(
        WaitlistEntry.product_id == product.id,
        col(WaitlistEntry.notified_at).is_(None),
        WaitlistEntry.email == who.email,
        WaitlistEntry.phone == who.phone,
    )
    existing = session.exec(waiting).first()
    if existing is not None:
        return existing, False
    entry = WaitlistEntry(
        product_id=product.id,  # type: ignore[arg-type]
        email=who.email,
        phone=who.phone,
        locale=normalize_locale(locale),
    )
    session.add(entry)
    session.flush()
    audit_row(entry, session=session, actor="customer", action="waitlist.join", ip=ip, product=product.slug)
    return entry, True


def seats_for_newcomers(*, session: Session, pool: str) -> int:
    """Free seats of a pool once the paid orders already waiting in it are served."""
    queued = session.exec(
        select(func.count()).select_from(Order).where(Order.pool == pool, Order.status == OrderStatus.PENDING_STOCK)
    ).one()
    return free_seats(session=session, pool=pool) - int(queued)


def _tell(session: Session, entry: WaitlistEntry, product: Product) -> None:
    lang = entry.locale
    link = shop_link(f"/checkout/{product.slug}")
    body = t("mail.back_in_stock.body", lang, package=product.name, link=link)
    if entry.email:
        message = Message(
            subject=t("mail.back_in_stock.subject", lang, package=product.name),
            greeting=t("mail.greeting", lang, name="").replace(" ,", ","),
            paragraphs=[body],
            links=[(product.name, link)],
        )
        queue_email(session=session, to=entry.email, kind="back_in_stock", message=message, lang=lang)
    if entry.phone:  # delivered by the WhatsApp outbox job
        session.add(WhatsAppOutbox(to=entry.phone.lstrip("+"), kind="back_in_stock", text=body))


def notify_waitlist(*, session: Session, now: datetime | None = None) -> int:
    """Tell, once, everyone waiting for a package whose pool has a seat for them again; returns how many."""
    now = now or utcnow()
    waiting = session.exec(
        select(WaitlistEntry.product_id).where(col(WaitlistEntry.notified_at).is_(None)).distinct()
    ).all()
    told = 0
    for product_id in waiting:
        product = session.get(Product, product_id)
        if product is None or not product.is_active or seats_for_newcomers(session=session, pool=product.pool) <= 0:
            continue
        entries = session.exec(
            select(WaitlistEntry)
            .where(WaitlistEntry.product_id == product_id, col(WaitlistEntry.notified_at).is_(None))
            .order_by(col(WaitlistEntry.id))
            .limit(BATCH)
            .with_for_update(skip_locked=True)
        ).all()
        for entry in entries:
            _tell(session, entry, product)
            entry.notified_at = now
            session.add(entry)
        if entries:
            record_audit(
                session=session,
                actor="scheduler",
                action="waitlist.notify",
                entity="product",
                entity_id=product_id,
                told=len(entries),
            )
        told += len(entries)
    session.flush()
    return told


def waiting_counts(*, session: Session) -> dict[int, int]:
    """Per package id, how many waitlist contacts have not been told yet (the owner's packages table shows it:
    people who would buy if seats came back)."""
    rows = session.exec(
        select(WaitlistEntry.product_id, func.count())
        .where(col(WaitlistEntry.notified_at).is_(None))
        .group_by(col(WaitlistEntry.product_id))
    ).all()
    return {int(product_id): int(count) for product_id, count in rows}
