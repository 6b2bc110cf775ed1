"""The e-mail a customer of a shared login gets when the owner changes that login's password: the new login,
with the password carried encrypted beside the masked body (like the access e-mail, mail.py)."""

from __future__ import annotations

from sqlmodel import Session

from domain.notify.mail import SECRET_MASK, AccessAccount, Message, NewsOrder, NewsSeat, queue_email
from domain.notify.whatsapp import wa_login_changed
from domain.shared.i18n import format_date, t
from domain.shared.links import order_link

LOGIN_CHANGED = "login_changed"  # the outbox kind


def queue_login_changed(*, session: Session, order: NewsOrder, seat: NewsSeat, account: AccessAccount) -> None:
    """Tell one active customer the account's new password (put in only as the e-mail leaves)."""
    lang = order.locale
    message = Message(
        subject=t("mail.login_changed.subject", lang, code=order.code),
        greeting=t("mail.greeting", lang, name=order.name),
        paragraphs=[
            t("mail.login_changed.body", lang, date=format_date(seat.end_at, lang)),
            t("order.dont_change", lang),
        ],
        details=[(t("order.login_email", lang), account.email), (t("order.password", lang), SECRET_MASK)],
        links=[(t("order.title", lang, code=order.code), order_link(order.code))],
        footer=t("mail.footer", lang),
    )
    queue_email(
        session=session,
        to=order.email,
        kind=LOGIN_CHANGED,
        message=message,
        lang=lang,
        order_id=order.id,
        secret_enc=account.password_enc,
    )
    wa_login_changed(session=session, order=order, until=seat.end_at)
