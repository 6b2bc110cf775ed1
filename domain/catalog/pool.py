"""The pool of ChatGPT accounts: add, edit, suspend, unsuspend, retire, CSV import.
Passwords are stored only encrypted and never written to the audit trail or logs."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from domain.catalog.account_fields import clean_display_name, parse_monthly_cost, parse_renewal_date
from domain.catalog.login_notice import tell_customers_new_login
from domain.catalog.renewals import renewal_alert_key
from domain.notify.alerts import resolve_alert
from domain.orders.locks import lock_pools
from domain.seats.allocation import serve_pending_stock
from domain.seats.provisioning import queue_invite, queue_removal
from domain.seats.seats import sync_status
from domain.shared.audit import audit_row, record_audit, snapshot
from domain.shared.crypto import decrypt_secret, encrypt_secret
from domain.shared.errors import Conflict, NotFound, ValidationFailed
from domain.shared.models import (
    AccountAssignment,
    AccountStatus,
    AssignmentStatus,
    ChatGPTAccount,
    Delivery,
    Driver,
    Health,
    InviteState,
)
from domain.shared.validation import normalize_email, parse_whole_number, storable
from infra.types import utcnow

ACCOUNT_FIELDS = (
    "email",
    "pool",
    "delivery",
    "status",
    "max_seats",
    "seats_used",
    "note",
    "driver",
    "workspace_id",
    "display_name",
    "monthly_cost_idr",
    "subscription_expires_at",
)
MAX_SEATS_LIMIT = 500
IN_SERVICE = frozenset({AccountStatus.AVAILABLE, AccountStatus.ASSIGNED})  # what can be suspended
RETIRABLE = frozenset({AccountStatus.AVAILABLE, AccountStatus.SUSPENDED})  # what can be retired (no seats held)
EDITABLE = {
    "email",
    "password",
    "pool",
    "delivery",
    "max_seats",
    "note",
    "driver",
    "workspace_id",
    "access_token",
    "session_token",
    "allow_list",
    "display_name",
    "monthly_cost_idr",
    "subscription_expires_at",
}
WORKSPACE_ID_RE = re.compile(r"^[A-Za-z0-9_.:-]{1,120}$")
MAX_TOKEN = 8000  # a JWT access token is a few kB; a session token too


@dataclass(frozen=True)
class AccountInput:
    email: str
    password: str
    pool: str
    delivery: str
    max_seats: int | None
    note: str
    driver: str = Driver.MANUAL
    workspace_id: str = ""
    access_token: str = ""
    session_token: str = ""
    allow_list: tuple[str, ...] = ()
    display_name: str = ""
    monthly_cost_idr: int | None = None
    subscription_expires_at: datetime | None = None


def _allow_list(value: Any) -> tuple[str, ...]:
    """The owner's members-on-purpose: a list, or text separated by commas, spaces or lines."""
    if value is None:
        return ()
    items = value if isinstance(value, list | tuple) else re.split(r"[\s,;]+", str(value))
    out = []
    for item in items:
        if str(item).strip():
            try:
                out.append(normalize_email(str(item)))
            except ValidationFailed:
                raise ValidationFailed(
                    f"{str(item)[:80]!r} in the allow-list is not an e-mail address", field="allow_list"
                ) from None
    if len(out) > 200:
        raise ValidationFailed("the allow-list holds 200 addresses at most", field="allow_list")
    return tuple(dict.fromkeys(out))


def validate_account(
    *,
    email: str,
    password: str = "",
    pool: str = "default",
    delivery: str = Delivery.CREDENTIALS,
    max_seats: Any = None,
    note: str = "",
    has_stored_password: bool = False,
    driver: str | None = None,
    workspace_id: str | None = "",
    access_token: str | None = "",
    session_token: str | None = "",
    allow_list: Any = None,
    has_stored_token: bool = False,
    display_name: Any = "",
    monthly_cost_idr: Any = None,
    subscription_expires_at: Any = None,
) -> AccountInput:
    """Check and normalise an account's fields; raises ValidationFailed naming the field. Tokens, like the
    password, may be left empty on an edit to keep the stored ones."""
    delivery = (delivery or Delivery.CREDENTIALS).strip().upper()
    if delivery not in Delivery.__members__:
        raise ValidationFailed(f"delivery must be CREDENTIALS or INVITE, not {delivery!r}", field="delivery")
    if max_seats is None or (isinstance(max_seats, str) and not max_seats.strip()):
        seats = None
    else:  # refused, never truncated: 2.5 is not 2
        try:
            seats = parse_whole_number(max_seats, "max_seats", minimum=1, maximum=MAX_SEATS_LIMIT)
        except ValidationFailed:
            raise ValidationFailed(
                f"max_seats {max_seats!r} is not a whole number from 1 to {MAX_SEATS_LIMIT} (empty = one customer)",
                field="max_seats",
            ) from None
    if delivery == Delivery.CREDENTIALS and not (password or has_stored_password):
        raise ValidationFailed("a CREDENTIALS account needs its password", field="password")
    pool = storable((pool or "default").strip(), "pool")
    note = storable((note or "").strip(), "note", multiline=True)
    password = storable(password or "", "password")
    for name, value, limit in (("pool", pool, 64), ("note", note, 500), ("password", password, 256)):
        if len(value) > limit:
            raise ValidationFailed(f"{name} is longer than {limit} characters", field=name)
    driver = (driver or Driver.MANUAL).strip().lower()
    if driver not in {d.value for d in Driver}:
        raise ValidationFailed(f"driver must be manual or chatgpt, not {driver[:40]!r}", field="driver")
    workspace_id = (workspace_id or "").strip()
    access_token, session_token = (access_token or "").strip(), (session_token or "").strip()
    for name, token in (("access_token", access_token), ("session_token", session_token)):
        if len(token) > MAX_TOKEN or any(c.isspace() for c in token):
            raise ValidationFailed(f"{name} is not a token (no spaces, {MAX_TOKEN} characters at most)", field=name)
    if workspace_id and not WORKSPACE_ID_RE.fullmatch(workspace_id):
        raise ValidationFailed(
            "workspace_id is letters, digits and - _ . : (as ChatGPT shows it)", field="workspace_id"
        )
    if driver == Driver.CHATGPT:
        if delivery != Delivery.INVITE:
            raise ValidationFailed("only an INVITE (workspace) account can be automated", field="driver")
        if not workspace_id:
            raise ValidationFailed("an automated workspace needs its workspace_id", field="workspace_id")
        if not (access_token or has_stored_token):
            raise ValidationFailed("an automated workspace needs its access_token", field="access_token")
    return AccountInput(
        normalize_email(email),
        password,
        pool,
        delivery,
        seats,
        note,
        driver,
        workspace_id,
        access_token,
        session_token,
        _allow_list(allow_list),
        clean_display_name(display_name),
        parse_monthly_cost(monthly_cost_idr),
        parse_renewal_date(subscription_expires_at),
    )


def _email_taken(session: Session, email: str, except_id: int | None = None) -> bool:
    query = select(ChatGPTAccount.id).where(ChatGPTAccount.email == email)
    if except_id is not None:
        query = query.where(ChatGPTAccount.id != except_id)
    return session.exec(query).first() is not None


def add_account(*, session: Session, actor: str, ip: str | None = None, **fields: Any) -> ChatGPTAccount:
    """Add an account to the pool; its seats immediately serve orders waiting for stock."""
    data = validate_account(**fields)
    if _email_taken(session, data.email):
        raise Conflict(f"account {data.email} is already in the pool", field="email")
    account = ChatGPTAccount(
        email=data.email,
        pool=data.pool,
        delivery=data.delivery,
        password_enc=encrypt_secret(data.password) if data.password else "",
        note=data.note,
        max_seats=data.max_seats,
        status=AccountStatus.AVAILABLE,
        seats_used=0,
        driver=data.driver,
        workspace_id=data.workspace_id,
        access_token_enc=encrypt_secret(data.access_token) if data.access_token else "",
        session_token_enc=encrypt_secret(data.session_token) if data.session_token else "",
        allow_list=list(data.allow_list),
        display_name=data.display_name,
        monthly_cost_idr=data.monthly_cost_idr,
        subscription_expires_at=data.subscription_expires_at,
    )
    session.add(account)
    session.flush()
    audit_row(
        account,
        session=session,
        actor=actor,
        action="account.create",
        after=snapshot(account, *ACCOUNT_FIELDS),
        ip=ip,
        tokens_set=bool(data.access_token or data.session_token),
    )
    serve_pending_stock(session=session, actor=actor, pool=account.pool)
    return account


def lock_account(*, session: Session, account_id: int, also_pools: tuple[str, ...] = ()) -> ChatGPTAccount:
    """The account row locked for this transaction, after its pool's lock (the house lock order)."""
    pool = session.exec(select(ChatGPTAccount.pool).where(ChatGPTAccount.id == account_id)).first()
    if pool is None:
        raise NotFound(f"unknown account {account_id}")
    lock_pools(session=session, pools=[pool, *also_pools])
    query = (
        select(ChatGPTAccount)
        .where(ChatGPTAccount.id == account_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    account = session.exec(query).first()
    if account is None:
        raise NotFound(f"unknown account {account_id}")
    if account.pool != pool:  # moved to another pool between the read and the lock (rare): lock that one too
        lock_pools(session=session, pools=[account.pool])
    return account


def update_account(
    *, session: Session, actor: str, account_id: int, ip: str | None = None, **changes: Any
) -> ChatGPTAccount:
    """Edit an account; capacity never drops below the seats in use, pool and mode only change while empty."""
    unknown = set(changes) - EDITABLE
    if unknown:
        raise ValidationFailed(f"cannot change {', '.join(sorted(unknown))} of an account")
    new_pool = (changes.get("pool") or "").strip()
    account = lock_account(session=session, account_id=account_id, also_pools=(new_pool,) if new_pool else ())
    current = {
        "email": account.email,
        "password": "",
        "pool": account.pool,
        "delivery": account.delivery,
        "max_seats": account.max_seats,
        "note": account.note,
        "driver": account.driver,
        "workspace_id": account.workspace_id,
        "access_token": "",
        "session_token": "",
        "allow_list": account.allow_list,
        "display_name": account.display_name,
        "monthly_cost_idr": account.monthly_cost_idr,
        "subscription_expires_at": account.subscription_expires_at,
    }
    data = validate_account(
        **(current | changes),
        has_stored_password=bool(account.password_enc),
        has_stored_token=bool(account.access_token_enc),
    )
    if data.email != account.email and _email_taken(session, data.email, account.id):
        raise Conflict(f"account {data.email} is already in the pool", field="email")
    capacity = data.max_seats if data.max_seats is not None else 1
    if capacity < account.seats_used:
        raise Conflict(f"{account.seats_used} seats are in use; capacity cannot drop to {capacity}", field="max_seats")
    if account.seats_used and (data.pool != account.pool or data.delivery != account.delivery):
        raise Conflict("pool and delivery mode can only change while no seat is in use", field="pool")
    renews = data.subscription_expires_at
    if (
        data.driver == Driver.CHATGPT
        and "subscription_expires_at" in changes
        and renews != account.subscription_expires_at
    ):
        raise ValidationFailed(
            "Tanggal perpanjangan workspace otomatis diisi oleh sinkron workspace", field="subscription_expires_at"
        )
    before = snapshot(account, *ACCOUNT_FIELDS)
    account.email, account.pool, account.delivery = data.email, data.pool, data.delivery
    account.display_name, account.monthly_cost_idr = data.display_name, data.monthly_cost_idr
    if renews != account.subscription_expires_at:  # a new renewal date earns a new reminder
        account.subscription_expires_at, account.subscription_reminded_at = renews, None
        resolve_alert(session=session, key=renewal_alert_key(account.id))
    account.max_seats, account.note = data.max_seats, data.note
    account.driver, account.workspace_id, account.allow_list = data.driver, data.workspace_id, list(data.allow_list)
    if data.password:
        account.password_enc = encrypt_secret(data.password)
    tokens_changed = bool(data.access_token or data.session_token)
    if data.access_token:
        account.access_token_enc = encrypt_secret(data.access_token)
    if data.session_token:
        account.session_token_enc = encrypt_secret(data.session_token)
    if account.automated and before["driver"] != Driver.CHATGPT:
        _hand_queue_to_worker(session, account)
    if tokens_changed and account.health == Health.TOKEN_EXPIRED:
        account.health, account.failures_in_row, account.last_error = Health.OK, 0, ""  # the next call will tell
    sync_status(account)
    session.add(account)
    session.flush()
    audit_row(
        account,
        session=session,
        actor=actor,
        action="account.update",
        before=before,
        after=snapshot(account, *ACCOUNT_FIELDS),
        ip=ip,
        password_changed=bool(data.password),
        tokens_changed=tokens_changed,
    )
    if data.password and account.delivery == Delivery.CREDENTIALS:
        tell_customers_new_login(session=session, actor=actor, account=account)
    serve_pending_stock(session=session, actor=actor, pool=account.pool)
    return account


def _hand_queue_to_worker(session: Session, account: ChatGPTAccount) -> None:
    """An account just automated: the owner's open to-dos on it (seats to invite, ended seats to remove) become
    the worker's tasks."""
    seats = session.exec(
        select(AccountAssignment).where(
            AccountAssignment.chatgpt_account_id == account.id,
            col(AccountAssignment.invite_state).in_([InviteState.TO_INVITE, InviteState.TO_REMOVE]),
        )
    )
    for seat in seats:
        if seat.invite_state == InviteState.TO_INVITE and seat.status == AssignmentStatus.ACTIVE:
            queue_invite(
                session=session,
                assignment_id=seat.id,  # type: ignore[arg-type]
                account_id=account.id,  # type: ignore[arg-type]
                email=seat.customer_email,
                reason="account automated",
            )
        elif seat.invite_state == InviteState.TO_REMOVE and seat.status != AssignmentStatus.ACTIVE:
            queue_removal(session=session, assignment=seat, account_id=account.id, reason="account automated")  # type: ignore[arg-type]


def _set_status(
    session: Session,
    actor: str,
    account_id: int,
    action: str,
    ip: str | None,
    reason: str,
    allowed_from: Collection[str],
    to: str | None,
) -> ChatGPTAccount:
    account = lock_account(session=session, account_id=account_id)
    if account.status not in allowed_from:
        raise Conflict(f"account {account.email} is {account.status}; cannot {action.split('.')[-1]} it")
    before = snapshot(account, "status")
    if to is None:  # back into service: the seat count decides
        account.status = AccountStatus.AVAILABLE
        sync_status(account)
    else:
        account.status = to
    if to == AccountStatus.RETIRED:
        account.retired_at = utcnow()
    session.add(account)
    session.flush()
    audit_row(
        account,
        session=session,
        actor=actor,
        action=action,
        before=before,
        after=snapshot(account, "status", *(("retired_at",) if to == AccountStatus.RETIRED else ())),
        ip=ip,
        reason=reason,
    )
    return account


def suspend_account(
    *, session: Session, actor: str, account_id: int, reason: str = "", ip: str | None = None
) -> ChatGPTAccount:
    """Stop giving out seats on an account; customers already on it keep theirs until moved."""
    return _set_status(session, actor, account_id, "account.suspend", ip, reason, IN_SERVICE, AccountStatus.SUSPENDED)


def unsuspend_account(*, session: Session, actor: str, account_id: int, ip: str | None = None) -> ChatGPTAccount:
    account = _set_status(session, actor, account_id, "account.unsuspend", ip, "", {AccountStatus.SUSPENDED}, None)
    serve_pending_stock(session=session, actor=actor, pool=account.pool)
    return account


def retire_account(
    *, session: Session, actor: str, account_id: int, reason: str = "", ip: str | None = None
) -> ChatGPTAccount:
    """Take an account out of the pool for good; refused while customers still hold seats on it."""
    account = lock_account(session=session, account_id=account_id)
    if account.seats_used:
        raise Conflict(
            f"account {account.email} still has {account.seats_used} active seat(s); move or revoke them first"
        )
    return _set_status(session, actor, account_id, "account.retire", ip, reason, RETIRABLE, AccountStatus.RETIRED)


def reveal_password(*, session: Session, actor: str, account_id: int, ip: str | None = None) -> str:
    """The account's password in clear, for an admin who confirmed; the reveal itself is audited."""
    account = session.get(ChatGPTAccount, account_id)
    if account is None:
        raise NotFound(f"unknown account {account_id}")
    audit_row(account, session=session, actor=actor, action="account.reveal_password", ip=ip)
    return decrypt_secret(account.password_enc)


def list_accounts(*, session: Session, pool: str | None = None, status: str | None = None) -> list[ChatGPTAccount]:
    query = select(ChatGPTAccount).order_by(col(ChatGPTAccount.pool), col(ChatGPTAccount.email))
    if pool:
        query = query.where(ChatGPTAccount.pool == pool)
    if status:
        query = query.where(ChatGPTAccount.status == status)
    return list(session.exec(query))


# the last five are optional: an automated workspace (driver chatgpt) and its tokens, members kept on purpose
CSV_COLUMNS = (
    "email",
    "password",
    "pool",
    "delivery",
    "max_seats",
    "note",
    "driver",
    "workspace_id",
    "access_token",
    "session_token",
    "allow_list",
    "display_name",
    "monthly_cost_idr",  # 75000, 75.000 or Rp 75.000
    "subscription_expires_at",  # the renewal day: 2027-01-05 or 05-01-2027 (midnight WIB)
)


@dataclass
class ImportRow:
    line: int
    email: str
    error: str | None = None
    account_id: int | None = None


@dataclass
class ImportReport:
    rows: list[ImportRow] = field(default_factory=list)

    @property
    def ok(self) -> list[ImportRow]:
        return [r for r in self.rows if r.error is None]

    @property
    def errors(self) -> list[ImportRow]:
        return [r for r in self.rows if r.error is not None]


def _without_values(message: str, raw: dict[str, Any]) -> str:
    """A row's error without the values it quotes, but the e-mail: a password with an unquoted comma spills
    into the next columns, whose errors would otherwise echo it into the preview and the audit log. A quoted
    piece of a value counts too (an error quotes the first characters of a long one: a token typed in the
    wrong column)."""
    values = [str(value).strip().lower() for key, value in raw.items() if key != "email" and value]

    def hide(match: re.Match[str]) -> str:
        quote, inner = match.group(1), match.group(2).strip().lower()
        quoted = bool(inner) and any(inner == v or (len(inner) >= 4 and inner in v) for v in values)
        return f"{quote}…{quote}" if quoted else match.group(0)

    return re.sub(r"(['\"])(.*?)\1", hide, message)


def import_accounts_csv(*, session: Session, actor: str, text: str, dry_run: bool = False) -> ImportReport:
    """Import accounts from CSV (header: email,password,pool,delivery,max_seats,note; optionally driver,
    workspace_id,access_token,session_token,allow_list, and display_name,monthly_cost_idr,subscription_expires_at).

    Each row is checked on its own; bad rows are reported by line and skipped, good rows are
    added (unless `dry_run`, which only previews)."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = {"email"} - set(reader.fieldnames or [])
    if missing:
        raise ValidationFailed("the CSV needs a header row with at least an 'email' column", field="file")
    report = ImportReport()
    seen: set[str] = set()
    pending: list[tuple[ImportRow, dict[str, Any]]] = []
    for line, row in enumerate(reader, start=2):
        raw: dict[str, Any] = {k: (row.get(k) or "").strip() for k in CSV_COLUMNS}
        entry = ImportRow(line=line, email=raw["email"])
        try:
            if row.get(None):  # type: ignore[call-overload]  # DictReader files surplus fields under None (restkey)
                raise ValidationFailed(
                    "the line has more columns than the header: put a password that holds a comma in double "
                    'quotes ("pa,ss")',
                    field="file",
                )
            data = validate_account(**raw)
            if data.email in seen or _email_taken(session, data.email):
                raise Conflict(
                    f"{data.email} is already in the pool"
                    if data.email not in seen
                    else f"{data.email} appears twice in the file"
                )
            seen.add(data.email)
            entry.email = data.email
            if not dry_run:
                pending.append((entry, raw))
        except (ValidationFailed, Conflict) as exc:
            entry.error = _without_values(exc.message, raw)
        report.rows.append(entry)
    # every pool the import touches is locked up front, in name order (the house lock order)
    lock_pools(session=session, pools={str(raw["pool"] or "default").strip() for _, raw in pending})
    for entry, raw in pending:
        entry.account_id = add_account(session=session, actor=actor, **raw).id
    if not dry_run:
        record_audit(
            session=session,
            actor=actor,
            action="account.import",
            entity="account",
            entity_id=None,
            imported=len(report.ok),
            rejected=[(r.line, r.error) for r in report.errors],
        )
    return report
