"""Alerts for the shop's admins: e-mailed (outbox), sent to Telegram when configured (its own outbox)
and kept for the dashboard, debounced per key."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from domain.notify.mail import queue_admin_alert
from domain.notify.telegram import queue_telegram_alert
from domain.shared.links import shop_link
from domain.shared.models import AdminAlert, AdminUser
from infra import settings as config
from infra.types import utcnow

log = logging.getLogger("aksesgpt.alerts")
DEBOUNCE = timedelta(hours=1)


def admin_recipients(session: Session) -> list[str]:
    emails = {a.email for a in session.exec(select(AdminUser).where(col(AdminUser.is_active).is_(True)))}
    if config.get_settings().ADMIN_EMAIL:
        emails.add(config.get_settings().ADMIN_EMAIL.strip().lower())
    return sorted(emails)


def raise_alert(
    *,
    session: Session,
    key: str,
    kind: str,
    subject: str,
    message: str,
    now: datetime | None = None,
    debounce: timedelta = DEBOUNCE,
    telegram: bool = True,
) -> bool:
    """Record the condition and e-mail the admins (and the Telegram chat, when configured and `telegram`),
    unless the same alert went out within `debounce`. Returns whether messages were queued."""
    now = now or utcnow()
    alert = session.exec(select(AdminAlert).where(AdminAlert.key == key)).first()
    if alert is None:
        alert = AdminAlert(key=key, kind=kind, message=message[:1000], first_raised_at=now)
    elif not alert.active:
        alert.active, alert.first_raised_at, alert.resolved_at = True, now, None
    alert.message = message[:1000]
    due = alert.last_sent_at is None or now - alert.last_sent_at >= debounce
    if due:
        recipients = admin_recipients(session)
        # due when raised (tests move the clock)
        queue_admin_alert(session=session, to=recipients, subject=subject, body=message, due_at=now)
        settings = config.get_settings()
        if telegram and settings.telegram_configured:
            text = f"[AksesGPT] {subject}\n\n{message}\n\n{shop_link('/admin')}"
            row = queue_telegram_alert(session=session, chat_id=settings.TELEGRAM_CHAT_ID.strip(), key=key, text=text)
            row.next_attempt_at = now
        alert.last_sent_at = now
        alert.times += 1
        log.warning("alert key=%s kind=%s sent_to=%s message=%r", key, kind, len(recipients), message)
    session.add(alert)
    return due


def resolve_alert(*, session: Session, key: str, now: datetime | None = None) -> None:
    """The condition is over: the next occurrence alerts at once."""
    alert = session.exec(select(AdminAlert).where(AdminAlert.key == key, col(AdminAlert.active).is_(True))).first()
    if alert is not None:
        alert.active, alert.resolved_at, alert.last_sent_at = False, now or utcnow(), None
        session.add(alert)


def active_alerts(*, session: Session) -> list[AdminAlert]:
    return list(
        session.exec(
            select(AdminAlert).where(col(AdminAlert.active).is_(True)).order_by(col(AdminAlert.first_raised_at).desc())
        )
    )
