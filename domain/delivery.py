"""Delivering the outbox: claim due rows, send them over SMTP (or to the console in development),
retry with exponential backoff, and give up loudly after ten attempts."""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

import emails
from sqlmodel import Session, col, select

from domain import db
from domain.models import EmailOutbox, MailStatus
from domain.settings import Settings
from domain.types import utcnow

log = logging.getLogger("aksesgpt.mail")
BACKOFF_MINUTES = (1, 2, 4, 8, 16, 32, 60, 60, 60, 60)  # the wait after attempt n; ten attempts in all
MAX_ATTEMPTS = len(BACKOFF_MINUTES)
LEASE = timedelta(minutes=5)  # a claimed row is not picked again for this long, even if the sender dies


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


@dataclass(frozen=True)
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0


def _claim(session: Session, now: datetime, limit: int) -> list[EmailOutbox]:
    rows = list(
        session.exec(
            select(EmailOutbox)
            .where(EmailOutbox.status == MailStatus.PENDING, col(EmailOutbox.next_attempt_at) <= now)
            .order_by(col(EmailOutbox.id))
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )
    for row in rows:
        row.attempts += 1
        row.next_attempt_at = now + LEASE
        session.add(row)
    return rows


def deliver_outbox(*, sender: Sender, now: datetime | None = None, limit: int = 50) -> DeliveryReport:
    """Send the due PENDING rows once each; failures wait 1, 2, 4 … 60 minutes, the tenth is FAILED."""
    from domain.alerts import raise_alert, resolve_alert

    now = now or utcnow()
    claimed = db.in_transaction(lambda s: _claim(s, now, limit))
    sent = retrying = failed = 0
    started = time.monotonic()
    for row in claimed:
        if time.monotonic() - started > LEASE.total_seconds() / 2:
            break  # a slow server: leave the rest to their lease rather than risk sending them twice
        try:
            sender.send(row)
            error = None
        except Exception as exc:  # any failure of the mail path is retried, never lost
            error = f"{type(exc).__name__}: {exc}"[:1000]

        def settle(session: Session, row: EmailOutbox = row, error: str | None = error) -> str:
            current = session.get(EmailOutbox, row.id)
            assert current is not None
            if error is None:
                current.status, current.sent_at, current.last_error = MailStatus.SENT, utcnow(), None
            elif current.attempts >= MAX_ATTEMPTS:
                current.status, current.last_error = MailStatus.FAILED, error
                if current.kind != "admin_alert":  # an alert about alerts failing could loop
                    raise_alert(  # one key for all: an SMTP outage fails many e-mails, one alert per hour
                        session=session,
                        key="mail_failed",
                        now=now,
                        kind="mail_failed",
                        subject=f"E-mail gagal terkirim ke {current.to}",
                        message=f"E-mail '{current.subject}' ke {current.to} gagal {current.attempts} kali: "
                        f"{error}. Periksa pengaturan SMTP.",
                    )
            else:
                current.last_error = error
                # the wait counts from this attempt's end, not from when the batch was claimed
                settled = now + timedelta(seconds=time.monotonic() - started)
                current.next_attempt_at = settled + timedelta(minutes=BACKOFF_MINUTES[current.attempts - 1])
            session.add(current)
            return current.status

        status = db.in_transaction(settle)
        if status == MailStatus.SENT:
            sent += 1
        elif status == MailStatus.FAILED:
            failed += 1
            log.warning("mail outcome=failed id=%s to=%s error=%s", row.id, row.to, error)
        else:
            retrying += 1
            log.warning("mail outcome=retry id=%s to=%s attempt=%s error=%s", row.id, row.to, row.attempts, error)
    if sent and not failed:  # mail flows again: the next failure alerts at once
        db.in_transaction(lambda s: resolve_alert(session=s, key="mail_failed", now=now))
    return DeliveryReport(sent=sent, retrying=retrying, failed=failed)
