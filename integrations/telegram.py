"""Telegram's Bot API (sendMessage) for the admins' alerts, with httpx and timeouts. The bot token sits
in the request path, so it is kept out of every error message and out of httpx's request log."""

from __future__ import annotations

import logging
import re

import httpx

from infra.settings import Settings

_TOKEN_IN_PATH = re.compile(r"/bot[^/\s\"']+")


class TelegramError(Exception):
    """Telegram did not accept the message; the text never holds the bot token."""


def redact(text: str, token: str = "") -> str:
    """`text` with the bot token (and any /bot<token> path) replaced."""
    if token:
        text = text.replace(token, "<token>")
    return _TOKEN_IN_PATH.sub("/bot<token>", text)


class _RedactTokenFilter(logging.Filter):
    """httpx logs every request URL at INFO; rewrite the record so the bot token never reaches a handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "/bot" in message:
            record.msg, record.args = redact(message), ()
        return True


def _guard_httpx_log() -> None:
    logger = logging.getLogger("httpx")
    if not any(isinstance(f, _RedactTokenFilter) for f in logger.filters):
        logger.addFilter(_RedactTokenFilter())


class TelegramBot:
    """A `domain.notify.telegram.ChatSender` over Telegram's HTTP API."""

    def __init__(self, *, api_base: str, token: str, timeout: float = 10.0) -> None:
        _guard_httpx_log()
        self._token = token.strip()
        self._client = httpx.Client(
            base_url=api_base.rstrip("/"), timeout=httpx.Timeout(timeout, connect=5.0), follow_redirects=False
        )

    def send(self, *, chat_id: str, text: str) -> None:
        try:
            response = self._client.post(
                f"/bot{self._token}/sendMessage",
                json={"chat_id": chat_id, "text": text, "disable_web_page_preview": True},
            )
        except httpx.TimeoutException:
            raise TelegramError("Telegram timed out") from None  # no chained exception: it names the URL
        except httpx.HTTPError as exc:
            reason = redact(str(exc), self._token)
            raise TelegramError(f"Telegram unreachable: {type(exc).__name__}: {reason}") from None
        if response.status_code == 200:
            return
        try:
            description = str(response.json().get("description", ""))
        except ValueError:
            description = response.text[:200]
        raise TelegramError(f"Telegram HTTP {response.status_code}: {redact(description, self._token)}"[:500])

    def close(self) -> None:
        self._client.close()


def telegram_bot_for(settings: Settings) -> TelegramBot | None:
    """The bot when TELEGRAM_BOT_TOKEN and TELEGRAM_CHAT_ID are set, else None (alerts go by e-mail only)."""
    if not settings.telegram_configured:
        return None
    return TelegramBot(api_base=settings.TELEGRAM_API_BASE, token=settings.TELEGRAM_BOT_TOKEN)
