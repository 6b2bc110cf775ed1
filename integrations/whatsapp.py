"""WhatsApp gateways with httpx and timeouts: Fonnte-compatible (POST {base}/send, form fields `target` and
`message`) and Wablas (POST {base}/api/send-message, form fields `phone` and `message`). Both take the device
token as the Authorization header and answer JSON with "status": true on success. The token is kept out of every
error message."""

from __future__ import annotations

import httpx

from infra.settings import Settings


class WhatsAppError(Exception):
    """The gateway did not accept the message; the text never holds the token."""


def _redact(text: str, token: str) -> str:
    return text.replace(token, "<token>") if token else text


PROVIDERS = ("fonnte", "wablas")
FONNTE_BASE = "https://api.fonnte.com"
WABLAS_BASE = "https://wablas.com"  # a Wablas account names its own server (https://solo.wablas.com, …)


class FormSender:
    """A `domain.notify.whatsapp.WhatsAppSender` posting a form: success only when the gateway answers JSON with
    "status": true. `path` and `number_field` are the provider's."""

    path = "/send"
    number_field = "target"

    def __init__(self, *, api_base: str, token: str, timeout: float = 15.0) -> None:
        self._token = token.strip()
        self._client = httpx.Client(
            base_url=api_base.rstrip("/"), timeout=httpx.Timeout(timeout, connect=5.0), follow_redirects=False
        )

    def send(self, *, to: str, text: str) -> None:
        try:
            response = self._client.post(
                self.path, headers={"Authorization": self._token}, data={self.number_field: to, "message": text}
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


class FonnteSender(FormSender):
    """Fonnte and compatible gateways: POST {base}/send with `target` and `message`."""


class WablasSender(FormSender):
    """Wablas: POST {base}/api/send-message with `phone` and `message` (the token as Wablas shows it, with its
    secret key after a dot where the account has one)."""

    path = "/api/send-message"
    number_field = "phone"


def whatsapp_sender_for(settings: Settings) -> FormSender | None:
    """The sender for WHATSAPP_PROVIDER (fonnte or wablas) when WHATSAPP_TOKEN is set, else None (messages wait,
    PENDING). Wablas with the base left at Fonnte's default goes to Wablas's own."""
    if not settings.whatsapp_configured:
        return None
    base = settings.WHATSAPP_API_BASE.strip() or FONNTE_BASE
    if settings.WHATSAPP_PROVIDER.strip().lower() == "wablas":
        return WablasSender(api_base=WABLAS_BASE if base == FONNTE_BASE else base, token=settings.WHATSAPP_TOKEN)
    return FonnteSender(api_base=base, token=settings.WHATSAPP_TOKEN)
