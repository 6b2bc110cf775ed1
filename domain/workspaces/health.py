"""An account's health (DESIGN.md §9): what the last look found, and what follows from a change. A transition
to an unhealthy state is audited and alerted; to a dead one it hands the account's customers to healthy accounts
of the same pool (the rest wait ahead of the stock queue); FULL lowers the capacity to what is real."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlmodel import Session

from domain.catalog.pool import lock_account
from domain.notify.alerts import raise_alert, resolve_alert
from domain.seats.allocation import reseat_waiting, seats_to_replace
from domain.seats.seats import sync_status
from domain.shared.audit import audit_row, snapshot
from domain.shared.errors import ValidationFailed
from domain.shared.models import DEAD, ChatGPTAccount, Health
from domain.shared.validation import require_text
from domain.workspaces.driver import WorkspaceFailure
from infra import settings as config
from infra.types import utcnow

log = logging.getLogger("aksesgpt.workspaces")

# what the owner reads in an alert, per health (the admin pages have their own words)
HEALTH_WORDS = {
    Health.OK: "sehat",
    Health.TOKEN_EXPIRED: "token akses kedaluwarsa (perbarui token di halaman akun)",
    Health.FULL: "workspace penuh",
    Health.RESTRICTED: "dibatasi: undangan tidak pernah sampai",
    Health.BANNED: "diblokir atau dinonaktifkan",
    Health.SUBSCRIPTION_ENDED: "langganan berakhir",
    Health.UNREACHABLE: "tidak bisa dihubungi",
}


def locked_account(session: Session, account_id: int) -> ChatGPTAccount:
    """The account row, locked after its pool's lock (the house lock order: pool, then accounts)."""
    return lock_account(session=session, account_id=account_id)


def set_health(
    *,
    session: Session,
    account: ChatGPTAccount,
    health: Health,
    actor: str,
    error: str = "",
    now: datetime | None = None,
    ip: str | None = None,
) -> bool:
    """Record `health` on a locked account; True when it changed. Unhealthy: the owner is alerted. Dead: its
    customers are moved now where seats exist (the caller must not hold the pool's lock in a way that matters:
    reseating takes it)."""
    now = now or utcnow()
    account.last_error = error[:500]
    if account.health == health:
        session.add(account)
        return False
    before = snapshot(account, "health")
    account.health, account.health_changed_at = health, now
    session.add(account)
    session.flush()
    audit_row(
        account,
        session=session,
        actor=actor,
        action="account.health",
        before=before,
        after=snapshot(account, "health"),
        ip=ip,
        error=error[:500],
    )
    key = f"account_health:{account.id}"
    if health == Health.OK:
        resolve_alert(session=session, key=key, now=now)
    else:
        moved = _replace(session, account, actor) if health in DEAD else []
        waiting = len(seats_to_replace(session=session, pool=account.pool, now=now)) if health in DEAD else 0
        message = f"Akun {account.email} (pool {account.pool}): {HEALTH_WORDS[health]}."
        if error:
            message += f" Pesan terakhir: {error[:300]}"
        if health in DEAD:
            message += f" Penjualan ke akun ini dihentikan. {len(moved)} pelanggan dipindahkan ke akun lain"
            message += f"; {waiting} menunggu kursi kosong." if waiting else "."
        raise_alert(
            session=session,
            key=key,
            kind="account_health",
            subject=f"Akun {account.email}: {HEALTH_WORDS[health]}",
            message=message,
            now=now,
        )
    log.warning("account health account=%s %s -> %s", account.id, before["health"], health.value)
    return True


def _replace(session: Session, account: ChatGPTAccount, actor: str) -> list:
    return reseat_waiting(session=session, pool=account.pool, actor=actor)


def record_failure(
    *,
    session: Session,
    account: ChatGPTAccount,
    failure: WorkspaceFailure,
    actor: str,
    now: datetime | None = None,
    counts: bool = True,
) -> None:
    """A call to the workspace failed: a transient failure of a sync (`counts`) counts toward UNREACHABLE — one
    sync per interval, so WORKSPACE_FAILURES_UNREACHABLE of them is a lasting outage, not a burst that parallel
    tasks met together; any other failure says what the workspace is (token expired, full, banned, ended)."""
    message = failure.message[:500]
    if failure.transient and not counts:
        account.last_error = message
        session.add(account)
        return
    if failure.transient:
        account.failures_in_row += 1
        limit = config.get_settings().WORKSPACE_FAILURES_UNREACHABLE
        if account.failures_in_row >= limit:
            set_health(session=session, account=account, health=Health.UNREACHABLE, actor=actor, error=message, now=now)
        else:
            account.last_error = message
            session.add(account)
        return
    if failure.health == Health.FULL:
        lower_capacity(session=session, account=account, room=account.seats_used, actor=actor)
    set_health(session=session, account=account, health=failure.health, actor=actor, error=message, now=now)


def record_success(*, session: Session, account: ChatGPTAccount, actor: str, now: datetime | None = None) -> None:
    """A call went through: failures in a row start again, and a workspace that was only unreachable or waiting
    for a new token is healthy again."""
    if account.failures_in_row:
        account.failures_in_row = 0
        session.add(account)
    if account.health in (Health.UNREACHABLE, Health.TOKEN_EXPIRED):
        set_health(session=session, account=account, health=Health.OK, actor=actor, now=now)


def lower_capacity(*, session: Session, account: ChatGPTAccount, room: int, actor: str) -> bool:
    """The workspace holds `room` of the shop's customers at most: lower max_seats to that (never below the seats
    in use; the CHECK would refuse). True when it changed."""
    target = max(room, account.seats_used, 1)
    if target >= account.capacity:
        return False
    before = snapshot(account, "max_seats", "status")
    account.max_seats = target
    sync_status(account)
    session.add(account)
    audit_row(
        account,
        session=session,
        actor=actor,
        action="account.capacity_lowered",
        before=before,
        after=snapshot(account, "max_seats", "status"),
        room=room,
    )
    return True


OWNER_HEALTH = (Health.OK, Health.BANNED, Health.SUBSCRIPTION_ENDED, Health.RESTRICTED)


def mark_health(
    *, session: Session, account_id: int, health: str, actor: str, reason: str = "", ip: str | None = None
) -> ChatGPTAccount:
    """The owner's word on an account (any delivery): banned, subscription ended, restricted, or healthy again."""
    if health not in {h.value for h in OWNER_HEALTH}:
        raise ValidationFailed("health must be OK, BANNED, SUBSCRIPTION_ENDED or RESTRICTED", field="health")
    reason = require_text(reason, "reason", 300, multiline=True) if health != Health.OK else reason.strip()[:300]
    account = locked_account(session, account_id)
    if health == Health.OK:
        account.failures_in_row = 0
    set_health(session=session, account=account, health=Health(health), actor=actor, error=reason, ip=ip)
    return account


def replace_customers_now(*, session: Session, account_id: int, actor: str) -> int:
    """The owner's "replace customers now": move whoever can be moved off this dead account; returns how many."""
    account = locked_account(session, account_id)
    if account.health not in DEAD:
        raise ValidationFailed("only the customers of an unhealthy account are replaced; mark it first", field="health")
    return len(_replace(session, account, actor))
