"""Admin alerts for Telegram, kept like the e-mail outbox: a row written in the alert's transaction,
delivered by a job that claims due rows, retries with the same backoff and gives up after ten attempts.
The HTTP client lives in integrations/telegram.py; main.py injects it as a `ChatSender`."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from sqlmodel import Session

from domain.models import TelegramOutbox
from domain.outbox import DeliveryReport, deliver_due

MAX_TEXT = 4000  # Telegram refuses messages over 4096 characters


class ChatSender(Protocol):
    """Sends one message to a chat; raises with a message that never contains the bot token."""

    def send(self, *, chat_id: str, text: str) -> None: ...


def queue_telegram_alert(*, session: Session, chat_id: str, key: str, text: str) -> TelegramOutbox:
    row = TelegramOutbox(chat_id=chat_id, alert_key=key[:120], text=text[:MAX_TEXT])
    session.add(row)
    return row


def deliver_telegram_outbox(*, sender: ChatSender, now: datetime | None = None, limit: int = 50) -> DeliveryReport:
    """Send the due PENDING rows once each; failures wait 1, 2, 4 … 60 minutes, the tenth is FAILED
    and e-mailed to the admins (never to Telegram, which is what is failing)."""
    from domain.alerts import raise_alert

    def gave_up(session: Session, row: TelegramOutbox, error: str) -> None:
        raise_alert(
            session=session,
            key="telegram_failed",
            kind="telegram_failed",
            subject="Peringatan Telegram gagal terkirim",
            message=f"Peringatan '{row.alert_key}' tidak bisa dikirim ke Telegram setelah {row.attempts} kali: "
            f"{error}. Periksa TELEGRAM_BOT_TOKEN dan TELEGRAM_CHAT_ID.",
            telegram=False,
        )

    return deliver_due(
        model=TelegramOutbox,
        send=lambda row: sender.send(chat_id=row.chat_id, text=row.text),
        gave_up=gave_up,
        channel="telegram",
        describe=lambda row: f"alert={row.alert_key}",
        now=now,
        limit=limit,
    )
