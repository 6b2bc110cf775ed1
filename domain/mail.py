"""The e-mail outbox (invariant 6): every e-mail is a row written in the same transaction as the
change that causes it; a job delivers the rows. Texts come from the translation catalogue."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlmodel import Session, col, select

from domain.i18n import format_date, format_idr, language, t
from domain.models import EmailOutbox, Order, Product
from domain.orders import access_token
from domain.validation import normalize_email

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

    def render(self, lang: str) -> tuple[str, str]:
        context = {"lang": lang, **self.__dict__}
        return _templates.get_template("message.html").render(context), _templates.get_template("message.txt").render(
            context
        )


def order_link(code: str) -> str:
    from domain.settings import get_settings

    return f"{get_settings().public_url}/order/{code}?t={access_token(code)}"


def queue_email(
    *, session: Session, to: str, kind: str, message: Message, lang: str, order_id: int | None = None
) -> EmailOutbox:
    html, text = message.render(language(lang))
    row = EmailOutbox(to=to, kind=kind, subject=message.subject[:250], html=html, text=text, order_id=order_id)
    session.add(row)
    return row


def queue_order_created(*, session: Session, order: Order) -> EmailOutbox:
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
                amount=format_idr(order.amount_idr),
                deadline=deadline,
            )
        ],
        details=[(t("order.pay_code", lang), order.pay_code)] if order.pay_code else [],
        links=[(t("order.title", lang, code=order.code), order_link(order.code))],
        footer=t("mail.footer", lang),
    )
    return queue_email(
        session=session, to=order.email, kind="order_created", message=message, lang=lang, order_id=order.id
    )


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
