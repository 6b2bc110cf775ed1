"""Admin alerts for Telegram, kept like the e-mail outbox: a row written in the alert's transaction, delivered
by runtime/delivery.py. The HTTP client lives in integrations/telegram.py; main.py injects it as a `ChatSender`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from sqlmodel import Session

from domain.shared.models import TelegramOutbox
from infra.rows import call_after_commit

MAX_TEXT = 4000  # Telegram refuses messages over 4096 characters
_wake_delivery: Callable[[], None] | None = None


def on_telegram_committed(wake: Callable[[], None] | None) -> None:
    """Call `wake` after each transaction that queued a Telegram message has committed (the scheduler brings the
    Telegram job forward, as it does the e-mail and WhatsApp outboxes'); None stops."""
    global _wake_delivery
    _wake_delivery = wake


def _committed() -> None:
    if _wake_delivery is not None:  # else the Telegram job finds the message at its interval
        _wake_delivery()


class ChatSender(Protocol):
    """Sends one message to a chat; raises with a message that never contains the bot token."""

    def send(self, *, chat_id: str, text: str) -> None: ...


def queue_telegram_alert(*, session: Session, chat_id: str, key: str, text: str) -> TelegramOutbox:
    """Add an alert or sale notice to the Telegram outbox in the caller's transaction; its delivery is woken once
    the transaction commits."""
    row = TelegramOutbox(chat_id=chat_id, alert_key=key[:120], text=text[:MAX_TEXT])
    session.add(row)
    call_after_commit(session=session, action=_committed)
    return row
