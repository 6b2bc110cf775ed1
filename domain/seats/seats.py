"""Seat accounting on one account: the single place that changes `seats_used` and the status it implies."""

from __future__ import annotations

from typing import Protocol

import sqlalchemy as sa
from sqlmodel import Session

from domain.shared.errors import Conflict
from domain.shared.models import AccountStatus, ChatGPTAccount
from infra.rows import forget_columns, table_of, update_by_id
from infra.types import utcnow


class SeatHolder(Protocol):
    """An account as an object or as a row read in the transaction."""

    @property
    def id(self) -> int | None: ...
    @property
    def status(self) -> str: ...
    @property
    def seats_used(self) -> int: ...
    @property
    def capacity(self) -> int: ...


def status_for(*, status: str, seats_used: int, capacity: int) -> str:
    """ASSIGNED exactly when full, AVAILABLE otherwise; SUSPENDED and RETIRED are left alone."""
    if status in (AccountStatus.SUSPENDED, AccountStatus.RETIRED):
        return status
    return AccountStatus.ASSIGNED if seats_used >= capacity else AccountStatus.AVAILABLE


def status_after_taking(table: sa.Table) -> sa.ColumnElement[str]:
    """`status_for` in SQL, for an AVAILABLE row of `table` (chatgpt_accounts) taking one more seat:
    the PostgreSQL seat statement computes the new status in the database (tests hold the two equal)."""
    capacity = sa.func.coalesce(table.c.max_seats, sa.literal_column("1"))
    return sa.case(
        (table.c.seats_used + 1 >= capacity, sa.literal(AccountStatus.ASSIGNED.value)),
        else_=sa.literal(AccountStatus.AVAILABLE.value),
    )


def status_after_freeing(table: sa.Table | sa.Subquery, freed: sa.ColumnElement[int]) -> sa.ColumnElement[str]:
    """`status_for` in SQL, for a row of `table` (chatgpt_accounts) giving back `freed` seats: the expiry job frees
    a batch of seats per account in one UPDATE (tests hold the two equal)."""
    capacity = sa.func.coalesce(table.c.max_seats, sa.literal_column("1"))
    kept = (AccountStatus.SUSPENDED.value, AccountStatus.RETIRED.value)
    return sa.case(
        (table.c.status.in_([sa.literal_column(f"'{status}'") for status in kept]), table.c.status),
        (table.c.seats_used - freed >= capacity, sa.literal(AccountStatus.ASSIGNED.value)),
        else_=sa.literal(AccountStatus.AVAILABLE.value),
    )


def sync_status(account: ChatGPTAccount) -> None:
    account.status = status_for(status=account.status, seats_used=account.seats_used, capacity=account.capacity)


def _check_room(account: SeatHolder) -> None:
    if account.status != AccountStatus.AVAILABLE or account.seats_used >= account.capacity:
        raise Conflict(f"account {account.id} has no free seat")


def take_seat(account: ChatGPTAccount) -> None:
    _check_room(account)
    account.seats_used += 1
    sync_status(account)


def take_seat_row(*, session: Session, account: SeatHolder) -> int:
    """Take a seat on an account row read and locked in this transaction (one UPDATE, no object);
    returns its seats used after. A loaded object of the row reloads the changed columns."""
    _check_room(account)
    assert account.id is not None
    seats = account.seats_used + 1
    status = status_for(status=account.status, seats_used=seats, capacity=account.capacity)
    session.connection().execute(
        update_by_id(table_of(ChatGPTAccount)),
        {"row_id_": account.id, "seats_used": seats, "status": status, "updated_at": utcnow()},
    )
    forget_columns(
        session=session, model=ChatGPTAccount, row_id=account.id, columns=["seats_used", "status", "updated_at"]
    )
    return seats


def free_seat(account: ChatGPTAccount) -> None:
    if account.seats_used <= 0:
        raise Conflict(f"account {account.id} has no used seat to free")
    account.seats_used -= 1
    sync_status(account)
