"""Lean writes for the payment hot path: one Core statement each on the session's own connection
(same transaction, no unit of work), with loaded objects kept in step. About a third of the cost of
the same write through the ORM's flush (bench/README.md, webhook). Rows nobody reads back in the
transaction (audit entries, e-mails, payment events) wait for the commit and go in together."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, SQLModel

from infra.types import utcnow


def table_of(model: type[SQLModel]) -> sa.Table:
    return model.__table__  # type: ignore[attr-defined, no-any-return]


def insert_row(*, session: Session, model: type[SQLModel], values: dict[str, Any]) -> int:
    """INSERT one row of `model` in the caller's transaction and return its id (the columns'
    defaults fill what `values` leaves out, as for an object)."""
    result = session.connection().execute(_insert_returning_id(table_of(model)), values)
    return int(result.scalar_one())


_AT_COMMIT = "aksesgpt.rows_at_commit"
_AFTER_COMMIT = "aksesgpt.after_commit"
log = logging.getLogger("aksesgpt.db")


def insert_at_commit(*, session: Session, model: type[SQLModel], values: dict[str, Any]) -> None:
    """INSERT one row of `model` when the caller's transaction commits (just before COMMIT, in it),
    with the other rows queued for the same table in one statement: for rows the transaction never
    reads back and whose id nobody needs. A rollback drops them with everything else.

    Inside a savepoint (`begin_nested`) the row is written at once instead, so that rolling the
    savepoint back takes it back and nothing queued before the savepoint."""
    if session.in_nested_transaction():
        session.connection().execute(_insert(table_of(model)), values)
        return
    pending: dict[tuple[sa.Table, frozenset[str]], list[dict[str, Any]]] = session.info.setdefault(_AT_COMMIT, {})
    pending.setdefault((table_of(model), frozenset(values)), []).append(values)


@event.listens_for(Session, "before_commit")
def _insert_rows_at_commit(session: Session) -> None:
    # SQLAlchemy flushes after this hook: flush first, so rows the flush would queue are not left behind
    session.flush()
    pending = session.info.pop(_AT_COMMIT, None)
    if pending:
        connection = session.connection()
        for (table, _), rows in pending.items():
            connection.execute(_insert(table), rows)


def call_after_commit(*, session: Session, action: Callable[[], None]) -> None:
    """Call `action` once the caller's transaction has committed (a savepoint's release is not that
    commit; a rollback forgets it). The same action asked for twice in a transaction runs once; its
    failure is logged, never raised into the committed caller."""
    session.info.setdefault(_AFTER_COMMIT, {})[action] = None  # a dict: insertion-ordered, no repeats


@event.listens_for(Session, "after_commit")
def _run_after_commit(session: Session) -> None:
    if session.in_nested_transaction():  # a savepoint released: the transaction has not committed
        return
    for action in session.info.pop(_AFTER_COMMIT, {}):
        try:
            action()
        except Exception as exc:
            log.warning("after commit: %s failed: %s: %s", getattr(action, "__name__", action), type(exc).__name__, exc)


@event.listens_for(Session, "after_rollback")
def _drop_rows_at_commit(session: Session) -> None:
    if not session.in_nested_transaction():  # a savepoint's rollback keeps what the transaction queued before it
        session.info.pop(_AT_COMMIT, None)
        session.info.pop(_AFTER_COMMIT, None)


@cache
def _insert(table: sa.Table) -> sa.Insert:
    return sa.insert(table)


@cache
def _insert_returning_id(table: sa.Table) -> sa.Insert:
    return sa.insert(table).returning(table.c.id)


@cache
def update_by_id(table: sa.Table) -> sa.Update:
    # no .values(): the SET clause is the keys of the parameters given at execution
    return sa.update(table).where(table.c.id == sa.bindparam("row_id_"))


def forget_columns(*, session: Session, model: type[SQLModel], row_id: int, columns: list[str]) -> None:
    """A Core UPDATE changed these columns: an object of that row already loaded in the session
    reloads them on next access instead of showing (or writing back) the old values."""
    obj = session.identity_map.get(sa.inspect(model).identity_key_from_primary_key((row_id,)))
    if obj is not None:
        session.expire(obj, columns)


def forget_rows(*, session: Session, model: type[SQLModel], row_ids: Iterable[int], columns: list[str]) -> None:
    """forget_columns for many rows (a set-based UPDATE changed them)."""
    if not session.identity_map:  # the common case: nothing loaded, nothing to forget
        return
    for row_id in row_ids:
        forget_columns(session=session, model=model, row_id=row_id, columns=columns)


def write_columns(*, session: Session, obj: SQLModel, **values: Any) -> None:
    """UPDATE some columns of an object's row now (one Core statement, updated_at stamped) and
    record them on the object as committed, so the unit of work has nothing left to write."""
    table = table_of(type(obj))
    if "updated_at" in table.c:
        values.setdefault("updated_at", utcnow())
    session.connection().execute(update_by_id(table), {"row_id_": obj.id, **values})  # type: ignore[attr-defined]
    for name, value in values.items():
        set_committed_value(obj, name, value)


def insert_object(*, session: Session, obj: SQLModel) -> SQLModel:
    """INSERT a new object's row now (one Core statement) and attach the object to the session as
    already persisted, so the unit of work has nothing left to write."""
    table = table_of(type(obj))
    values = {c.key: getattr(obj, c.key) for c in table.c if c.key != "id"}
    return attach_inserted(session=session, obj=obj, row_id=insert_row(session=session, model=type(obj), values=values))


def attach_inserted(*, session: Session, obj: SQLModel, row_id: int) -> SQLModel:
    """A new object whose row a Core statement inserted with id `row_id`: attach it to the session as
    already persisted (the unit of work has nothing left to write)."""
    obj.id = row_id  # type: ignore[attr-defined]
    make_transient_to_detached(obj)
    session.add(obj)
    return obj
