"""Admin alerts for Telegram, kept like the e-mail outbox: a row written in the alert's transaction, delivered
by runtime/delivery.py. The HTTP client lives in integrations/telegram.py; main.py injects it as a `ChatSender`."""

from __future__ import annotations

from typing import Protocol

from sqlmodel import Session

from domain.shared.models import TelegramOutbox

MAX_TEXT = 4000  # Telegram refuses messages over 4096 characters


class ChatSender(Protocol):
    """Sends one message to a chat; raises with a message that never contains the bot token."""

    def send(self, *, chat_id: str, text: str) -> None: ...


def queue_telegram_alert(*, session: Session, chat_id: str, key: str, text: str) -> TelegramOutbox:
    row = TelegramOutbox(chat_id=chat_id, alert_key=key[:120], text=text[:MAX_TEXT])
    session.add(row)
    return row
