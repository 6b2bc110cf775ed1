"""Workspace work as durable intents (DESIGN.md §9): a seat on an automated workspace queues its invite in the
transaction that allocates it, and its removal in the one that ends it, like the e-mail outbox. The worker in
runtime/workspaces.py carries them out; manual accounts queue nothing (the owner's invite queue has them)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from functools import cache
from typing import Protocol

import sqlalchemy as sa
from sqlmodel import Session, col, select

from domain.shared.models import Delivery, Driver, TaskKind, TaskStatus, WorkspaceTask
from infra import settings as config
from infra.rows import call_after_commit, table_of
from infra.types import utcnow

OPEN = (TaskStatus.PENDING, TaskStatus.CONFIRMING)
# an invite queued because the customer said their access does not work: the worker looks at the workspace
# before inviting (a member needs no invitation; a pending one is sent again)
REPORTED = "customer reported"
_wake: Callable[[], None] | None = None


def on_task_committed(wake: Callable[[], None] | None) -> None:
    """Call `wake` after each transaction that queued workspace work due now has committed (the scheduler sets
    it, so an invite goes out within seconds rather than at the worker's interval); None stops."""
    global _wake
    _wake = wake


def _task_committed() -> None:
    if _wake is not None:
        _wake()


def _queued(session: Session, task: WorkspaceTask) -> WorkspaceTask:
    session.add(task)
    if task.next_attempt_at <= utcnow():
        call_after_commit(session=session, action=_task_committed)
    return task


def is_automated(*, delivery: str, driver: str) -> bool:
    return delivery == Delivery.INVITE and driver == Driver.CHATGPT


def open_task(*, session: Session, assignment_id: int, kind: TaskKind, lock: bool = False) -> WorkspaceTask | None:
    """The seat's open task of `kind`; `lock`: row-locked (after the assignment, pool and account: the lock order),
    so that a worker's claim committing meanwhile is seen."""
    query = select(WorkspaceTask).where(
        WorkspaceTask.assignment_id == assignment_id,
        WorkspaceTask.kind == kind,
        col(WorkspaceTask.status).in_(OPEN),
    )
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    return session.exec(query).first()


def queue_invite(
    *, session: Session, assignment_id: int, account_id: int, email: str, reason: str, now: datetime | None = None
) -> WorkspaceTask:
    """Queue the invitation of a seat's customer (or return the one already open for that seat)."""
    existing = open_task(session=session, assignment_id=assignment_id, kind=TaskKind.INVITE)
    if existing is not None:
        return existing
    task = WorkspaceTask(
        account_id=account_id,
        assignment_id=assignment_id,
        kind=TaskKind.INVITE,
        email=email,
        reason=reason,
        next_attempt_at=now or utcnow(),
    )
    return _queued(session, task)


class SeatToRemove(Protocol):
    """What queueing a removal needs of an ended seat (an assignment object, or a row read in the transaction)."""

    @property
    def id(self) -> int | None: ...
    @property
    def customer_email(self) -> str: ...


def queue_removal(
    *, session: Session, assignment: SeatToRemove, account_id: int, reason: str, now: datetime | None = None
) -> None:
    """Queue the removal of an ended seat's customer (cancel the pending invite, or remove the member); see
    queue_removals."""
    queue_removals(session=session, seats=[(assignment, account_id)], reason=reason, now=now)


def queue_removals(
    *, session: Session, seats: Sequence[tuple[SeatToRemove, int]], reason: str, now: datetime | None = None
) -> None:
    """Queue the removal of ended seats' customers, each `(seat, its account's id)` (cancel the pending invite,
    or remove the member), a seat already holding an open removal getting none. An invite of the same seat not
    yet sent is cancelled; one in flight (claimed under its lease) finishes first, and the removal waits for its
    lease, so it cannot look before that invite lands; and since the service lists a new invitation late, the
    removal keeps looking for it for WORKSPACE_CONFIRM_S before it settles for "absent". Three statements
    however many seats: their open invites (locked), their open removals, the new removals (Core, no objects)."""
    if not seats:
        return
    now = now or utcnow()
    ids = [seat.id for seat, _ in seats]
    invites = {
        task.assignment_id: task
        for task in session.exec(
            select(WorkspaceTask)
            .where(
                col(WorkspaceTask.assignment_id).in_(ids),
                WorkspaceTask.kind == TaskKind.INVITE,
                col(WorkspaceTask.status).in_(OPEN),
            )
            .order_by(col(WorkspaceTask.id))
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    }
    removing = set(
        session.exec(
            select(WorkspaceTask.assignment_id).where(
                col(WorkspaceTask.assignment_id).in_(ids),
                WorkspaceTask.kind == TaskKind.REMOVE,
                col(WorkspaceTask.status).in_(OPEN),
            )
        )
    )
    confirm = timedelta(seconds=config.get_settings().WORKSPACE_CONFIRM_S)
    removals: list[dict[str, object]] = []
    earliest, stamp = datetime.max.replace(tzinfo=now.tzinfo), utcnow()
    for seat, account_id in seats:
        not_before, look_until = now, None
        invite = invites.get(seat.id)
        if invite is not None:
            if invite.status == TaskStatus.PENDING and invite.attempts == 0:
                invite.status, invite.done_at, invite.last_error = (
                    TaskStatus.CANCELLED,
                    now,
                    "seat ended before it went out",
                )
            else:
                not_before = max(now, invite.next_attempt_at)
                look_until = not_before + confirm
            session.add(invite)
        if seat.id in removing:
            continue
        removing.add(seat.id)
        earliest = min(earliest, not_before)
        removals.append(
            {
                **_NEW_TASK,
                "account_id": account_id,
                "assignment_id": seat.id,
                "email": seat.customer_email,
                "reason": reason,
                "next_attempt_at": not_before,
                "confirm_by": look_until,
                "created_at": stamp,
                "updated_at": stamp,
            }
        )
    if removals:  # one INSERT for them all (a later look for the seat's open removal finds it)
        session.connection().execute(_insert_task(), removals)
        if earliest <= stamp:
            call_after_commit(session=session, action=_task_committed)


_NEW_TASK = {
    "kind": TaskKind.REMOVE.value,
    "status": TaskStatus.PENDING.value,
    "attempts": 0,
    "ghosts": 0,
    "last_error": None,
    "done_at": None,
}


@cache
def _insert_task() -> sa.Insert:
    return sa.insert(table_of(WorkspaceTask))


def queue_stranger_removal(*, session: Session, account_id: int, email: str, now: datetime | None = None) -> bool:
    """Queue the removal of a member nobody sold a seat to, once (False when one is already open)."""
    exists = session.exec(
        select(WorkspaceTask.id).where(
            WorkspaceTask.account_id == account_id,
            WorkspaceTask.kind == TaskKind.REMOVE,
            col(WorkspaceTask.assignment_id).is_(None),
            WorkspaceTask.email == email,
            col(WorkspaceTask.status).in_(OPEN),
        )
    ).first()
    if exists is not None:
        return False
    task = WorkspaceTask(
        account_id=account_id, kind=TaskKind.REMOVE, email=email, reason="stranger", next_attempt_at=now or utcnow()
    )
    _queued(session, task)
    return True
