"""Customer messages on WhatsApp, kept like the e-mail outbox: a row written in the transaction of the event,
delivered by runtime/delivery.py through the injected `WhatsAppSender` (integrations/whatsapp.py). Only orders
whose customer asked for it (Order.notify_whatsapp, with a phone) get one. Messages are short and plain, and never
carry a password or a login code: they point to the order page, where those are shown."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Protocol

from sqlmodel import Session, col, select

from domain.shared.i18n import format_date, format_idr, language, t
from domain.shared.links import order_link
from domain.shared.models import Order, WhatsAppOutbox
from domain.shared.shop_settings import SHOP_CONFIG
from infra import settings as config
from infra.changes import announce
from infra.rows import call_after_commit, insert_at_commit
from infra.types import utcnow

MAX_TEXT = 1500  # short messages; far under what the gateways accept
RENEW_ANCHOR = "#perpanjang"  # the order page opens its renewal section there
_wake_delivery: Callable[[], None] | None = None


class WhatsAppSender(Protocol):
    """Sends one message to a number (62…, digits); raises with a message that never contains the token."""

    def send(self, *, to: str, text: str) -> None: ...


def on_whatsapp_committed(wake: Callable[[], None] | None) -> None:
    """Call `wake` after each transaction that queued a WhatsApp message has committed (the scheduler brings the
    WhatsApp job forward, as it does the e-mail outbox's); None stops."""
    global _wake_delivery
    _wake_delivery = wake


def _committed() -> None:
    if _wake_delivery is not None:
        _wake_delivery()


def wa_number(phone: str) -> str:
    """+62812… (as orders store it) → 62812… (what the gateway's `target` takes)."""
    return "".join(ch for ch in phone if ch.isdigit())


def whatsapp_on() -> bool:
    """Whether the shop sends WhatsApp messages (WHATSAPP_PROVIDER and its token set); when off nothing is queued,
    so turning it on later does not send months-old news."""
    return config.get_settings().whatsapp_configured


def queue_whatsapp(*, session: Session, to: str, kind: str, text: str, order_id: int | None = None) -> None:
    """Add a message to the WhatsApp outbox in the caller's transaction (written when it commits, due now); nothing
    when WhatsApp is off."""
    number = wa_number(to)
    if not number or not whatsapp_on():
        return
    values = {"to": number[:20], "kind": kind[:40], "text": text[:MAX_TEXT], "order_id": order_id}
    insert_at_commit(session=session, model=WhatsAppOutbox, values=values)
    call_after_commit(session=session, action=_committed)
    announce(session=session, topics=("whatsapp",))  # the admin's outbox follows it


class WaOrder(Protocol):
    """What a customer message needs of its order (an Order, or a row read in the transaction)."""

    @property
    def id(self) -> int | None: ...
    @property
    def code(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def locale(self) -> str: ...


def whatsapp_targets(*, session: Session, orders: Iterable[WaOrder]) -> dict[int, str]:
    """The phone of each order (by id) whose customer asked for WhatsApp messages: an Order's own columns, or
    one query for the rows that are not Orders."""
    found: dict[int, str] = {}
    unknown: list[int] = []
    for order in orders:
        if order.id is None:
            continue
        if isinstance(order, Order):
            if order.notify_whatsapp and order.phone:
                found[order.id] = order.phone
        else:
            unknown.append(order.id)
    if unknown:
        rows = session.exec(
            select(Order.id, Order.phone).where(
                col(Order.id).in_(unknown), col(Order.notify_whatsapp).is_(True), Order.phone != ""
            )
        )
        found.update({row_id: phone for row_id, phone in rows if row_id is not None})
    return found


def _signed(session: Session, lines: list[str]) -> str:
    """The lines as one message, signed with the shop's name (the owner's setting)."""
    return "\n\n".join([*lines, f"— {SHOP_CONFIG.get(session=session).shop_name}"])


def _to_order(session: Session, order: WaOrder, kind: str, lines: list[str], phone: str | None = None) -> None:
    if not whatsapp_on():
        return
    if phone is None:
        phone = whatsapp_targets(session=session, orders=[order]).get(order.id or -1)
    if phone:
        text = _signed(session, lines)
        queue_whatsapp(session=session, to=phone, kind=kind, text=text, order_id=order.id)


def _hello(order: WaOrder) -> str:
    return t("mail.greeting", language(order.locale), name=order.name or "").replace(" ,", ",")


def wa_order_created(*, session: Session, order: Order, package: str) -> None:
    """How much, by when, and the link to pay."""
    lang = language(order.locale)
    deadline = format_date(order.payment_expires_at, lang) if order.payment_expires_at else "-"
    amount = format_idr(order.amount_idr)
    body = t("wa.order_created", lang, code=order.code, package=package, amount=amount, deadline=deadline)
    lines = [_hello(order), body]
    if order.checkout_url:
        lines.append(t("wa.pay_link", lang, link=order.checkout_url))
    lines.append(t("wa.order_link", lang, link=order_link(order.code)))
    _to_order(session, order, "order_created", lines)


def wa_access_ready(*, session: Session, order: Order, until: datetime, moved: bool = False) -> None:
    """Access is ready (or moved to another account): the order page has the login; never the password here."""
    lang = language(order.locale)
    key = "wa.moved" if moved else "wa.access_ready"
    body = t(key, lang, code=order.code, date=format_date(until, lang))
    link = t("wa.order_link", lang, link=order_link(order.code))
    _to_order(session, order, "access_moved" if moved else "access_ready", [_hello(order), body, link])


def wa_login_changed(*, session: Session, order: WaOrder, until: datetime) -> None:
    """The shared login's password changed: open the order page for the new one."""
    lang = language(order.locale)
    body = t("wa.login_changed", lang, code=order.code, date=format_date(until, lang))
    link = t("wa.order_link", lang, link=order_link(order.code))
    _to_order(session, order, "login_changed", [_hello(order), body, link])


def wa_refunded(*, session: Session, order: Order) -> None:
    """The money given back: amount, method and when."""
    lang = language(order.locale)
    _to_order(session, order, "refunded", [_hello(order), refund_text(order, lang)])


def refund_text(order: Order, lang: str) -> str:
    """'Rp 50.000 dikembalikan lewat transfer bank pada 2 Desember 2026, 10.00 WIB.' (for e-mail and WhatsApp)."""
    amount = format_idr(order.refunded_amount_idr or 0)
    when = format_date(order.refunded_at or utcnow(), lang)
    if not order.refunded_amount_idr:
        return t("wa.refund_none", lang, code=order.code, date=when)
    method = t(f"refund_method.{order.refund_method}", lang) if order.refund_method else ""
    if method.startswith("refund_method."):
        method = order.refund_method or ""
    key = "wa.refund" if method else "wa.refund_no_method"
    return t(key, lang, code=order.code, amount=amount, method=method, date=when)


class WaSeat(Protocol):
    """What a seat message needs of the seat (an AccountAssignment, or a row read in the transaction)."""

    @property
    def end_at(self) -> datetime: ...
    @property
    def ended_at(self) -> datetime | None: ...


def seat_news_text(order: WaOrder, seat: WaSeat, kind: str) -> list[str] | None:
    """The lines of a seat message (reminder, ended, revoked, extended), or None for a kind WhatsApp skips."""
    lang = language(order.locale)
    if kind == "reminder":
        body = t("wa.reminder", lang, code=order.code, date=format_date(seat.end_at, lang))
        return [_hello(order), body, t("wa.renew_link", lang, link=order_link(order.code) + RENEW_ANCHOR)]
    if kind == "seat_ended":
        body = t("wa.ended", lang, code=order.code, date=format_date(seat.ended_at or seat.end_at, lang))
        return [_hello(order), body, t("wa.renew_link", lang, link=order_link(order.code) + RENEW_ANCHOR)]
    if kind == "seat_revoked":
        body = t("wa.revoked", lang, code=order.code, date=format_date(seat.ended_at or utcnow(), lang))
        return [_hello(order), body, t("wa.order_link", lang, link=order_link(order.code))]
    if kind == "seat_extended":
        body = t("wa.extended", lang, code=order.code, date=format_date(seat.end_at, lang))
        return [_hello(order), body, t("wa.order_link", lang, link=order_link(order.code))]
    return None


def wa_seat_news_many(*, session: Session, news: Iterable[tuple[WaOrder, WaSeat]], kind: str, days: int = 0) -> None:
    """The WhatsApp twin of the seat e-mails, for the orders that asked for it (one query for the batch)."""
    news = list(news)
    if not news or not whatsapp_on():
        return
    targets = whatsapp_targets(session=session, orders=[order for order, _ in news])
    for order, seat in news:
        phone = targets.get(order.id or -1)
        lines = seat_news_text(order, seat, kind) if phone else None
        if phone and lines:
            wa_kind = f"reminder_{days}d" if kind == "reminder" else kind
            _to_order(session, order, wa_kind, lines, phone=phone)


def wa_owner_sale(*, session: Session, owner_phone: str, order: Order, link: str) -> None:
    """The owner's new-sale notice on WhatsApp (in Indonesian, the owner's language)."""
    amount = format_idr(order.paid_amount_idr or order.amount_idr)
    method = f" · {order.payment_method}" if order.payment_method else ""
    text = f"Pesanan baru dibayar: {order.code} · {amount}{method}\n\n{link}"
    queue_whatsapp(session=session, to=owner_phone, kind="owner_sale", text=text, order_id=order.id)
