"""A Fonnte-compatible WhatsApp gateway (POST {base}/send, the device token as the Authorization header, form
fields `target` and `message`), with httpx and timeouts. The token is kept out of every error message."""

from __future__ import annotations

import httpx

from infra.settings import Settings


class WhatsAppError(Exception):
    """The gateway did not accept the message; the text never holds the token."""


def _redact(text: str, token: str) -> str:
    return text.replace(token, "<token>") if token else text


class FonnteSender:
    """A `domain.notify.whatsapp.WhatsAppSender`: success only when the gateway answers JSON with "status": true."""

    def __init__(self, *, api_base: str, token: str, timeout: float = 15.0) -> None:
        self._token = token.strip()
        self._client = httpx.Client(
            base_url=api_base.rstrip("/"), timeout=httpx.Timeout(timeout, connect=5.0), follow_redirects=False
        )

    def send(self, *, to: str, text: str) -> None:
        try:
            response = self._client.post(
                "/send", headers={"Authorization": self._token}, data={"target": to, "message": text}
            )
        except httpx.TimeoutException:
            raise WhatsAppError("WhatsApp gateway timed out") from None
        except httpx.HTTPError as exc:
            raise WhatsAppError(f"WhatsApp gateway unreachable: {type(exc).__name__}") from None
        try:
            answer = response.json()
        except ValueError:
            answer = None
        if response.status_code == 200 and isinstance(answer, dict) and answer.get("status") is True:
            return
        reason = ""
        if isinstance(answer, dict):
            reason = str(answer.get("reason") or answer.get("detail") or answer.get("message") or "")
        elif response.status_code != 200:
            reason = response.text[:200]
        raise WhatsAppError(f"WhatsApp gateway HTTP {response.status_code}: {_redact(reason, self._token)}"[:500])

    def close(self) -> None:
        self._client.close()


def whatsapp_sender_for(settings: Settings) -> FonnteSender | None:
    """The sender when WHATSAPP_PROVIDER=fonnte and WHATSAPP_TOKEN are set, else None (messages wait, PENDING)."""
    if not settings.whatsapp_configured:
        return None
    return FonnteSender(api_base=settings.WHATSAPP_API_BASE, token=settings.WHATSAPP_TOKEN)
