"""Reconciling the shop's view of a workspace with the workspace's own (DESIGN.md §9, invariant 7): the roster
and the plan a sync read, applied to the account in one transaction. Seats used are the shop's customers +
pending invites + strangers; a stranger is flagged (and removed after a grace period when the owner wants);
an invited customer missing from several syncs in a row is invited again; a full workspace lowers the
account's capacity, so nothing is sold into it."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, delete, select

from domain.catalog.renewals import renewal_alert_key
from domain.notify.alerts import raise_alert, resolve_alert
from domain.seats.provisioning import OPEN, queue_invite, queue_removal, queue_stranger_removal
from domain.shared.audit import WORKSPACE, audit_row, snapshot
from domain.shared.models import (
    AccountAssignment,
    AssignmentStatus,
    Health,
    InviteState,
    TaskKind,
    WorkspaceSeen,
    WorkspaceTask,
)
from domain.workspaces.driver import Roster, WorkspaceState
from domain.workspaces.health import locked_account, lower_capacity, set_health
from infra import settings as config

log = logging.getLogger("aksesgpt.workspaces")


@dataclass(frozen=True)
class SyncReport:
    members: int
    invites: int
    strangers: int
    reinvited: int
    strangers_queued: int
    health: str


def apply_sync(
    *, session: Session, account_id: int, roster: Roster, state: WorkspaceState, now: datetime
) -> SyncReport:
    settings = config.get_settings()
    # lock order as everywhere: the seats' rows, then the pool, then the account
    seats = list(
        session.exec(
            select(AccountAssignment)
            .where(
                AccountAssignment.chatgpt_account_id == account_id,
                AccountAssignment.status == AssignmentStatus.ACTIVE,
            )
            .order_by(col(AccountAssignment.id))
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    )
    account = locked_account(session, account_id)
    seats = [s for s in seats if s.status == AssignmentStatus.ACTIVE]
    open_tasks = list(
        session.exec(
            select(WorkspaceTask).where(WorkspaceTask.account_id == account_id, col(WorkspaceTask.status).in_(OPEN))
        )
    )
    customers = {s.customer_email.lower() for s in seats}
    being_handled = {t.email.lower() for t in open_tasks}  # invites in flight, removals not yet done
    allowed = {e.lower() for e in account.allow_list} | {account.email.lower()}
    seen_before = {
        row.email: row for row in session.exec(select(WorkspaceSeen).where(WorkspaceSeen.account_id == account_id))
    }

    people: dict[str, tuple[str, str, str]] = {}  # email -> (kind, member id, role)
    for invite in roster.invites:
        people[invite.email.lower()] = ("invite", invite.invite_id, "")
    for member in roster.members:
        people[member.email.lower()] = ("member", member.member_id, member.role)
    _remove_former_customers(session, account_id, people, customers, being_handled, now)
    leaving = {t.email.lower() for t in open_tasks if t.kind == TaskKind.REMOVE} | (being_handled - customers)
    strangers: list[str] = []
    for email, (kind, member_id, role) in people.items():
        stranger = email not in customers and email not in being_handled and email not in allowed
        if stranger and role in ("account-owner", "owner", "account-admin", "admin"):
            stranger = False  # the workspace's own owners and admins are not for sale
        row = seen_before.pop(email, None) or WorkspaceSeen(
            account_id=account_id, email=email, kind=kind, first_seen_at=now
        )
        row.kind, row.member_id, row.role, row.is_stranger, row.last_seen_at = kind, member_id, role, stranger, now
        session.add(row)
        if stranger:
            strangers.append(email)
    if seen_before:
        session.exec(delete(WorkspaceSeen).where(col(WorkspaceSeen.id).in_([r.id for r in seen_before.values()])))

    reinvited = 0
    for seat in seats:
        where = roster.has(seat.customer_email)
        if where is not None:
            state_now = InviteState.JOINED if where == "member" else InviteState.INVITED
            if seat.invite_state in (InviteState.INVITED, InviteState.JOINED) and seat.invite_state != state_now:
                _invite_state(session, seat, state_now)
            seat.missing_syncs = 0
            session.add(seat)
            continue
        if (
            seat.invite_state not in (InviteState.INVITED, InviteState.JOINED)
            or seat.customer_email.lower() in being_handled
        ):
            continue  # not sent yet, or a task is on it
        seat.missing_syncs += 1
        if seat.missing_syncs >= settings.WORKSPACE_MISSING_SYNCS:
            seat.missing_syncs = 0
            queue_invite(
                session=session,
                assignment_id=seat.id,  # type: ignore[arg-type]
                account_id=account_id,
                email=seat.customer_email,
                reason="missing from the workspace",
                now=now,
            )
            reinvited += 1
            audit_row(
                seat,
                session=session,
                actor=WORKSPACE,
                action="assignment.reinvite",
                after={"email": seat.customer_email},
            )
        session.add(seat)

    queued = 0
    grace = timedelta(minutes=settings.WORKSPACE_STRANGER_GRACE_MINUTES)
    stranger_key = f"strangers:{account_id}"
    if strangers:
        if settings.WORKSPACE_REMOVE_STRANGERS:
            first_seen = {
                r.email: r.first_seen_at
                for r in session.exec(select(WorkspaceSeen).where(WorkspaceSeen.account_id == account_id))
            }
            for email in strangers:
                if now - first_seen.get(email, now) >= grace:
                    queued += queue_stranger_removal(session=session, account_id=account_id, email=email, now=now)
        what = (
            "dikeluarkan otomatis setelah masa tenggang"
            if settings.WORKSPACE_REMOVE_STRANGERS
            else "tidak dikeluarkan otomatis"
        )
        raise_alert(
            session=session,
            key=stranger_key,
            kind="workspace_strangers",
            subject=f"Anggota tak dikenal di workspace {account.email}",
            message=f"{len(strangers)} anggota di workspace {account.email} tidak membeli kursi di toko: "
            f"{', '.join(sorted(strangers)[:10])}. Mereka memakai kursi ({what}). Tambahkan ke daftar izin "
            "akun bila memang sengaja.",
            now=now,
        )
    else:
        resolve_alert(session=session, key=stranger_key, now=now)

    before = snapshot(account, "members_count", "invites_count", "strangers_count")
    account.members_count, account.invites_count = len(roster.members), len(roster.invites)
    account.strangers_count, account.last_sync_at = len(strangers), now
    renews = state.expires_at or account.subscription_expires_at
    if renews != account.subscription_expires_at:  # renewed (or moved): the next reminder is for the new date
        account.subscription_expires_at, account.subscription_reminded_at = renews, None
        resolve_alert(session=session, key=renewal_alert_key(account_id), now=now)
    account.failures_in_row = 0
    session.add(account)
    if before != snapshot(account, "members_count", "invites_count", "strangers_count"):
        log.info(
            "workspace sync account=%s %s",
            account_id,
            snapshot(account, "members_count", "invites_count", "strangers_count"),
        )

    health = _health_from(state, now)
    if health is None and state.seats is not None:
        # everyone in the workspace who is not one of our customers' seats takes a seat from what we may sell
        # (those whose removal is under way are leaving: they do not lower what may be sold for good)
        ours = sum(1 for email in people if email in customers or email in leaving)
        room = state.seats - (len(people) - ours)
        if room < account.capacity:
            lower_capacity(session=session, account=account, room=room, actor=WORKSPACE)
        health = Health.FULL if room <= account.seats_used else Health.OK
    health = health or Health.OK
    if account.health in (Health.RESTRICTED, Health.BANNED) and health in (Health.OK, Health.FULL):
        # only the owner clears these: a listing proves neither that invites arrive nor that a ban was lifted
        health = Health(account.health)
    error = "" if health in (Health.OK, Health.FULL) else account.last_error
    set_health(session=session, account=account, health=health, actor=WORKSPACE, error=error, now=now)
    return SyncReport(
        members=len(roster.members),
        invites=len(roster.invites),
        strangers=len(strangers),
        reinvited=reinvited,
        strangers_queued=queued,
        health=account.health,
    )


def _remove_former_customers(
    session: Session,
    account_id: int,
    people: dict[str, tuple[str, str, str]],
    customers: set[str],
    being_handled: set[str],
    now: datetime,
) -> None:
    """Anyone the workspace shows whose seat here has ended, with nothing under way for them, is removed again
    (an invitation that arrived after its removal looked, say): whatever WORKSPACE_REMOVE_STRANGERS says, a former
    customer is not a stranger to keep."""
    suspects = [e for e in people if e not in customers and e not in being_handled]
    if not suspects:
        return
    ended = session.exec(
        select(AccountAssignment)
        .where(
            AccountAssignment.chatgpt_account_id == account_id,
            AccountAssignment.status != AssignmentStatus.ACTIVE,
            col(AccountAssignment.customer_email).in_(suspects),
        )
        .order_by(col(AccountAssignment.ended_at))
    )
    latest = {seat.customer_email.lower(): seat for seat in ended}
    for email, seat in latest.items():
        seat.invite_state = InviteState.TO_REMOVE
        session.add(seat)
        queue_removal(
            session=session, assignment=seat, account_id=account_id, reason="former customer still there", now=now
        )
        being_handled.add(email)
        audit_row(
            seat,
            session=session,
            actor=WORKSPACE,
            action="assignment.remove_again",
            after={"email": seat.customer_email},
        )


def _health_from(state: WorkspaceState, now: datetime) -> Health | None:
    if not state.active_subscription or (state.expires_at is not None and state.expires_at <= now):
        return Health.SUBSCRIPTION_ENDED
    return None


def _invite_state(session: Session, seat: AccountAssignment, state: InviteState) -> None:
    before = snapshot(seat, "invite_state")
    seat.invite_state = state
    audit_row(
        seat,
        session=session,
        actor=WORKSPACE,
        action=f"assignment.{state.value.lower()}",
        before=before,
        after=snapshot(seat, "invite_state"),
    )
