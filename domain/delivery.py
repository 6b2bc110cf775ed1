"""Delivering the outbox: claim due rows, send them over SMTP (or to the console in development),
retry with exponential backoff, and give up loudly after ten attempts."""

from __future__ import annotations

import logging
import re
from datetime import datetime
from typing import Protocol

import emails
from sqlmodel import Session

from domain import db
from domain.models import EmailOutbox
from domain.outbox import DeliveryReport, deliver_due
from domain.settings import Settings
from domain.types import utcnow

log = logging.getLogger("aksesgpt.mail")


class MailError(Exception):
    """The message could not be handed to the mail server."""


class Sender(Protocol):
    def send(self, row: EmailOutbox) -> None: ...


class SmtpSender:
    """Hands messages to the configured SMTP server with the `emails` package."""

    def __init__(self, settings: Settings) -> None:
        self.mail_from = settings.MAIL_FROM
        self.smtp = {
            "host": settings.SMTP_HOST,
            "port": settings.SMTP_PORT,
            "ssl": settings.SMTP_SSL,
            "tls": settings.SMTP_TLS and not settings.SMTP_SSL,
            "timeout": 15,
        }
        if settings.SMTP_USER:
            self.smtp |= {"user": settings.SMTP_USER, "password": settings.SMTP_PASSWORD}

    def send(self, row: EmailOutbox) -> None:
        name, address = _split_address(self.mail_from)
        message = emails.html(html=row.html, text=row.text, subject=row.subject, mail_from=(name, address))
        response = message.send(to=row.to, smtp=dict(self.smtp))
        code = getattr(response, "status_code", None)
        if code not in (250, 251):
            error = getattr(response, "error", None) or getattr(response, "status_text", None) or "no answer"
            raise MailError(f"SMTP {code}: {error}" if code else f"SMTP unreachable: {error}")


class ConsoleSender:
    """Development without SMTP: the mail is logged (never its body, which may hold a password) and kept
    in the outbox for the admin's outbox view."""

    def send(self, row: EmailOutbox) -> None:
        link = next(iter(re.findall(r"https?://\S+/order/\S+", row.text)), "")
        log.info(
            "mail (no SMTP configured, kept in the outbox) to=%s kind=%s subject=%r link=%s",
            row.to,
            row.kind,
            row.subject,
            link,
        )


def sender_for(settings: Settings) -> Sender | None:
    """SMTP when configured; the console in development; None (keep everything PENDING) in production."""
    if settings.SMTP_HOST:
        return SmtpSender(settings)
    return None if settings.is_production else ConsoleSender()


def _split_address(value: str) -> tuple[str, str]:
    match = re.fullmatch(r"\s*(.*?)\s*<([^>]+)>\s*", value)
    return (match.group(1), match.group(2)) if match else ("", value.strip())


def deliver_outbox(*, sender: Sender, now: datetime | None = None, limit: int = 50) -> DeliveryReport:
    """Send the due PENDING e-mails once each; failures wait 1, 2, 4 … 60 minutes, the tenth is FAILED
    and alerts the admins (one alert for an outage, not one per e-mail)."""
    from domain.alerts import raise_alert, resolve_alert

    now = now or utcnow()

    def gave_up(session: Session, row: EmailOutbox, error: str) -> None:
        if row.kind == "admin_alert":  # an alert about alerts failing could loop
            return
        raise_alert(  # one key for all: an SMTP outage fails many e-mails, one alert per hour
            session=session,
            key="mail_failed",
            now=now,
            kind="mail_failed",
            subject=f"E-mail gagal terkirim ke {row.to}",
            message=f"E-mail '{row.subject}' ke {row.to} gagal {row.attempts} kali: {error}. Periksa pengaturan SMTP.",
        )

    report = deliver_due(
        model=EmailOutbox,
        send=sender.send,
        gave_up=gave_up,
        channel="mail",
        describe=lambda row: f"to={row.to}",
        now=now,
        limit=limit,
    )
    if report.sent and not report.failed:  # mail flows again: the next failure alerts at once
        db.in_transaction(lambda s: resolve_alert(session=s, key="mail_failed", now=now))
    return report
