"""Mail senders for the outbox: SMTP with the `emails` package (one connection for each delivery run), and the
console in development."""

from __future__ import annotations

import email.policy
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import emails
from emails.backend.smtp import SMTPBackend

from domain.notify.mail import MailError, MailSender, OutgoingMail
from infra.settings import Settings

log = logging.getLogger("aksesgpt.mail")


class SmtpSender:
    """Hands messages to the configured SMTP server: a delivery run opens one connection (one STARTTLS, one
    login), sends its messages over it and ends it with QUIT; a send outside a run uses a connection of its own."""

    def __init__(self, settings: Settings) -> None:
        self.mail_from = settings.MAIL_FROM
        self.smtp: dict[str, Any] = {
            "host": settings.SMTP_HOST,
            "port": settings.SMTP_PORT,
            "ssl": settings.SMTP_SSL,
            "tls": settings.SMTP_TLS and not settings.SMTP_SSL,
            "timeout": 15,
        }
        if settings.SMTP_USER:
            self.smtp |= {"user": settings.SMTP_USER, "password": settings.SMTP_PASSWORD}
        self._backend: SMTPBackend | None = None

    @contextmanager
    def batch(self) -> Iterator[None]:
        """One SMTP connection for the messages sent inside; reconnects once if the server drops it."""
        with SMTPBackend(**self.smtp) as backend:  # closes with QUIT
            self._backend = backend
            try:
                yield
            finally:
                self._backend = None

    def send(self, mail: OutgoingMail) -> None:
        if self._backend is None:
            with self.batch():
                self.send(mail)
            return
        name, address = _split_address(self.mail_from)
        message = emails.html(html=mail.html, text=mail.text, subject=mail.subject, mail_from=(name, address))
        options: list[str] = []
        if not mail.to.isascii():
            # an internationalised mailbox (andré@contoh.id; domains are stored in their ASCII form) goes in a
            # SMTPUTF8 transaction with UTF-8 headers (RFC 6531/6532); without the extension smtplib raises
            # SMTPNotSupportedError and the row is retried like any failure
            options = ["SMTPUTF8"]
            message.policy = email.policy.SMTPUTF8  # type: ignore[assignment]  # emails annotates it as None
        try:
            response = message.send(to=mail.to, smtp=self._backend, smtp_mail_options=options)
        except Exception as exc:  # raised mid-exchange (e.g. after MAIL FROM): the next message needs a new session
            self._backend.close()
            raise MailError(f"SMTP failed: {type(exc).__name__}: {exc}") from exc
        code = getattr(response, "status_code", None)
        if code not in (250, 251):
            error = getattr(response, "error", None) or getattr(response, "status_text", None) or "no answer"
            self._backend.close()  # a failed exchange leaves the session in an unknown state: the next one reconnects
            raise MailError(f"SMTP {code}: {error}" if code else f"SMTP unreachable: {error}")


class ConsoleSender:
    """Development without SMTP: the mail is logged (never its body, which may hold a password, and its order
    link with the token cut short) and kept in the outbox for the admin's outbox view."""

    @contextmanager
    def batch(self) -> Iterator[None]:
        yield

    def send(self, mail: OutgoingMail) -> None:
        link = next(iter(re.findall(r"https?://\S+/order/\S+", mail.text)), "")
        link = re.sub(r"([?&]t=)([^&\s]{4})[^&\s]*", r"\1\2…", link)  # the order link's token is a key to the order
        log.info(
            "mail (no SMTP configured, kept in the outbox) to=%s kind=%s subject=%r link=%s",
            mail.to,
            mail.kind,
            mail.subject,
            link,
        )


def sender_for(settings: Settings) -> MailSender | None:
    """SMTP when configured; the console in development; None (keep everything PENDING) in production."""
    if settings.SMTP_HOST:
        return SmtpSender(settings)
    return None if settings.is_production else ConsoleSender()


def _split_address(value: str) -> tuple[str, str]:
    match = re.fullmatch(r"\s*(.*?)\s*<([^>]+)>\s*", value)
    return (match.group(1), match.group(2)) if match else ("", value.strip())
