"""The owner is reminded, once per renewal date, that an account's ChatGPT subscription renews (or lapses) soon."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from domain.notify.alerts import raise_alert
from domain.shared.audit import SCHEDULER, audit_row
from domain.shared.i18n import format_date, format_idr
from domain.shared.models import AccountStatus, ChatGPTAccount
from domain.shared.shop_settings import SHOP_CONFIG

# days before the renewal date the owner hears of it: the shop setting `account_reminder_days`, this by default
RENEWAL_REMINDER_DAYS = 5


def renewal_alert_key(account_id: int | None) -> str:
    return f"subscription_renewal:{account_id}"


def remind_renewals(*, session: Session, now: datetime, days: int | None = None, limit: int = 200) -> int:
    """Raise one admin alert for each account in service whose subscription renews within `days` (or has passed)
    and whose owner was not reminded of this date yet (`days`: the owner's shop setting when None); returns how
    many were reminded."""
    days = SHOP_CONFIG.get(session=session).account_reminder_days if days is None else days
    due = session.exec(
        select(ChatGPTAccount)
        .where(
            col(ChatGPTAccount.subscription_expires_at).is_not(None),
            col(ChatGPTAccount.subscription_expires_at) <= now + timedelta(days=days),
            col(ChatGPTAccount.subscription_reminded_at).is_(None),
            ChatGPTAccount.status != AccountStatus.RETIRED,
        )
        .order_by(col(ChatGPTAccount.subscription_expires_at), col(ChatGPTAccount.id))
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    for account in due:
        renews = account.subscription_expires_at
        assert renews is not None
        name = account.display_name or account.email
        cost = f" Biaya bulanan: {format_idr(account.monthly_cost_idr)}." if account.monthly_cost_idr else ""
        when = format_date(renews, "id", with_time=False)
        passed = renews <= now
        raise_alert(
            session=session,
            key=renewal_alert_key(account.id),
            kind="subscription_renewal",
            now=now,
            debounce=timedelta(0),  # once per renewal date: subscription_reminded_at is the debounce
            subject=f"Langganan {name} {'sudah lewat' if passed else 'segera habis'}: {when}",
            message=f"Langganan ChatGPT akun {account.email} ({name}) "
            f"{'berakhir pada' if passed else 'perlu diperpanjang sebelum'} {when}.{cost} "
            "Perpanjang langganannya, lalu ubah tanggal perpanjangan di form akun.",
        )
        account.subscription_reminded_at = now
        session.add(account)
        audit_row(
            account, session=session, actor=SCHEDULER, action="account.renewal_reminded", renews_at=renews.isoformat()
        )
    return len(due)
