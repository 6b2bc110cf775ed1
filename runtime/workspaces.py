"""The workspace worker and the sync job (DESIGN.md §9): the calls to the workspaces, made between the
domain's claim and settle transactions (domain/workspaces/tasks.py), never inside one. Every attempt of an
invite that may already have reached the workspace looks at the workspace first, so a crash between the
call and the commit, or a lease that ran out, still gives one invitation."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from sqlmodel import Session, col, select

from domain.seats.provisioning import REPORTED
from domain.shared.audit import WORKSPACE
from domain.shared.crypto import decrypt_secret, encrypt_secret
from domain.shared.models import ChatGPTAccount, Delivery, Driver
from domain.workspaces.driver import (
    Invite,
    Member,
    Roster,
    WorkspaceAccess,
    WorkspaceDriver,
    WorkspaceFailure,
    WorkspaceState,
)
from domain.workspaces.health import locked_account, record_failure
from domain.workspaces.sync import SyncReport, apply_sync
from domain.workspaces.tasks import ClaimedTask, Outcome, Result, claim_tasks, settle, still_wanted
from infra import db
from infra import settings as config
from infra.types import utcnow

log = logging.getLogger("aksesgpt.workspaces")


class Listings:
    """A workspace's lists read once for a whole batch of tasks: many invitations of one workspace are confirmed
    with one listing instead of one each (thread-safe; the first task to ask reads, the others wait for it)."""

    def __init__(self, driver: WorkspaceDriver) -> None:
        self.driver = driver
        self._lock = threading.Lock()
        self._keys: dict[tuple[str, str], threading.Lock] = {}
        self._read: dict[tuple[str, str], list | WorkspaceFailure] = {}

    def _get(self, kind: str, access: WorkspaceAccess, read: Callable[[WorkspaceAccess], list]) -> list:
        key = (access.workspace_id, kind)
        with self._lock:
            lock = self._keys.setdefault(key, threading.Lock())
        with lock:
            if key not in self._read:
                try:
                    self._read[key] = read(access)
                except WorkspaceFailure as failure:  # the batch's other tasks fail alike rather than read again
                    self._read[key] = failure
            found = self._read[key]
        if isinstance(found, WorkspaceFailure):
            raise found
        return found

    def invites(self, access: WorkspaceAccess) -> list[Invite]:
        return self._get("invites", access, self.driver.list_invites)

    def members(self, access: WorkspaceAccess) -> list[Member]:
        return self._get("members", access, self.driver.list_members)


def _look_for(lists: Listings, access: WorkspaceAccess, email: str, calls: list[tuple[str, str, str]]) -> str | None:
    """'invite', 'member' or None: the pending invites first (where a fresh invitation is), members only if needed."""
    wanted = email.strip().lower()
    invites = lists.invites(access)
    if any(i.email.lower() == wanted for i in invites):
        calls.append(("look", "ok", f"invited ({len(invites)} invites)"))
        return "invite"
    members = lists.members(access)
    found = "member" if any(m.email.lower() == wanted for m in members) else None
    calls.append(("look", "ok", f"{found or 'absent'} ({len(members)} members, {len(invites)} invites)"))
    return found


def _roster(driver: WorkspaceDriver, access: WorkspaceAccess, calls: list[tuple[str, str, str]]) -> Roster:
    invites = driver.list_invites(access)
    members = driver.list_members(access)
    calls.append(("look", "ok", f"{len(members)} members, {len(invites)} invites"))
    return Roster(members=members, invites=invites)


def attempt(
    driver: WorkspaceDriver, task: ClaimedTask, now: datetime | None = None, lists: Listings | None = None
) -> Outcome:
    """One attempt at a claimed task: the calls, and what they found (no database). `lists`: the batch's shared
    listings (a fresh read when None)."""
    calls: list[tuple[str, str, str]] = []
    try:
        if task.kind == "invite":
            return _invite(driver, task, calls, now or utcnow(), lists or Listings(driver))
        return _remove(driver, task, calls, now or utcnow(), lists or Listings(driver))
    except WorkspaceFailure as failure:
        calls.append(("call", "failed", failure.message))
        return Outcome(Result.FAILED, failure.message, failure=failure, attempts=calls)


def _invite(
    driver: WorkspaceDriver, task: ClaimedTask, calls: list[tuple[str, str, str]], now: datetime, lists: Listings
) -> Outcome:
    if task.reason == REPORTED and task.status == "PENDING" and not task.may_have_acted:
        # the customer says their access does not work: a member needs no invitation (invite only if absent, or
        # again when still pending: the invite call then sends ChatGPT's e-mail once more)
        if _look_for(lists, task.access, task.email, calls) == "member":
            return Outcome(Result.JOINED, "found as member", attempts=calls)
    if task.status == "CONFIRMING" or task.may_have_acted:
        where = _look_for(lists, task.access, task.email, calls)
        if where is not None:
            result = Result.JOINED if where == "member" else Result.INVITED
            return Outcome(result, f"found as {where}", attempts=calls)
        if task.status == "CONFIRMING":
            if task.confirm_by is not None and now >= task.confirm_by:
                return Outcome(Result.GHOST, "the invitation was never listed", attempts=calls)
            return Outcome(Result.UNCONFIRMED, "not listed yet", attempts=calls)
    if task.out_of_lease(now):
        return Outcome(Result.LATE, "too little of the lease left to act safely", attempts=calls)
    invite = driver.invite(task.access, task.email, resend=task.reason == REPORTED)
    if invite is None:
        calls.append(("invite", "ghost", "success answered with no invitation"))
        return Outcome(Result.GHOST, "success answered with no invitation", attempts=calls)
    calls.append(("invite", "ok", invite.invite_id or "already there"))
    return Outcome(Result.SENT, attempts=calls)


def _remove(
    driver: WorkspaceDriver, task: ClaimedTask, calls: list[tuple[str, str, str]], now: datetime, lists: Listings
) -> Outcome:
    """Cancel the invitation or remove the member, whichever the workspace shows. Found neither: done — unless the
    seat's invitation may still appear (it was sent, and the service lists new invitations late), in which case
    look again until that window (`confirm_by`) has passed."""
    wanted = task.email.lower()
    for invite in lists.invites(task.access):
        if invite.email.lower() == wanted:
            if task.out_of_lease(now):
                return Outcome(Result.LATE, "too little of the lease left to act safely", attempts=calls)
            driver.cancel_invite(task.access, task.email)
            calls.append(("cancel_invite", "ok", ""))
            return Outcome(Result.REMOVED, "invitation cancelled", attempts=calls)
    for member in lists.members(task.access):
        if member.email.lower() == wanted:
            if task.out_of_lease(now):
                return Outcome(Result.LATE, "too little of the lease left to act safely", attempts=calls)
            driver.remove_member(task.access, member.member_id)
            calls.append(("remove_member", "ok", ""))
            return Outcome(Result.REMOVED, "member removed", attempts=calls)
    if task.confirm_by is not None and now < task.confirm_by:
        calls.append(("look", "ok", "absent for now; the invitation may still be listed"))
        return Outcome(Result.UNCONFIRMED, "not listed yet", attempts=calls)
    calls.append(("remove", "already", "neither invited nor a member"))
    return Outcome(Result.REMOVED, "nothing to remove", attempts=calls)


@dataclass
class TaskReport:
    done: int = 0
    waiting: int = 0
    failed: int = 0
    stale: int = 0

    def __str__(self) -> str:
        return f"done {self.done}, waiting {self.waiting}, failed {self.failed}, stale {self.stale}"


class WorkspaceWorker:
    """Runs the due workspace tasks of this process, several workspaces' calls at once."""

    def __init__(self, driver: WorkspaceDriver | None) -> None:
        self.driver = driver
        self._pool = ThreadPoolExecutor(max_workers=max(1, config.get_settings().WORKSPACE_WORKERS))

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    def run_tasks(self, now: datetime | None = None, limit: int = 100) -> str:
        if self.driver is None:
            return "no workspace driver"
        settings = config.get_settings()
        lease = timedelta(seconds=settings.WORKSPACE_TASK_LEASE_S)
        report = TaskReport()
        started = time.monotonic()
        while time.monotonic() - started < lease.total_seconds() / 2:
            claimed = db.in_transaction(lambda s: claim_tasks(session=s, now=now or utcnow(), limit=limit, lease=lease))
            if not claimed:
                break
            lists = Listings(self.driver)
            for status in self._pool.map(partial(self._one, now=now, lists=lists), claimed):
                if status == "stale":
                    report.stale += 1
                elif status in ("DONE", "CANCELLED"):
                    report.done += 1
                elif status == "FAILED":
                    report.failed += 1
                else:
                    report.waiting += 1
            if now is not None:  # a test's clock: one batch per call
                break
        return str(report)

    def _one(self, task: ClaimedTask, now: datetime | None, lists: Listings) -> str:
        """`now`: the clock the run was given (tests move it), else the time at each step."""
        assert self.driver is not None
        settings = config.get_settings()
        why_not = db.in_transaction(lambda s: still_wanted(session=s, task=task))
        outcome = Outcome(Result.SKIPPED, why_not) if why_not else attempt(self.driver, task, now, lists)
        status = db.in_transaction(
            lambda s: settle(
                session=s,
                task=task,
                outcome=outcome,
                now=now or utcnow(),
                confirm_s=settings.WORKSPACE_CONFIRM_S,
                poll_s=settings.WORKSPACE_CONFIRM_POLL_S,
            )
        )
        log.info(
            "workspace task=%s kind=%s account=%s attempt=%s result=%s status=%s",
            task.id,
            task.kind,
            task.account_id,
            task.attempts,
            outcome.result.value,
            status,
        )
        return status

    def sync_due(self, now: datetime | None = None, force: bool = False) -> str:
        """Sync every automated workspace whose last sync is older than the interval (all of them with `force`)."""
        if self.driver is None:
            return "no workspace driver"
        now = now or utcnow()
        interval = timedelta(seconds=config.get_settings().WORKSPACE_SYNC_INTERVAL_S)
        due = db.in_transaction(lambda s: _due_accounts(s, now, interval, force))
        reports = list(self._pool.map(lambda account_id: self.sync_account(account_id, now=now), due))
        broken = sum(1 for r in reports if isinstance(r, str))
        return f"synced {len(reports) - broken} workspaces, {broken} failed"

    def sync_account(self, account_id: int, now: datetime | None = None) -> SyncReport | str:
        """List a workspace's members and invites, check its plan, and reconcile (the admin's "Sync now")."""
        assert self.driver is not None
        access = db.in_transaction(lambda s: _access(s, account_id))
        try:
            state = self.driver.check(access)
            roster = Roster(members=self.driver.list_members(access), invites=self.driver.list_invites(access))
        except WorkspaceFailure as failure:
            error = failure
            db.in_transaction(lambda s: _sync_failed(s, account_id, access, error, now or utcnow()))
            log.warning("workspace sync account=%s failed: %s", account_id, error.message)
            return error.message
        return db.in_transaction(lambda s: _synced(s, account_id, access, roster, state, now or utcnow()))


def _due_accounts(session: Session, now: datetime, interval: timedelta, force: bool) -> list[int]:
    query = select(ChatGPTAccount.id).where(
        ChatGPTAccount.delivery == Delivery.INVITE,
        ChatGPTAccount.driver == Driver.CHATGPT,
        ChatGPTAccount.workspace_id != "",
    )
    if not force:
        query = query.where(
            (col(ChatGPTAccount.last_sync_at).is_(None)) | (col(ChatGPTAccount.last_sync_at) <= now - interval)
        )
    return [int(i or 0) for i in session.exec(query.order_by(col(ChatGPTAccount.id)))]


def _access(session: Session, account_id: int) -> WorkspaceAccess:
    account = session.get(ChatGPTAccount, account_id)
    assert account is not None
    return WorkspaceAccess(
        account_id=account_id,
        workspace_id=account.workspace_id,
        access_token=decrypt_secret(account.access_token_enc),
        session_token=decrypt_secret(account.session_token_enc),
    )


def _store_tokens(session: Session, account: ChatGPTAccount, access: WorkspaceAccess) -> None:
    if access.renewed:
        account.access_token_enc = encrypt_secret(access.access_token)
        if access.session_token:
            account.session_token_enc = encrypt_secret(access.session_token)
        session.add(account)


def _synced(
    session: Session, account_id: int, access: WorkspaceAccess, roster: Roster, state: WorkspaceState, now: datetime
) -> SyncReport:
    report = apply_sync(session=session, account_id=account_id, roster=roster, state=state, now=now)
    _store_tokens(session, locked_account(session, account_id), access)
    return report


def _sync_failed(
    session: Session, account_id: int, access: WorkspaceAccess, failure: WorkspaceFailure, now: datetime
) -> None:
    account = locked_account(session, account_id)
    account.last_sync_at = now
    _store_tokens(session, account, access)
    record_failure(session=session, account=account, failure=failure, actor=WORKSPACE, now=now)
