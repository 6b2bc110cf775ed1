"""Actions on many accounts at once (the accounts table's selection): suspend, unsuspend, retire, move to another
pool, and a CSV export without secrets.

Per-account outcome, not all-or-nothing: each selected account that can take the change gets it through the same
use case as the single-account action (its rules, its audit row), and each one that cannot is listed with why
(retired, seats still in use…). A selection of thirty where one account still holds seats should not block the
other twenty-nine, and the owner sees exactly which were skipped. One summary audit row records the whole run."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from sqlmodel import Session, col, select

from domain.catalog.pool import (
    IN_SERVICE,
    lock_account,
    retire_account,
    suspend_account,
    unsuspend_account,
    update_account,
)
from domain.orders.locks import lock_pools
from domain.shared.audit import record_audit
from domain.shared.errors import Conflict, ValidationFailed
from domain.shared.models import AccountStatus, ChatGPTAccount
from domain.shared.validation import storable

BULK_LIMIT = 500  # accounts per action (a few pages of the table)


class BulkAction(StrEnum):
    SUSPEND = "suspend"
    UNSUSPEND = "unsuspend"
    RETIRE = "retire"
    MOVE_POOL = "move_pool"


class Skip(StrEnum):
    """Why an account did not take the change (the page words each one)."""

    UNKNOWN = "unknown"  # no such account (deleted, or a stale selection)
    RETIRED = "retired"  # retired for good: nothing more happens to it
    ALREADY_SUSPENDED = "already_suspended"
    NOT_SUSPENDED = "not_suspended"
    HAS_SEATS = "has_seats"  # customers still hold seats on it
    SAME_POOL = "same_pool"
    CHANGED = "changed"  # its state changed between the check and the lock


@dataclass(frozen=True)
class BulkOutcome:
    account_id: int
    email: str
    skipped: Skip | None = None

    @property
    def done(self) -> bool:
        return self.skipped is None


@dataclass
class BulkReport:
    action: BulkAction
    outcomes: list[BulkOutcome] = field(default_factory=list)

    @property
    def done(self) -> list[BulkOutcome]:
        return [o for o in self.outcomes if o.done]

    @property
    def skipped(self) -> list[BulkOutcome]:
        return [o for o in self.outcomes if not o.done]


def account_ids(values: Iterable[Any]) -> list[int]:
    """The selection as distinct positive ids, in the order given; refused when empty, too long or not ids."""
    ids: list[int] = []
    for value in values:
        if isinstance(value, bool) or not str(value).strip().isdigit() or not 0 < int(str(value)) < 2**31:
            raise ValidationFailed(f"{str(value)[:20]!r} bukan nomor akun", field="account_ids")
        if int(str(value)) not in ids:
            ids.append(int(str(value)))
    if not ids:
        raise ValidationFailed("Pilih minimal satu akun", field="account_ids")
    if len(ids) > BULK_LIMIT:
        raise ValidationFailed(f"Paling banyak {BULK_LIMIT} akun sekali jalan", field="account_ids")
    return ids


def target_pool(value: Any) -> str:
    pool = storable(str(value or "").strip(), "pool")
    if not pool:
        raise ValidationFailed("Tulis nama pool tujuan", field="pool")
    if len(pool) > 64:
        raise ValidationFailed("Nama pool paling banyak 64 karakter", field="pool")
    return pool


def _skip(action: BulkAction, account: ChatGPTAccount, pool: str) -> Skip | None:
    """Why `account` cannot take `action` as it stands (None: it can); the use case checks again under lock."""
    if account.status == AccountStatus.RETIRED:
        return Skip.RETIRED
    if action == BulkAction.SUSPEND and account.status not in IN_SERVICE:
        return Skip.ALREADY_SUSPENDED
    if action == BulkAction.UNSUSPEND and account.status != AccountStatus.SUSPENDED:
        return Skip.NOT_SUSPENDED
    if action in (BulkAction.RETIRE, BulkAction.MOVE_POOL) and account.seats_used:
        return Skip.HAS_SEATS
    if action == BulkAction.MOVE_POOL and account.pool == pool:
        return Skip.SAME_POOL
    return None


def bulk_change(
    *,
    session: Session,
    actor: str,
    action: str,
    ids: Iterable[Any],
    reason: str = "",
    pool: str = "",
    ip: str | None = None,
) -> BulkReport:
    """Apply `action` to each selected account that can take it (each through its single-account use case, each
    audited) and report every account's outcome; `pool` is the destination of a move."""
    try:
        kind = BulkAction(action)
    except ValueError:
        raise ValidationFailed(f"Tindakan {action[:30]!r} tidak dikenal", field="action") from None
    wanted = account_ids(ids)
    destination = target_pool(pool) if kind == BulkAction.MOVE_POOL else ""
    reason = storable((reason or "").strip()[:500], "reason")
    found = {a.id: a for a in session.exec(select(ChatGPTAccount).where(col(ChatGPTAccount.id).in_(wanted)))}
    # every pool the run touches, locked up front in name order (the house lock order)
    lock_pools(session=session, pools={a.pool for a in found.values()} | ({destination} if destination else set()))
    apply: dict[BulkAction, Callable[[int], object]] = {
        BulkAction.SUSPEND: lambda i: suspend_account(session=session, actor=actor, account_id=i, reason=reason, ip=ip),
        BulkAction.UNSUSPEND: lambda i: unsuspend_account(session=session, actor=actor, account_id=i, ip=ip),
        BulkAction.RETIRE: lambda i: retire_account(session=session, actor=actor, account_id=i, reason=reason, ip=ip),
        BulkAction.MOVE_POOL: lambda i: update_account(
            session=session, actor=actor, account_id=i, ip=ip, pool=destination
        ),
    }
    report = BulkReport(kind)
    for account_id in wanted:
        account = found.get(account_id)
        if account is None:
            report.outcomes.append(BulkOutcome(account_id, "", Skip.UNKNOWN))
            continue
        account = lock_account(session=session, account_id=account_id)
        skipped = _skip(kind, account, destination)
        if skipped is None:
            try:
                apply[kind](account_id)
            except Conflict:
                skipped = Skip.CHANGED
        report.outcomes.append(BulkOutcome(account_id, account.email, skipped))
    record_audit(
        session=session,
        actor=actor,
        action=f"account.bulk_{kind.value}",
        entity="account",
        entity_id=None,
        ip=ip,
        done=[o.account_id for o in report.done],
        skipped=[(o.account_id, o.skipped.value if o.skipped else "") for o in report.skipped],
        pool=destination,
        reason=reason,
    )
    return report


EXPORT_COLUMNS = (
    "id",
    "email",
    "display_name",
    "pool",
    "delivery",
    "driver",
    "status",
    "health",
    "seats_used",
    "capacity",
    "monthly_cost_idr",
    "subscription_expires_at",
    "retired_at",
    "workspace_id",
    "note",
)


def _cell(value: Any) -> str:
    """A CSV cell a spreadsheet will not run: text starting with = + - @ is quoted with a leading apostrophe."""
    text = value.isoformat() if hasattr(value, "isoformat") else ("" if value is None else str(value))
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def export_accounts_csv(*, session: Session, actor: str, ids: Iterable[Any], ip: str | None = None) -> str:
    """The selected accounts as CSV (never a password or a token, only the fields above); the export is audited."""
    wanted = account_ids(ids)
    accounts = session.exec(
        select(ChatGPTAccount).where(col(ChatGPTAccount.id).in_(wanted)).order_by(col(ChatGPTAccount.id))
    ).all()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(EXPORT_COLUMNS)
    for account in accounts:
        writer.writerow(_cell(getattr(account, name)) for name in EXPORT_COLUMNS)
    record_audit(
        session=session,
        actor=actor,
        action="account.export",
        entity="account",
        entity_id=None,
        ip=ip,
        accounts=[a.id for a in accounts],
    )
    return out.getvalue()
