"""Delivering the outboxes (e-mail, Telegram): claim due rows, hand them to the injected sender, retry with
exponential backoff, and give up loudly after ten attempts. The senders live in integrations/."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from domain.notify.alerts import raise_alert, resolve_alert
from domain.notify.mail import MailSender, forget_secret, outgoing
from domain.notify.telegram import ChatSender
from domain.notify.whatsapp import WhatsAppSender
from domain.shared.models import EmailOutbox, TelegramOutbox, WhatsAppOutbox
from infra import db
from infra.types import utcnow
from runtime.outbox import DeliveryReport, deliver_due


def deliver_outbox(*, sender: MailSender, now: datetime | None = None, limit: int = 50) -> DeliveryReport:
    """Send the due PENDING e-mails once each; failures wait 1, 2, 4 … 60 minutes, the tenth is FAILED
    and alerts the admins (one alert for an outage, not one per e-mail)."""
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

    with sender.batch():  # one connection for the run
        report = deliver_due(
            model=EmailOutbox,
            send=lambda row: sender.send(outgoing(row)),
            finished=forget_secret,
            gave_up=gave_up,
            channel="mail",
            describe=lambda row: f"to={row.to}",
            now=now,
            limit=limit,
        )
    if report.sent and not report.failed:  # mail flows again: the next failure alerts at once
        db.in_transaction(lambda s: resolve_alert(session=s, key="mail_failed", now=now))
    return report


def deliver_telegram_outbox(*, sender: ChatSender, now: datetime | None = None, limit: int = 50) -> DeliveryReport:
    """Send the due PENDING rows once each; failures wait 1, 2, 4 … 60 minutes, the tenth is FAILED
    and e-mailed to the admins (never to Telegram, which is what is failing)."""

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


def deliver_whatsapp_outbox(*, sender: WhatsAppSender, now: datetime | None = None, limit: int = 50) -> DeliveryReport:
    """Send the due PENDING WhatsApp messages once each; failures (the gateway down, 4xx/5xx, "status": false)
    wait 1, 2, 4 … 60 minutes, the tenth is FAILED and alerts the admins (one alert for an outage)."""
    now = now or utcnow()

    def gave_up(session: Session, row: WhatsAppOutbox, error: str) -> None:
        raise_alert(
            session=session,
            key="whatsapp_failed",
            now=now,
            kind="whatsapp_failed",
            subject="Pesan WhatsApp gagal terkirim",
            message=f"Pesan WhatsApp '{row.kind}' ke {row.to} gagal {row.attempts} kali: {error}. "
            "Periksa WHATSAPP_TOKEN dan perangkat di dasbor penyedia WhatsApp.",
        )

    report = deliver_due(
        model=WhatsAppOutbox,
        send=lambda row: sender.send(to=row.to, text=row.text),
        gave_up=gave_up,
        channel="whatsapp",
        describe=lambda row: f"kind={row.kind} order_id={row.order_id}",
        now=now,
        limit=limit,
    )
    if report.sent and not report.failed:
        db.in_transaction(lambda s: resolve_alert(session=s, key="whatsapp_failed", now=now))
    return report
