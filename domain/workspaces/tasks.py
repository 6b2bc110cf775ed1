"""Carrying out workspace tasks (DESIGN.md §9), the domain's half: claim due tasks under a lease, and settle
what an attempt found. The calls themselves happen between the two, outside any transaction
(runtime/workspaces.py). A task is settled only by the attempt that claimed it last (its attempt number), so
a slow attempt whose lease ran out cannot overwrite the one that took over."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from sqlmodel import Session, col, select

from domain.seats.allocation import reseat
from domain.shared.audit import WORKSPACE, audit_row, snapshot
from domain.shared.crypto import decrypt_secret, encrypt_secret
from domain.shared.models import (
    DEAD,
    AccountAssignment,
    AssignmentStatus,
    ChatGPTAccount,
    Health,
    InviteState,
    TaskKind,
    TaskStatus,
    WorkspaceAttempt,
    WorkspaceTask,
)
from domain.workspaces.driver import WorkspaceAccess, WorkspaceFailure
from domain.workspaces.health import locked_account, record_failure, record_success, set_health

log = logging.getLogger("aksesgpt.workspaces")
# waits after a transient failure, attempt by attempt; then the task FAILS into the owner's manual queue
RETRY_SECONDS = (5, 15, 60, 120, 300, 600, 1800, 3600, 3600, 3600)
MAX_ATTEMPTS = len(RETRY_SECONDS)
TOKEN_WAIT = timedelta(minutes=10)  # a task on a workspace whose token lapsed waits for the owner's new token
GHOST_RETRIES = 1  # a success with nothing behind it is tried once more before the workspace is RESTRICTED


@dataclass
class ClaimedTask:
    """A task as claimed, with what its attempt needs (the credentials decrypted for the length of the call)."""

    id: int
    kind: str
    status: str
    email: str
    attempts: int
    ghosts: int
    confirm_by: datetime | None
    account_id: int
    assignment_id: int | None
    access: WorkspaceAccess
    lease_until: datetime | None = None
    claimed_at: datetime | None = None
    reason: str = ""  # why it was queued (provisioning.REPORTED: look at the workspace before inviting)

    def out_of_lease(self, now: datetime) -> bool:
        """Whether a call that acts might outlive this attempt's lease (another worker could take the task over
        meanwhile and act too): it must leave a worst-case call's time, here a third of the lease."""
        if self.lease_until is None or self.claimed_at is None:
            return False
        return now > self.lease_until - (self.lease_until - self.claimed_at) / 3

    @property
    def may_have_acted(self) -> bool:
        """An earlier attempt may have reached the workspace (it died, or its lease ran out): look first."""
        return self.attempts > 1 or self.ghosts > 0


class Result(StrEnum):
    INVITED = "invited"  # listed as a pending invite
    JOINED = "joined"  # already a member
    SENT = "sent"  # the invite call succeeded; confirmation follows
    UNCONFIRMED = "unconfirmed"  # not listed yet, still within confirm_by
    GHOST = "ghost"  # success with nothing behind it (or never listed before confirm_by)
    REMOVED = "removed"  # the removal happened, or there was nothing to remove
    SKIPPED = "skipped"  # no longer wanted (the seat ended, the account died, the customer has another seat)
    FAILED = "failed"  # the call failed: see `failure`
    LATE = "late"  # too little of the lease was left to make a call that acts: again at once, looking first


@dataclass
class Outcome:
    result: Result
    detail: str = ""
    failure: WorkspaceFailure | None = None
    attempts: list[tuple[str, str, str]] = field(default_factory=list)  # (action, outcome, detail) per call


PER_WORKSPACE = 10  # tasks of one workspace in one claim: the rest of a batch goes to other workspaces


def claim_tasks(
    *, session: Session, now: datetime, limit: int, lease: timedelta, per_workspace: int = PER_WORKSPACE
) -> list[ClaimedTask]:
    """Due tasks, oldest first but at most `per_workspace` of one workspace (a burst of sales on one workspace,
    which its rate limit paces, does not hold up the others), each leased for `lease` (not picked again
    meanwhile, even if this process dies)."""
    due = session.exec(
        select(WorkspaceTask.id, WorkspaceTask.account_id)
        .where(
            col(WorkspaceTask.status).in_([TaskStatus.PENDING, TaskStatus.CONFIRMING]),
            col(WorkspaceTask.next_attempt_at) <= now,
        )
        .order_by(col(WorkspaceTask.next_attempt_at), col(WorkspaceTask.id))
        .limit(limit * 5)
    ).all()
    taken: dict[int, int] = {}
    wanted: list[int] = []
    for task_id, account_id in due:
        if taken.get(account_id, 0) < per_workspace and len(wanted) < limit:
            taken[account_id] = taken.get(account_id, 0) + 1
            wanted.append(int(task_id or 0))
    if not wanted:
        return []
    rows = session.exec(
        select(WorkspaceTask)
        .where(
            col(WorkspaceTask.id).in_(wanted),
            col(WorkspaceTask.status).in_([TaskStatus.PENDING, TaskStatus.CONFIRMING]),
            col(WorkspaceTask.next_attempt_at) <= now,
        )
        .order_by(col(WorkspaceTask.next_attempt_at), col(WorkspaceTask.id))
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    ).all()
    if not rows:
        return []
    accounts = {
        a.id: a
        for a in session.exec(
            select(ChatGPTAccount).where(col(ChatGPTAccount.id).in_({t.account_id for t in rows}))
        ).all()
    }
    claimed = []
    for task in rows:
        task.attempts += 1
        task.next_attempt_at = now + lease
        session.add(task)
        account = accounts[task.account_id]
        access = WorkspaceAccess(
            account_id=task.account_id,
            workspace_id=account.workspace_id,
            access_token=decrypt_secret(account.access_token_enc),
            session_token=decrypt_secret(account.session_token_enc),
        )
        claimed.append(
            ClaimedTask(
                id=task.id,  # type: ignore[arg-type]
                kind=task.kind,
                status=task.status,
                email=task.email,
                attempts=task.attempts,
                ghosts=task.ghosts,
                confirm_by=task.confirm_by,
                account_id=task.account_id,
                assignment_id=task.assignment_id,
                access=access,
                lease_until=now + lease,
                claimed_at=now,
                reason=task.reason,
            )
        )
    return claimed


def still_wanted(*, session: Session, task: ClaimedTask) -> str | None:
    """Why the task should not act any more (None: go on). Read before the calls."""
    account = session.get(ChatGPTAccount, task.account_id)
    assignment = session.get(AccountAssignment, task.assignment_id) if task.assignment_id else None
    if task.kind == TaskKind.INVITE:
        if assignment is None or assignment.status != AssignmentStatus.ACTIVE:
            return "the seat has ended"
        if account is not None and account.health in (Health.BANNED, Health.SUBSCRIPTION_ENDED, Health.RESTRICTED):
            return f"the workspace is {account.health}"  # (an UNREACHABLE one is tried again: it may come back)
        return None
    other_seat = session.exec(
        select(AccountAssignment.id).where(
            AccountAssignment.chatgpt_account_id == task.account_id,
            AccountAssignment.status == AssignmentStatus.ACTIVE,
            col(AccountAssignment.customer_email) == task.email,
        )
    ).first()
    if other_seat is not None:
        return "the customer holds another seat on this workspace"
    return None


def settle(*, session: Session, task: ClaimedTask, outcome: Outcome, now: datetime, confirm_s: int, poll_s: int) -> str:
    """Record an attempt's outcome; returns the task's status after it (or 'stale' when another attempt owns it)."""
    # lock order as everywhere: the assignment row, then the pool, then the account; then the task
    assignment = (
        session.exec(
            select(AccountAssignment)
            .where(AccountAssignment.id == task.assignment_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).first()
        if task.assignment_id
        else None
    )
    account = _account_for(session, task, outcome)
    row = session.exec(
        select(WorkspaceTask)
        .where(WorkspaceTask.id == task.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    for action, result, detail in outcome.attempts:
        session.add(WorkspaceAttempt(task_id=task.id, at=now, action=action, outcome=result, detail=detail[:500]))
    if row.attempts != task.attempts or row.status not in (TaskStatus.PENDING, TaskStatus.CONFIRMING):
        log.warning("workspace task=%s stale attempt=%s (now %s, %s)", task.id, task.attempts, row.attempts, row.status)
        return "stale"
    if task.access.renewed:
        account.access_token_enc = encrypt_secret(task.access.access_token)
        if task.access.session_token:
            account.session_token_enc = encrypt_secret(task.access.session_token)
        session.add(account)
    result = outcome.result
    if result != Result.FAILED and outcome.attempts:
        record_success(session=session, account=account, actor=WORKSPACE, now=now)
    if result in (Result.INVITED, Result.JOINED):
        _finish(row, TaskStatus.DONE, now, outcome.detail)
        state = InviteState.JOINED if result == Result.JOINED else InviteState.INVITED
        if assignment is not None and assignment.status == AssignmentStatus.ACTIVE:
            _mark(session, assignment, state)
    elif result == Result.SENT:
        row.status, row.confirm_by, row.next_attempt_at = TaskStatus.CONFIRMING, now + timedelta(seconds=confirm_s), now
        row.next_attempt_at = now + timedelta(seconds=poll_s)
        row.last_error = None
    elif result == Result.UNCONFIRMED:
        row.next_attempt_at = now + timedelta(seconds=poll_s)
    elif result == Result.LATE:
        row.next_attempt_at = now  # the next attempt looks before acting
    elif result == Result.GHOST:
        _ghost(session, row, account, assignment, now, outcome.detail)
    elif result == Result.REMOVED:
        _finish(row, TaskStatus.DONE, now, outcome.detail)
        if assignment is not None and assignment.status != AssignmentStatus.ACTIVE:
            _mark(session, assignment, InviteState.REMOVED)
    elif result == Result.SKIPPED:
        _finish(row, TaskStatus.CANCELLED, now, outcome.detail)
        if row.kind == TaskKind.REMOVE and assignment is not None and assignment.status != AssignmentStatus.ACTIVE:
            _mark(session, assignment, InviteState.REMOVED)  # nothing is left to do for this seat (not the owner's)
    else:
        _failed(session, row, account, assignment, outcome.failure, now)
    session.add(row)
    return row.status


def _account_for(session: Session, task: ClaimedTask, outcome: Outcome) -> ChatGPTAccount:
    """The task's account, locked as far as the outcome needs: a failure or a ghost may change its health and reseat
    its customers (the pool's lock, then the row); a success changes the row only when it was failing or renewed a
    token (the row alone); otherwise nothing is locked, so one workspace's invitations settle side by side."""
    if outcome.result in (Result.FAILED, Result.GHOST):
        return locked_account(session, task.account_id)
    account = session.get(ChatGPTAccount, task.account_id)
    assert account is not None
    if task.access.renewed or account.failures_in_row or account.health in (Health.UNREACHABLE, Health.TOKEN_EXPIRED):
        account = session.exec(
            select(ChatGPTAccount)
            .where(ChatGPTAccount.id == task.account_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).one()
    return account


def _finish(row: WorkspaceTask, status: TaskStatus, now: datetime, detail: str) -> None:
    row.status, row.done_at = status, now
    row.last_error = detail[:1000] if status != TaskStatus.DONE and detail else None


def _mark(session: Session, assignment: AccountAssignment, state: InviteState) -> None:
    if assignment.invite_state == state:
        return
    before = snapshot(assignment, "invite_state")
    assignment.invite_state = state
    assignment.missing_syncs = 0
    session.add(assignment)
    audit_row(
        assignment,
        session=session,
        actor=WORKSPACE,
        action=f"assignment.{state.value.lower()}",
        before=before,
        after=snapshot(assignment, "invite_state"),
    )


def _ghost(
    session: Session,
    row: WorkspaceTask,
    account: ChatGPTAccount,
    assignment: AccountAssignment | None,
    now: datetime,
    detail: str,
) -> None:
    """An invite answered success but never appeared: once more, then the workspace is RESTRICTED and its
    customers (this one first among them) are moved to healthy accounts."""
    row.ghosts += 1
    row.last_error = detail or "the invitation was accepted but never listed"
    if row.ghosts <= GHOST_RETRIES:
        row.status, row.confirm_by, row.next_attempt_at = TaskStatus.PENDING, None, now
        return
    _finish(row, TaskStatus.FAILED, now, row.last_error)
    session.add(row)
    session.flush()
    set_health(
        session=session,
        account=account,
        health=Health.RESTRICTED,
        actor=WORKSPACE,
        error=f"invitations answered success but never arrived ({row.ghosts} times)",
        now=now,
    )


def _failed(
    session: Session,
    row: WorkspaceTask,
    account: ChatGPTAccount,
    assignment: AccountAssignment | None,
    failure: WorkspaceFailure | None,
    now: datetime,
) -> None:
    message = failure.message if failure is not None else "unknown failure"
    row.last_error = message[:1000]
    if failure is not None and failure.health == Health.FULL and row.kind == TaskKind.INVITE:
        # the workspace has no seat for this customer: another account of the pool takes them (if one has room),
        # then the capacity comes down to the seats left in use
        _finish(row, TaskStatus.FAILED, now, message)
        session.add(row)
        if assignment is not None and assignment.status == AssignmentStatus.ACTIVE:
            session.flush()
            reseat(session=session, old=assignment, actor=WORKSPACE, reason="workspace full: another seat")
        record_failure(session=session, account=account, failure=failure, actor=WORKSPACE, now=now)
        return
    if failure is not None:  # a task's transient failure is retried; only failed syncs make a workspace UNREACHABLE
        record_failure(session=session, account=account, failure=failure, actor=WORKSPACE, now=now, counts=False)
    if failure is not None and failure.health in DEAD and not failure.transient:
        # the workspace is gone: its customers were handed on by set_health; a removal has nothing left to do
        _finish(row, TaskStatus.DONE if row.kind == TaskKind.REMOVE else TaskStatus.CANCELLED, now, message)
        return
    if failure is not None and failure.health == Health.TOKEN_EXPIRED:
        row.attempts -= 1  # waiting for the owner's new token is not a failed attempt
        row.next_attempt_at = now + TOKEN_WAIT
        return
    if row.attempts >= MAX_ATTEMPTS:
        _finish(row, TaskStatus.FAILED, now, message)
        log.warning("workspace task=%s failed for good after %s attempts: %s", row.id, row.attempts, message)
        return
    row.status = TaskStatus.PENDING if row.status == TaskStatus.PENDING else row.status
    row.next_attempt_at = now + timedelta(seconds=RETRY_SECONDS[row.attempts - 1])
