"""Ending a seat: the one place an ACTIVE assignment stops, its seat is freed and, on an automated workspace,
its removal is queued. One seat at a time (revoke, move), or a batch at a time in a few set-based statements
(the expiry job), with the same rows and audit entries."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlmodel import Session, select

from domain.seats.provisioning import is_automated, queue_removal, queue_removals
from domain.seats.seats import free_seat, status_after_freeing
from domain.shared.audit import ENTITIES, audit_row, record_audits_from, snapshot
from domain.shared.errors import Conflict
from domain.shared.models import AccountAssignment, AssignmentStatus, ChatGPTAccount, Delivery, InviteState
from infra.changes import announce
from infra.rows import forget_rows, table_of
from infra.sqlfuncs import in_ids, json_object, utc_isoformat
from infra.types import UTCDateTime, utcnow

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


class EndedSeat(NamedTuple):
    """A seat ended by end_assignments, as its row now is (what the customer's e-mail and the caller need)."""

    id: int
    order_id: int
    chatgpt_account_id: int
    customer_email: str
    status: str
    end_at: datetime
    ended_at: datetime
    end_reason: str
    invite_state: str | None


_SEATS = table_of(AccountAssignment)
_S = _SEATS.c
_ACCOUNTS = table_of(ChatGPTAccount)
_A = _ACCOUNTS.c
_LOCK_ACCOUNTS = (
    sa.select(_A.id, _A.seats_used, _A.delivery, _A.driver)
    .where(in_ids(_A.id, "ids"))
    .order_by(_A.id)
    .with_for_update()
)
_TO_REMOVE: sa.ColumnClause[str] = sa.literal_column(f"'{InviteState.TO_REMOVE.value}'", sa.String())
_INVITE: sa.ColumnClause[str] = sa.literal_column(f"'{Delivery.INVITE.value}'", sa.String())
_text = sa.String()


def _bound(name: str) -> sa.Cast[str]:
    return sa.cast(sa.bindparam(name), _text)


# The audit entries, as end_assignment writes them, built by the database before the seats change: each seat's
# `account_seats` counts down from its account's seats used, in the batch's order (end_at, id), as ending the
# seats one by one in that order would
_ENDING = (
    sa.select(
        _S.id,
        *(_S[name] for name in ASSIGNMENT_FIELDS),
        _A.seats_used,
        _A.delivery,
        sa.func.row_number().over(partition_by=_S.chatgpt_account_id, order_by=(_S.end_at, _S.id)).label("nth"),
    )
    .join(_ACCOUNTS, _A.id == _S.chatgpt_account_id)
    .where(in_ids(_S.id, "ids"))
    .subquery("ending")
)
_E = _ENDING.c
_BEFORE = {
    "order_id": _E.order_id,
    "chatgpt_account_id": _E.chatgpt_account_id,
    "customer_email": _E.customer_email,
    "status": _E.status,
    "start_at": utc_isoformat(_E.start_at),
    "end_at": utc_isoformat(_E.end_at),
    "invite_state": _E.invite_state,
}
assert list(_BEFORE) == list(ASSIGNMENT_FIELDS)
_AUDIT_ENTRIES = sa.select(
    _E.id.label("entity_id"),
    json_object(
        before=json_object(**_BEFORE),
        after=json_object(
            **{
                **_BEFORE,
                "status": _bound("new_status"),
                "invite_state": sa.case((_E.delivery == _INVITE, _TO_REMOVE), else_=_E.invite_state),
            },
            ended_at=_bound("ended_at_iso"),
            end_reason=_bound("reason"),
        ),
        account_seats=json_object(before=_E.seats_used - _E.nth + 1, after=_E.seats_used - _E.nth),
    ).label("details"),
).order_by(_E.end_at, _E.id)
# UPDATE … FROM: the seats' status and end, and TO_REMOVE for the seats of INVITE accounts (as end_assignment)
_END_SEATS = (
    sa.update(_SEATS)
    .where(in_ids(_S.id, "ids"), _S.status == AssignmentStatus.ACTIVE.value, _A.id == _S.chatgpt_account_id)
    .values(
        status=sa.bindparam("new_status"),
        ended_at=sa.bindparam("now", type_=UTCDateTime()),
        end_reason=sa.bindparam("reason"),
        invite_state=sa.case((_A.delivery == _INVITE, _TO_REMOVE), else_=_S.invite_state),
        updated_at=sa.bindparam("now", type_=UTCDateTime()),
    )
)
_ENDED_COLUMNS = ["status", "ended_at", "end_reason", "invite_state", "updated_at"]
# UPDATE … FROM (the seats ended, counted per account): seats_used and the status it implies (seats.status_for)
_FREED = (
    sa.select(_S.chatgpt_account_id.label("account_id"), sa.func.count().label("seats"))
    .where(in_ids(_S.id, "ids"))
    .group_by(_S.chatgpt_account_id)
    .subquery("freed")
)
_FREE_SEATS = (
    sa.update(_ACCOUNTS)
    .where(_A.id == _FREED.c.account_id)
    .values(
        seats_used=_A.seats_used - _FREED.c.seats,
        status=status_after_freeing(_ACCOUNTS, _FREED.c.seats),
        updated_at=sa.bindparam("now", type_=UTCDateTime()),
    )
)


def end_assignments(
    session: Session, seats: Sequence[Any], status: AssignmentStatus, actor: str, action: str, reason: str
) -> list[EndedSeat]:
    """end_assignment for many ACTIVE assignments at once, in the order of their end (end_at, then id): rows read
    and locked by the caller (who holds their pools' locks), each with `id` and ASSIGNMENT_FIELDS. A few
    statements however many seats: their accounts locked; their audit entries, as end_assignment writes them
    (`account_seats` counting down in that order, as ending them one by one would), built by the database
    (INSERT … SELECT); the seats ended (UPDATE … FROM); the accounts' seats freed with their status (UPDATE …
    FROM); the removals on automated workspaces queued (queue_removals). The change feed hears of each seat,
    its order and its account. Returns the seats as they are now, in that order."""
    if not seats:
        return []
    if session.new or session.dirty:
        session.flush()  # the rows are changed with Core statements: they must see the caller's changes
    seats = sorted(seats, key=lambda seat: (seat.end_at, seat.id))
    connection = session.connection()
    ids = [seat.id for seat in seats]
    account_ids = sorted({seat.chatgpt_account_id for seat in seats})
    accounts = {row.id: row for row in connection.execute(_LOCK_ACCOUNTS, {"ids": account_ids})}
    left = {account_id: row.seats_used for account_id, row in accounts.items()}
    for seat in seats:
        if left[seat.chatgpt_account_id] <= 0:
            raise Conflict(f"account {seat.chatgpt_account_id} has no used seat to free")
        left[seat.chatgpt_account_id] -= 1
    now = utcnow()
    params = {"ids": ids, "new_status": status.value, "now": now, "reason": reason}
    record_audits_from(
        session=session,
        actor=actor,
        action=action,
        entity=ENTITIES[_SEATS.name],
        entries=_AUDIT_ENTRIES,
        params={**params, "ended_at_iso": now.isoformat()},
        entity_ids=ids,
    )
    ended_count = connection.execute(_END_SEATS, params).rowcount
    if ended_count != len(ids):  # the caller locked ACTIVE rows: nothing else can have ended them
        raise Conflict(f"{len(ids) - ended_count} of {len(ids)} assignments were no longer ACTIVE")
    connection.execute(_FREE_SEATS, {"ids": ids, "now": now})
    forget_rows(session=session, model=AccountAssignment, row_ids=ids, columns=_ENDED_COLUMNS)
    forget_rows(session=session, model=ChatGPTAccount, row_ids=accounts, columns=["seats_used", "status", "updated_at"])
    ended = [
        EndedSeat(
            id=seat.id,
            order_id=seat.order_id,
            chatgpt_account_id=seat.chatgpt_account_id,
            customer_email=seat.customer_email,
            status=status.value,
            end_at=seat.end_at,
            ended_at=now,
            end_reason=reason,
            invite_state=(
                InviteState.TO_REMOVE.value
                if accounts[seat.chatgpt_account_id].delivery == Delivery.INVITE
                else seat.invite_state
            ),
        )
        for seat in seats
    ]
    automated = [
        (seat, seat.chatgpt_account_id)
        for seat in ended
        if is_automated(
            delivery=accounts[seat.chatgpt_account_id].delivery, driver=accounts[seat.chatgpt_account_id].driver
        )
    ]
    queue_removals(session=session, seats=automated, reason=action)
    announce(
        session=session,
        topics={"order", "account", *(f"order:{seat.order_id}" for seat in ended), *(f"account:{a}" for a in accounts)},
    )
    log.info("assignments ended=%s count=%s accounts=%s reason=%s", status.value, len(ended), len(accounts), action)
    return ended
