"""Admin alerts for Telegram, kept like the e-mail outbox: a row written in the alert's transaction,
delivered by a job that claims due rows, retries with the same backoff and gives up after ten attempts.
The HTTP client lives in integrations/telegram.py; main.py injects it as a `ChatSender`."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlmodel import Session, col, select

from domain import db
from domain.delivery import BACKOFF_MINUTES, LEASE, MAX_ATTEMPTS
from domain.models import MailStatus, TelegramOutbox
from domain.types import utcnow

log = logging.getLogger("aksesgpt.alerts")
MAX_TEXT = 4000  # Telegram refuses messages over 4096 characters


class ChatSender(Protocol):
    """Sends one message to a chat; raises with a message that never contains the bot token."""

    def send(self, *, chat_id: str, text: str) -> None: ...


def queue_telegram_alert(*, session: Session, chat_id: str, key: str, text: str) -> TelegramOutbox:
    row = TelegramOutbox(chat_id=chat_id, alert_key=key[:120], text=text[:MAX_TEXT])
    session.add(row)
    return row


@dataclass(frozen=True)
class ChatReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0


def _claim(session: Session, now: datetime, limit: int) -> list[TelegramOutbox]:
    rows = list(
        session.exec(
            select(TelegramOutbox)
            .where(TelegramOutbox.status == MailStatus.PENDING, col(TelegramOutbox.next_attempt_at) <= now)
            .order_by(col(TelegramOutbox.id))
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )
    for row in rows:
        row.attempts += 1
        row.next_attempt_at = now + LEASE  # not picked again while this attempt may still be running
        session.add(row)
    return rows


def deliver_telegram_outbox(*, sender: ChatSender, now: datetime | None = None, limit: int = 50) -> ChatReport:
    """Send the due PENDING rows once each; failures wait 1, 2, 4 … 60 minutes, the tenth is FAILED
    and e-mailed to the admins (never to Telegram, which is what is failing)."""
    from domain.alerts import raise_alert

    now = now or utcnow()
    claimed = db.in_transaction(lambda s: _claim(s, now, limit))
    sent = retrying = failed = 0
    started = time.monotonic()
    for row in claimed:
        if time.monotonic() - started > LEASE.total_seconds() / 2:
            break  # a slow API: leave the rest to their lease rather than risk sending them twice
        try:
            sender.send(chat_id=row.chat_id, text=row.text)
            error = None
        except Exception as exc:  # any failure is retried, never lost; the sender keeps the token out of it
            error = f"{type(exc).__name__}: {exc}"[:1000]

        def settle(session: Session, row: TelegramOutbox = row, error: str | None = error) -> str:
            current = session.get(TelegramOutbox, row.id)
            assert current is not None
            if error is None:
                current.status, current.sent_at, current.last_error = MailStatus.SENT, utcnow(), None
            elif current.attempts >= MAX_ATTEMPTS:
                current.status, current.last_error = MailStatus.FAILED, error
                raise_alert(
                    session=session,
                    key="telegram_failed",
                    kind="telegram_failed",
                    subject="Peringatan Telegram gagal terkirim",
                    message=f"Peringatan '{current.alert_key}' tidak bisa dikirim ke Telegram setelah "
                    f"{current.attempts} kali: {error}. Periksa TELEGRAM_BOT_TOKEN dan TELEGRAM_CHAT_ID.",
                    telegram=False,
                )
            else:
                current.last_error = error
                settled = now + timedelta(seconds=time.monotonic() - started)
                current.next_attempt_at = settled + timedelta(minutes=BACKOFF_MINUTES[current.attempts - 1])
            session.add(current)
            return current.status

        status = db.in_transaction(settle)
        if status == MailStatus.SENT:
            sent += 1
        elif status == MailStatus.FAILED:
            failed += 1
            log.warning("telegram outcome=failed id=%s alert=%s error=%s", row.id, row.alert_key, error)
        else:
            retrying += 1
            log.warning(
                "telegram outcome=retry id=%s alert=%s attempt=%s error=%s", row.id, row.alert_key, row.attempts, error
            )
    return ChatReport(sent=sent, retrying=retrying, failed=failed)
