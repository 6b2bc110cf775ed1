"""The e-mail outbox (invariant 6): every e-mail is a row written in the same transaction as the
change that causes it; a job delivers the rows. Texts come from the translation catalogue."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from datetime import datetime
from html import escape
from pathlib import Path
from typing import Protocol

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import escape as escape_html
from sqlmodel import Session, col, select

from domain.notify.whatsapp import (
    WaOrder,
    WaSeat,
    refund_text,
    wa_access_ready,
    wa_order_created,
    wa_refunded,
    wa_seat_news_many,
)
from domain.shared.crypto import decrypt_secret
from domain.shared.i18n import format_date, format_idr, language, t
from domain.shared.links import order_link, shop_link
from domain.shared.models import AccountAssignment, Delivery, EmailOutbox, Order, Product
from domain.shared.seat_terms import workspace_name
from domain.shared.shop_settings import SHOP_CONFIG, ShopConfig
from domain.shared.validation import normalize_email
from infra.changes import announce
from infra.rows import call_after_commit, insert_at_commit
from infra.types import utcnow

_wake_delivery: Callable[[], None] | None = None
SECRET_MASK = "••••••••"  # stands in the stored bodies where the password goes at sending


@dataclass(frozen=True)
class OutgoingMail:
    """An e-mail as it leaves: the outbox row's bodies with the secret put in (held only while sending)."""

    to: str
    kind: str
    subject: str
    text: str
    html: str


def outgoing(row: EmailOutbox) -> OutgoingMail:
    """The row ready to send: its encrypted secret decrypted into the bodies in place of the mask."""
    text, html = row.text, row.html
    if row.secret_enc:
        secret = decrypt_secret(row.secret_enc)
        text, html = text.replace(SECRET_MASK, secret), html.replace(SECRET_MASK, escape(secret))
    return OutgoingMail(to=row.to, kind=row.kind, subject=row.subject, text=text, html=html)


def forget_secret(row: EmailOutbox) -> None:
    """Once an e-mail is SENT or FAILED, its secret is kept nowhere in the outbox."""
    row.secret_enc = None


class MailError(Exception):
    """The message could not be handed to the mail server."""


class MailSender(Protocol):
    """Hands outbox e-mails to a mail server (integrations/smtp.py); raises MailError when it cannot."""

    def batch(self) -> AbstractContextManager[None]:
        """One connection for the messages sent inside (a delivery run)."""
        ...

    def send(self, mail: OutgoingMail) -> None: ...


def on_mail_committed(wake: Callable[[], None] | None) -> None:
    """Call `wake` after each transaction that queued an e-mail due now has committed (the scheduler
    sets it so that the outbox job runs within a second instead of at its next interval); None stops."""
    global _wake_delivery
    _wake_delivery = wake


def _mail_committed() -> None:
    if _wake_delivery is not None:  # else the outbox job finds the mail at its interval
        _wake_delivery()


_templates = Environment(
    loader=FileSystemLoader(Path(__file__).with_name("templates")),
    autoescape=select_autoescape(["html"]),
    keep_trailing_newline=True,
)


@dataclass
class Message:
    subject: str
    greeting: str
    paragraphs: list[str] = field(default_factory=list)
    details: list[tuple[str, str]] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)
    footer: str = ""
    shop: str = "AksesGPT"  # the shop's name, at the top (HTML) and as the signature (text)

    def render(self, lang: str) -> tuple[str, str]:
        context = {"lang": lang, **self.__dict__}
        return _templates.get_template("message.html").render(context), _templates.get_template("message.txt").render(
            context
        )


_SLOT = "\ue000{}\ue001"  # private-use characters: HTML escaping leaves them as they are
_SLOTS = re.compile("\ue000(\\d+)\ue001")


class BatchRenderer:
    """Renders many messages as Message.render does, at a fraction of the cost: the templates are rendered once
    per language and shape (how many paragraphs, details and links; whether a footer) with numbered slots in
    place of the texts, and each message's texts go into the slots (HTML-escaped in the HTML, as the template's
    autoescape does; as they are in the text). The templates only print the texts, so this is the same output;
    in case one day they do more, the first message of each shape is also rendered directly, and a shape whose
    filled skeleton differs from it is rendered directly from then on."""

    def __init__(self) -> None:
        self._skeletons: dict[tuple[str, int, int, int, bool], tuple[str, str] | None] = {}
        self._escaped: dict[str, str] = {}  # the batch's messages share most of their texts

    def render(self, message: Message, lang: str) -> tuple[str, str]:
        texts = [
            message.subject,
            message.greeting,
            *message.paragraphs,
            *(text for pair in message.details for text in pair),
            *(text for pair in message.links for text in pair),
            message.shop,
            message.footer,  # last: a message without one has no slot for it
        ]
        shape = (lang, len(message.paragraphs), len(message.details), len(message.links), bool(message.footer))
        skeleton = self._skeletons.get(shape)
        if skeleton is None:
            if shape in self._skeletons:  # a shape the slots do not render faithfully
                return message.render(lang)
            direct = message.render(lang)
            html, text = _skeleton(message).render(lang)
            skeleton = _as_format(html), _as_format(text)
            self._skeletons[shape] = skeleton if self._fill(skeleton, texts) == direct else None
            return direct
        return self._fill(skeleton, texts)

    def _fill(self, skeleton: tuple[str, str], texts: list[str]) -> tuple[str, str]:
        escaped = self._escaped
        for value in texts:
            if value not in escaped:
                escaped[value] = str(escape_html(value))
        html, text = skeleton
        return html.format(*(escaped[value] for value in texts)), text.format(*texts)


def _skeleton(message: Message) -> Message:
    """The message's shape with numbered slots for its texts (numbered as BatchRenderer lists them)."""
    slots = (_SLOT.format(n) for n in range(1_000_000))
    return Message(
        subject=next(slots),
        greeting=next(slots),
        paragraphs=[next(slots) for _ in message.paragraphs],
        details=[(next(slots), next(slots)) for _ in message.details],
        links=[(next(slots), next(slots)) for _ in message.links],
        shop=next(slots),
        footer=next(slots) if message.footer else "",
    )


def _as_format(rendered: str) -> str:
    """A rendering with slots as a str.format template: braces doubled, each slot `{n}`."""
    parts = _SLOTS.split(rendered)  # text, slot number, text, slot number, …, text
    return "".join(
        "{" + part + "}" if odd else part.replace("{", "{{").replace("}", "}}")
        for odd, part in ((i % 2 == 1, part) for i, part in enumerate(parts))
    )


def for_shop(message: Message, config: ShopConfig, lang: str) -> Message:
    """The message as the shop signs it (the owner's settings): its name, and a customer's message (one with a
    footer) ends with the support line ("Need help? WhatsApp +62… · help@…") when a contact is known."""
    footer, contact = message.footer, config.contact
    if footer and contact:
        footer = f"{footer} {t('mail.support', lang, contact=contact)}"
    return replace(message, footer=footer, shop=config.shop_name)


def queue_email(
    *,
    session: Session,
    to: str,
    kind: str,
    message: Message,
    lang: str,
    order_id: int | None = None,
    due_at: datetime | None = None,
    secret_enc: str | None = None,
) -> None:
    """Add an e-mail to the outbox in the caller's transaction (due now, or at `due_at`); the row is
    written when the transaction commits, with the transaction's other e-mails. A message with a secret
    shows SECRET_MASK where it goes and passes the secret already encrypted (`secret_enc`). The shop signs it
    (`for_shop`)."""
    lang = language(lang)
    message = for_shop(message, SHOP_CONFIG.get(session=session), lang)
    html, text = message.render(lang)
    _queue_rendered(
        session=session,
        to=to,
        kind=kind,
        subject=message.subject,
        html=html,
        text=text,
        order_id=order_id,
        due_at=due_at,
        secret_enc=secret_enc,
    )


def _queue_rendered(
    *,
    session: Session,
    to: str,
    kind: str,
    subject: str,
    html: str,
    text: str,
    order_id: int | None,
    due_at: datetime | None = None,
    secret_enc: str | None = None,
) -> None:
    values: dict[str, object] = {
        "to": to,
        "kind": kind,
        "subject": subject[:250],
        "html": html,
        "text": text,
        "order_id": order_id,
        "secret_enc": secret_enc,
    }
    if due_at is not None:
        values["next_attempt_at"] = due_at
    if due_at is None or due_at <= utcnow():
        call_after_commit(session=session, action=_mail_committed)
    insert_at_commit(session=session, model=EmailOutbox, values=values)
    announce(session=session, topics=("mail",))  # the admin's outbox follows it


def queue_order_created(*, session: Session, order: Order) -> None:
    """How to pay, and the order link."""
    lang = order.locale
    product = session.get(Product, order.product_id)
    deadline = format_date(order.payment_expires_at, lang) if order.payment_expires_at else "-"
    message = Message(
        subject=t("mail.order_created.subject", lang, code=order.code),
        greeting=t("mail.greeting", lang, name=order.name),
        paragraphs=[
            t(
                "mail.order_created.body",
                lang,
                package=product.name if product else "",
                amount=format_idr(order.amount_idr + (order.fee_customer_idr or 0)),  # the channel's fee included
                deadline=deadline,
            )
        ],
        details=[(t("order.pay_code", lang), order.pay_code)] if order.pay_code else [],
        links=[(t("order.title", lang, code=order.code), order_link(order.code))],
        footer=t("mail.footer", lang),
    )
    queue_email(session=session, to=order.email, kind="order_created", message=message, lang=lang, order_id=order.id)
    wa_order_created(session=session, order=order, package=product.name if product else "")


def queue_order_lookup(*, session: Session, email: str, lang: str) -> int:
    """E-mail the links of every order placed with `email`; returns how many (0 sends nothing).
    The caller answers the same whatever the count, so the lookup reveals nothing."""
    try:
        address = normalize_email(email)
    except Exception:
        return 0
    orders = list(
        session.exec(select(Order).where(Order.email == address).order_by(col(Order.created_at).desc()).limit(20))
    )
    if not orders:
        return 0
    lang = language(lang)
    message = Message(
        subject=t("mail.lookup.subject", lang),
        greeting=t("mail.greeting", lang, name=orders[0].name),
        paragraphs=[t("mail.lookup.body", lang)],
        links=[
            (
                f"{o.code} — {t(f'status.{o.status}', lang)} — {format_date(o.created_at, lang, with_time=False)}",
                order_link(o.code),
            )
            for o in orders
        ],
        footer=t("mail.footer", lang),
    )
    queue_email(session=session, to=address, kind="order_lookup", message=message, lang=lang)
    return len(orders)


def _order_message(
    order: NewsOrder,
    subject: str,
    paragraphs: list[str],
    *,
    details: list[tuple[str, str]] | None = None,
    renew: bool | str = False,
) -> Message:
    lang = order.locale
    links = [(t("order.title", lang, code=order.code), order_link(order.code))]
    if renew == "seat":  # the one-tap renewal: the order page opens its "Perpanjang" section
        links.append((t("mail.renew_seat", lang), order_link(order.code) + "&renew=1#perpanjang"))
    elif renew:
        links.append((t("mail.renew", lang), shop_link("/")))
    return Message(
        subject=subject,
        greeting=t("mail.greeting", lang, name=order.name),
        paragraphs=paragraphs,
        details=details or [],
        links=links,
        footer=t("mail.footer", lang),
    )


class AccessAccount(Protocol):
    """What the access e-mail needs of an account (an object, or a row read in the transaction)."""

    @property
    def email(self) -> str: ...
    @property
    def delivery(self) -> str: ...
    @property
    def display_name(self) -> str: ...
    @property
    def password_enc(self) -> str: ...


CHATGPT_URL = "https://chatgpt.com"


def login_steps(account: AccessAccount, seat: AccountAssignment, lang: str) -> list[str]:
    """How to get in, as numbered lines: a shared login's (with where the verification code is), or an
    invitation's."""
    if account.delivery == Delivery.CREDENTIALS:
        steps = [
            t("order.cred.step.open", lang),
            t("order.cred.step.login", lang, email=account.email),
            t("mail.steps.code", lang),
            t("order.dont_change", lang),
        ]
    else:
        workspace = workspace_name(display_name=account.display_name)
        steps = [
            t("order.step.mail", lang, email=seat.customer_email),
            t("order.step.join", lang),
            t("order.step.login", lang, email=seat.customer_email),
            t("order.step.switch", lang, workspace=workspace),
        ]
    return [f"{t('order.steps', lang)}:", *(f"{n}. {step}" for n, step in enumerate(steps, 1))]


def queue_access_ready(
    *, session: Session, order: Order, seat: AccountAssignment, account: AccessAccount, moved: bool = False
) -> None:
    """The only e-mail that carries a password: the shared login of a CREDENTIALS account. `moved`: the customer
    had a seat elsewhere (the account died, or the owner moved them) and this is their new access."""
    lang, until = order.locale, format_date(seat.end_at, order.locale)
    lead = [t("mail.moved.body", lang, date=until)] if moved else []
    subject = (
        t("mail.moved.subject", lang, code=order.code) if moved else t("mail.access.subject", lang, code=order.code)
    )
    if account.delivery == Delivery.CREDENTIALS:
        paragraphs = [*lead, t("mail.access.credentials" + ("_moved" if moved else ""), lang, date=until)]
        details = [(t("order.login_email", lang), account.email), (t("order.password", lang), SECRET_MASK)]
        secret_enc: str | None = account.password_enc  # encrypted already: put in only when the e-mail leaves
    else:
        workspace = workspace_name(display_name=account.display_name)
        key = "mail.access.invite" + ("_moved" if moved else "")
        paragraphs = [*lead, t(key, lang, workspace=workspace, email=seat.customer_email, date=until)]
        details, secret_enc = [], None
    paragraphs += login_steps(account, seat, lang)
    message = _order_message(order, subject, paragraphs, details=details)
    message.links.append((t("order.open_chatgpt", lang), CHATGPT_URL))
    queue_email(
        session=session,
        to=order.email,
        kind="access_moved" if moved else "access_ready",
        message=message,
        lang=lang,
        order_id=order.id,
        secret_enc=secret_enc,
    )
    wa_access_ready(session=session, order=order, until=seat.end_at, moved=moved)


def queue_pending_stock(*, session: Session, order: Order) -> None:
    lang = order.locale
    message = _order_message(
        order, t("mail.pending_stock.subject", lang, code=order.code), [t("mail.pending_stock.body", lang)]
    )
    queue_email(session=session, to=order.email, kind="pending_stock", message=message, lang=lang, order_id=order.id)


class NewsOrder(WaOrder, Protocol):
    """What a seat e-mail needs of its order (an object, or a row read in the transaction): a WhatsApp message's
    needs, and the address."""

    @property
    def email(self) -> str: ...


class NewsSeat(WaSeat, Protocol):
    """What a seat e-mail needs of the seat: a WhatsApp message's needs, and why it ended."""

    @property
    def end_reason(self) -> str | None: ...


def queue_seat_news(*, session: Session, order: NewsOrder, seat: NewsSeat, kind: str, days: int = 0) -> None:
    """A change to a seat: reminder (3 or 1 day before), ended, revoked (with reason) or extended."""
    message = _seat_message(order, seat, kind, days)
    queue_email(
        session=session,
        to=order.email,
        kind=_seat_kind(kind, days),
        message=message,
        lang=order.locale,
        order_id=order.id,
    )
    wa_seat_news_many(session=session, news=[(order, seat)], kind=kind, days=days)


def queue_seat_news_many(
    *, session: Session, news: Sequence[tuple[NewsOrder, NewsSeat]], kind: str, days: int = 0
) -> None:
    """queue_seat_news for each `(order, seat)`, the same e-mails, rendered a batch at a time (BatchRenderer)."""
    renderer = BatchRenderer()
    if not news:
        return
    config = SHOP_CONFIG.get(session=session)
    for order, seat in news:
        lang = language(order.locale)
        message = for_shop(_seat_message(order, seat, kind, days), config, lang)
        html, text = renderer.render(message, lang)
        _queue_rendered(
            session=session,
            to=order.email,
            kind=_seat_kind(kind, days),
            subject=message.subject,
            html=html,
            text=text,
            order_id=order.id,
        )
    wa_seat_news_many(session=session, news=news, kind=kind, days=days)


def _seat_kind(kind: str, days: int) -> str:
    return kind if kind != "reminder" else f"reminder_{days}d"


def _seat_subject(order: NewsOrder, seat: NewsSeat, kind: str, days: int) -> str:
    lang, code = order.locale, order.code
    if kind == "reminder":
        return t("mail.reminder.subject_1", lang) if days == 1 else t("mail.reminder.subject", lang, days=days)
    if kind == "seat_ended":
        return t("mail.ended.subject", lang, code=code)
    if kind == "seat_revoked":
        return t("mail.revoked.subject", lang, code=code)
    if kind == "seat_extended":
        return t("mail.extended.subject", lang, code=code)
    raise ValueError(f"unknown seat e-mail {kind!r}")


def _seat_message(order: NewsOrder, seat: NewsSeat, kind: str, days: int) -> Message:
    lang, code = order.locale, order.code
    subject = _seat_subject(order, seat, kind, days)
    if kind == "reminder":
        body = t("mail.reminder.body", lang, code=code, date=format_date(seat.end_at, lang))
    elif kind == "seat_ended":
        body = t("mail.ended.body", lang, date=format_date(seat.ended_at or seat.end_at, lang))
    elif kind == "seat_revoked":
        body = t(
            "mail.revoked.body", lang, date=format_date(seat.ended_at or utcnow(), lang), reason=seat.end_reason or ""
        )
    else:  # seat_extended (_seat_subject refused any other)
        body = t("mail.extended.body", lang, date=format_date(seat.end_at, lang))
    renew: bool | str = "seat" if kind in ("reminder", "seat_ended") else kind == "seat_revoked"
    return _order_message(order, subject, [body], renew=renew)


def queue_refunded(*, session: Session, order: Order, had_seat: bool) -> None:
    """The money given back: amount, method and when (and that the access ended, when there was one)."""
    lang = language(order.locale)
    paragraphs = [refund_text(order, lang)]
    if had_seat:
        paragraphs.append(t("mail.refunded.access", lang))
    message = _order_message(order, t("mail.refunded.subject", lang, code=order.code), paragraphs)
    queue_email(session=session, to=order.email, kind="refunded", message=message, lang=lang, order_id=order.id)
    wa_refunded(session=session, order=order)


def queue_admin_alert(
    *, session: Session, to: list[str], subject: str, body: str, due_at: datetime | None = None
) -> None:
    """An alert for the shop's admins, in Indonesian (the owner's language), one row per admin."""
    message = Message(
        subject=f"[AksesGPT] {subject}",
        greeting="Halo admin,",
        paragraphs=[body],
        links=[("Dashboard", shop_link("/admin"))],
    )
    for address in to:
        queue_email(session=session, to=address, kind="admin_alert", message=message, lang="id", due_at=due_at)


def queue_renewal_news(
    *, session: Session, order: Order, first: Order | None, seat: AccountAssignment | None, elsewhere: bool = False
) -> None:
    """A paid renewal: the seat's new end, on the first order's page; `elsewhere`: the old account could not take
    the customer back, so the renewal got a seat of its own (or waits for one), said plainly."""
    lang = order.locale
    page = first if first is not None and not elsewhere else order
    if elsewhere:
        paragraphs = [t("mail.renewed.elsewhere", lang, code=order.code)]
        if seat is not None:
            paragraphs.append(t("mail.renewed.body", lang, date=format_date(seat.end_at, lang)))
    else:
        assert seat is not None
        paragraphs = [t("mail.renewed.body", lang, date=format_date(seat.end_at, lang))]
    message = Message(
        subject=t("mail.renewed.subject", lang, code=page.code),
        greeting=t("mail.greeting", lang, name=order.name),
        paragraphs=paragraphs,
        links=[(t("order.title", lang, code=page.code), order_link(page.code))],
        footer=t("mail.footer", lang),
    )
    kind = "renewal_elsewhere" if elsewhere else "renewal"
    queue_email(session=session, to=order.email, kind=kind, message=message, lang=lang, order_id=order.id)
