"""Read models of the admin's workspace pages (DESIGN.md §9): an account as the admin sees it (never a token, only
whether one is stored), who the last sync saw in its workspace, its recent tasks with their attempts, the work
behind each seat of the invite queue; and the owner's small actions there (a stranger allowed, a seat marked by
hand only when no task is on it)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, col, func, select

from domain.catalog.pool import lock_account, update_account
from domain.seats.assignments import mark_invite
from domain.seats.provisioning import OPEN, open_task
from domain.shared.errors import Conflict, NotFound
from domain.shared.models import (
    DEAD,
    AccountAssignment,
    AssignmentStatus,
    ChatGPTAccount,
    InviteState,
    TaskKind,
    WorkspaceAttempt,
    WorkspaceSeen,
    WorkspaceTask,
)
from domain.shared.validation import normalize_email

# the kind of task that does a to-do of the invite queue
TASK_FOR = {InviteState.TO_INVITE: TaskKind.INVITE, InviteState.TO_REMOVE: TaskKind.REMOVE}
HAND_MARK = {InviteState.INVITED: InviteState.TO_INVITE, InviteState.REMOVED: InviteState.TO_REMOVE}


@dataclass(frozen=True)
class AccountCard:
    """An account's fields for the admin: the tokens only as "stored or not"."""

    id: int
    email: str
    pool: str
    delivery: str
    driver: str
    workspace_id: str
    status: str
    seats_used: int
    capacity: int
    max_seats: int | None
    note: str
    password_set: bool
    access_token_set: bool
    session_token_set: bool
    automated: bool
    health: str
    health_changed_at: datetime | None
    last_sync_at: datetime | None
    last_error: str
    failures_in_row: int
    subscription_expires_at: datetime | None
    members_count: int | None
    invites_count: int | None
    strangers_count: int | None
    allow_list: tuple[str, ...]
    display_name: str = ""
    monthly_cost_idr: int | None = None
    retired_at: datetime | None = None
    totp_set: bool = False  # login help: a TOTP secret is stored (never shown again)
    login_code_at: datetime | None = None  # when the owner last pasted an e-mailed verification code

    @classmethod
    def of(cls, account: ChatGPTAccount) -> AccountCard:
        return cls(
            id=account.id or 0,
            email=account.email,
            pool=account.pool,
            delivery=account.delivery,
            driver=account.driver,
            workspace_id=account.workspace_id,
            status=account.status,
            seats_used=account.seats_used,
            capacity=account.capacity,
            max_seats=account.max_seats,
            note=account.note,
            password_set=bool(account.password_enc),
            access_token_set=bool(account.access_token_enc),
            session_token_set=bool(account.session_token_enc),
            automated=account.automated,
            health=account.health,
            health_changed_at=account.health_changed_at,
            last_sync_at=account.last_sync_at,
            last_error=account.last_error,
            failures_in_row=account.failures_in_row,
            subscription_expires_at=account.subscription_expires_at,
            members_count=account.members_count,
            invites_count=account.invites_count,
            strangers_count=account.strangers_count,
            allow_list=tuple(account.allow_list or ()),
            display_name=account.display_name,
            monthly_cost_idr=account.monthly_cost_idr,
            retired_at=account.retired_at,
            totp_set=bool(account.totp_secret_enc),
            login_code_at=account.login_code_at if account.login_code_enc else None,
        )

    @property
    def dead(self) -> bool:
        return self.health in DEAD


@dataclass(frozen=True)
class SeenPerson:
    """Someone the last sync saw in the workspace: a member or a pending invite, and whether the shop sold them
    a seat (a stranger did not buy one and is not on the allow-list)."""

    email: str
    kind: str  # member | invite
    role: str
    is_stranger: bool
    first_seen_at: datetime
    last_seen_at: datetime


@dataclass(frozen=True)
class AttemptLine:
    at: datetime
    action: str
    outcome: str
    detail: str


@dataclass(frozen=True)
class TaskLine:
    id: int
    kind: str
    email: str
    status: str
    reason: str
    attempts: int
    created_at: datetime
    done_at: datetime | None
    last_error: str
    steps: list[AttemptLine] = field(default_factory=list)


@dataclass(frozen=True)
class SeatLine:
    id: int
    customer_email: str
    invite_state: str
    end_at: datetime


@dataclass(frozen=True)
class WorkspaceDetail:
    account: AccountCard
    people: list[SeenPerson]
    tasks: list[TaskLine]
    seats: list[SeatLine]

    @property
    def members(self) -> list[SeenPerson]:
        return [p for p in self.people if p.kind == "member" and not p.is_stranger]

    @property
    def invites(self) -> list[SeenPerson]:
        return [p for p in self.people if p.kind == "invite" and not p.is_stranger]

    @property
    def strangers(self) -> list[SeenPerson]:
        return [p for p in self.people if p.is_stranger]

    @property
    def news(self) -> tuple[object, ...]:
        """What, when it changes, means the page must be redrawn."""
        a = self.account
        return (
            a.health,
            a.status,
            a.seats_used,
            a.last_sync_at,
            a.last_error,
            a.allow_list,
            tuple((p.email, p.kind, p.is_stranger) for p in self.people),
            tuple((t.id, t.status, len(t.steps)) for t in self.tasks),
            tuple((s.id, s.invite_state) for s in self.seats),
            (a.totp_set, a.login_code_at),
        )


def _attempts(session: Session, task_ids: list[int], per_task: int) -> dict[int, list[AttemptLine]]:
    found: dict[int, list[AttemptLine]] = defaultdict(list)
    if not task_ids:
        return found
    rows = session.exec(
        select(WorkspaceAttempt)
        .where(col(WorkspaceAttempt.task_id).in_(task_ids))
        .order_by(col(WorkspaceAttempt.task_id), col(WorkspaceAttempt.id).desc())
    )
    for row in rows:
        if len(found[row.task_id]) < per_task:
            found[row.task_id].append(AttemptLine(row.at, row.action, row.outcome, row.detail))
    return found


def workspace_detail(
    *, session: Session, account_id: int, tasks: int = 20, attempts_per_task: int = 8
) -> WorkspaceDetail | None:
    """One account for its admin page: the card, who the last sync saw, the latest tasks (newest first, each
    with its latest attempts, newest first) and the active seats."""
    account = session.get(ChatGPTAccount, account_id)
    if account is None:
        return None
    people = [
        SeenPerson(r.email, r.kind, r.role, r.is_stranger, r.first_seen_at, r.last_seen_at)
        for r in session.exec(
            select(WorkspaceSeen)
            .where(WorkspaceSeen.account_id == account_id)
            .order_by(col(WorkspaceSeen.is_stranger).desc(), col(WorkspaceSeen.email))
        )
    ]
    rows = list(
        session.exec(
            select(WorkspaceTask)
            .where(WorkspaceTask.account_id == account_id)
            .order_by(col(WorkspaceTask.id).desc())
            .limit(tasks)
        )
    )
    steps = _attempts(session, [r.id for r in rows if r.id], attempts_per_task)
    lines = [
        TaskLine(
            id=r.id or 0,
            kind=r.kind,
            email=r.email,
            status=r.status,
            reason=r.reason,
            attempts=r.attempts,
            created_at=r.created_at,
            done_at=r.done_at,
            last_error=r.last_error or "",
            steps=steps.get(r.id or 0, []),
        )
        for r in rows
    ]
    seats = [
        SeatLine(s.id or 0, s.customer_email, s.invite_state or "", s.end_at)
        for s in session.exec(
            select(AccountAssignment)
            .where(
                AccountAssignment.chatgpt_account_id == account_id,
                AccountAssignment.status == AssignmentStatus.ACTIVE,
            )
            .order_by(col(AccountAssignment.end_at))
            .limit(200)
        )
    ]
    return WorkspaceDetail(AccountCard.of(account), people, lines, seats)


@dataclass(frozen=True)
class SeatWork:
    """The latest workspace task behind a seat's to-do: open (the worker is on it) or failed (the owner's)."""

    status: str
    kind: str
    last_error: str

    @property
    def open(self) -> bool:
        return self.status in OPEN


def seat_work(*, session: Session, seats: list[AccountAssignment]) -> dict[int, SeatWork]:
    """For a page of seats with a to-do (to invite, to remove): the latest task of the kind that does it."""
    wanted = {s.id: TASK_FOR[InviteState(s.invite_state)] for s in seats if s.id and s.invite_state in TASK_FOR}
    if not wanted:
        return {}
    latest = (
        select(WorkspaceTask.assignment_id, WorkspaceTask.kind, func.max(WorkspaceTask.id).label("last"))
        .where(col(WorkspaceTask.assignment_id).in_(list(wanted)))
        .group_by(col(WorkspaceTask.assignment_id), col(WorkspaceTask.kind))
        .subquery()
    )
    rows = session.exec(
        select(WorkspaceTask).join(latest, col(WorkspaceTask.id) == latest.c.last)  # type: ignore[arg-type]
    )
    found: dict[int, SeatWork] = {}
    for task in rows:
        if task.assignment_id is not None and wanted.get(task.assignment_id) == task.kind:
            found[task.assignment_id] = SeatWork(task.status, task.kind, task.last_error or "")
    return found


def mark_by_hand(
    *, session: Session, assignment_id: int, state: InviteState, actor: str, ip: str | None = None
) -> AccountAssignment:
    """The owner's "invited" / "removed" on a seat of the invite queue; refused while the worker's task for it is
    open (the worker is doing it: marking it too would leave two hands on one seat)."""
    seat = mark_invite(session=session, assignment_id=assignment_id, state=state, actor=actor, ip=ip)
    # checked after mark_invite locked the seat (the lock order: the seat, then its task); a refusal rolls it back
    if state in HAND_MARK and open_task(
        session=session, assignment_id=assignment_id, kind=TASK_FOR[HAND_MARK[state]], lock=True
    ):
        raise Conflict(
            "the workspace worker is on this seat right now; it shows in the queue again if it fails",
            field="invite_state",
        )
    return seat


def allow_member(*, session: Session, account_id: int, email: str, actor: str, ip: str | None = None) -> ChatGPTAccount:
    """Put someone the sync flagged as a stranger on the account's allow-list: no longer flagged, never removed."""
    address = normalize_email(email)
    account = lock_account(session=session, account_id=account_id)
    if not account.automated:
        raise Conflict("only an automated workspace has an allow-list", field="allow_list")
    if address not in account.allow_list:
        account = update_account(
            session=session, actor=actor, account_id=account_id, ip=ip, allow_list=[*account.allow_list, address]
        )
    seen = session.exec(
        select(WorkspaceSeen).where(WorkspaceSeen.account_id == account_id, WorkspaceSeen.email == address)
    ).first()
    if seen is not None and seen.is_stranger:
        seen.is_stranger = False
        session.add(seen)
        if account.strangers_count:
            account.strangers_count -= 1
            session.add(account)
    return account


def account_card(*, session: Session, account_id: int) -> AccountCard:
    account = session.get(ChatGPTAccount, account_id)
    if account is None:
        raise NotFound(f"unknown account {account_id}")
    return AccountCard.of(account)
