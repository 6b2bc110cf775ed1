"""The change feed: what a committed transaction changed, for every app process to hear.

A use case announces topics (`order:12`, `account:3`, `pool:team`, and each topic's kind: `order`, `account`…)
in its transaction (`announce`; every audit entry announces its entity, see domain/shared/audit.py). Just before
COMMIT, in the same transaction, the topics become one `change_events` row, and on PostgreSQL the same statement
queues a `NOTIFY aksesgpt_changes` that PostgreSQL delivers only if the transaction commits. Right after the
commit, the process that wrote it hands the change to its own listeners (`add_local_sink`) without waiting for
the database. Other processes hear the NOTIFY (runtime/feed.py); one that lost its LISTEN connection reads the
rows it missed when it is back, so nothing is lost across a reconnect. A rollback announces nothing.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache

import sqlalchemy as sa
from sqlalchemy import event
from sqlmodel import Session, SQLModel

from infra.types import UTCDateTime, utcnow

log = logging.getLogger("aksesgpt.changes")
CHANNEL = "aksesgpt_changes"  # on PostgreSQL, followed by '.' and the schema: shops sharing a database don't mix
NOTIFY_LIMIT = 7000  # PostgreSQL refuses a NOTIFY payload of 8000 bytes or more: a longer change sends its id only
_PENDING = "aksesgpt.changes"
_WRITTEN = "aksesgpt.changes_written"

change_events = sa.Table(
    "change_events",
    SQLModel.metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True),
    sa.Column("at", UTCDateTime(), nullable=False, index=True),
    sa.Column("topics", sa.Text(), nullable=False),
)


@dataclass(frozen=True)
class Change:
    id: int
    topics: frozenset[str]


def parse_topics(text: str) -> frozenset[str]:
    return frozenset(text.split())


def announce(*, session: Session, topics: Iterable[str]) -> None:
    """Announce `topics` when the caller's transaction commits (nothing if it rolls back). A topic is a word
    without spaces: a kind (`order`) or a kind and an id (`order:12`)."""
    session.info.setdefault(_PENDING, set()).update(topics)


_sinks: list[Callable[[Change], None]] = []
_sinks_lock = threading.Lock()


def add_local_sink(sink: Callable[[Change], None]) -> Callable[[], None]:
    """Call `sink(change)` after each commit of this process that announced something (in the committing
    thread: hand it on, don't work there). Returns the function that removes it."""
    with _sinks_lock:
        _sinks.append(sink)

    def remove() -> None:
        with _sinks_lock:
            if sink in _sinks:
                _sinks.remove(sink)

    return remove


@cache
def _insert_sqlite() -> sa.Insert:
    return sa.insert(change_events).returning(change_events.c.id)


_NOTIFY_PG = sa.text(
    "WITH c AS (INSERT INTO change_events (at, topics) VALUES (:at, :topics) RETURNING id) "
    "SELECT id, pg_notify(left(:channel || '.' || current_schema(), 63), "
    "CASE WHEN length(:topics) < :limit THEN id::text || ' ' || :topics ELSE id::text END) FROM c"
).bindparams(sa.bindparam("at", type_=UTCDateTime()))


@event.listens_for(Session, "before_commit")
def _write_change(session: Session) -> None:
    topics = session.info.pop(_PENDING, None)
    if not topics:
        return
    session.flush()  # (a flush may announce more, from an audit entry written at commit)
    topics |= session.info.pop(_PENDING, set())
    text = " ".join(sorted(topics))
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        params = {"at": utcnow(), "topics": text, "channel": CHANNEL, "limit": NOTIFY_LIMIT}
        change_id = connection.execute(_NOTIFY_PG, params).scalar_one()
    else:
        change_id = connection.execute(_insert_sqlite(), {"at": utcnow(), "topics": text}).scalar_one()
    session.info[_WRITTEN] = Change(id=int(change_id), topics=frozenset(topics))


@event.listens_for(Session, "after_commit")
def _hand_on(session: Session) -> None:
    if session.in_nested_transaction():
        return
    change = session.info.pop(_WRITTEN, None)
    if change is None:
        return
    with _sinks_lock:
        sinks = list(_sinks)
    for sink in sinks:
        try:
            sink(change)
        except Exception as exc:  # a listener's failure never reaches the committed caller
            log.warning("change %s: a listener failed: %s: %s", change.id, type(exc).__name__, exc)


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    if not session.in_nested_transaction():
        session.info.pop(_PENDING, None)
        session.info.pop(_WRITTEN, None)


def changes_since(
    connection: sa.Connection, *, after_id: int = 0, since: object = None, until_id: int | None = None
) -> list[Change]:
    """Changes with an id above `after_id` (up to `until_id`; and, when `since` is given, written at or after
    it), oldest first."""
    query = sa.select(change_events.c.id, change_events.c.topics).where(change_events.c.id > after_id)
    if until_id is not None:
        query = query.where(change_events.c.id <= until_id)
    if since is not None:
        query = query.where(change_events.c.at >= since)
    rows = connection.execute(query.order_by(change_events.c.id).limit(10_000)).all()
    return [Change(id=int(row.id), topics=parse_topics(row.topics)) for row in rows]


def newest_change_id(connection: sa.Connection) -> int:
    return int(connection.execute(sa.select(sa.func.coalesce(sa.func.max(change_events.c.id), 0))).scalar_one())


def prune_changes(connection: sa.Connection, *, before: object) -> int:
    """Delete changes written before `before` (nobody catches up that far back), except the newest: SQLite numbers
    a row max(id) + 1 (the table has no AUTOINCREMENT), so an emptied table would number its changes from 1 again,
    below every listener's high-water mark and inside its seen set."""
    newest = sa.select(sa.func.max(change_events.c.id)).scalar_subquery()
    query = sa.delete(change_events).where(change_events.c.at < before, change_events.c.id < newest)
    return int(connection.execute(query).rowcount or 0)


def listen_channel(schema: str) -> str:
    """The NOTIFY channel of the shop whose tables are in `schema`, as LISTEN takes it (a quoted identifier)."""
    name = f"{CHANNEL}.{schema}"[:63]
    return '"' + name.replace('"', '""') + '"'
