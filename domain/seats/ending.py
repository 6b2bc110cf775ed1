"""Ending a seat: the one place an ACTIVE assignment stops, its seat is freed and, on an automated workspace,
its removal is queued."""

from __future__ import annotations

import logging

from sqlmodel import Session, select

from domain.seats.provisioning import queue_removal
from domain.seats.seats import free_seat
from domain.shared.audit import audit_row, snapshot
from domain.shared.models import AccountAssignment, AssignmentStatus, ChatGPTAccount, Delivery, InviteState
from infra.types import utcnow

log = logging.getLogger("aksesgpt.allocation")
ASSIGNMENT_FIELDS = ("order_id", "chatgpt_account_id", "customer_email", "status", "start_at", "end_at", "invite_state")


def end_assignment(
    session: Session,
    assignment: AccountAssignment,
    status: AssignmentStatus,
    actor: str,
    action: str,
    reason: str,
    ip: str | None = None,
) -> ChatGPTAccount:
    """End an ACTIVE assignment and free its seat; returns the account, locked. The caller holds its pool lock."""
    account = session.exec(
        select(ChatGPTAccount)
        .where(ChatGPTAccount.id == assignment.chatgpt_account_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    before = snapshot(assignment, *ASSIGNMENT_FIELDS)
    assignment.status = status
    assignment.ended_at = utcnow()
    assignment.end_reason = reason
    if account.delivery == Delivery.INVITE:
        assignment.invite_state = InviteState.TO_REMOVE
    seats_before = account.seats_used
    free_seat(account)
    session.add_all([assignment, account])
    session.flush()
    if account.automated:
        queue_removal(session=session, assignment=assignment, account_id=account.id, reason=action)  # type: ignore[arg-type]
    audit_row(
        assignment,
        session=session,
        actor=actor,
        action=action,
        before=before,
        after=snapshot(assignment, *ASSIGNMENT_FIELDS, "ended_at", "end_reason"),
        ip=ip,
        account_seats={"before": seats_before, "after": account.seats_used},
    )
    log.info("assignment ended=%s id=%s account=%s reason=%s", status.value, assignment.id, account.id, action)
    return account
