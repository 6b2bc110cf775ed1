"""The engine, sessions and transactions; Alembic is the only thing that creates tables."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlmodel import Session

from infra import db_errors
from infra import settings as config

log = logging.getLogger("aksesgpt.db")
T = TypeVar("T")
MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
_engine: Engine | None = None


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for SQLite (WAL, foreign keys, busy timeout) or PostgreSQL (psycopg 3)."""
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if url.startswith("sqlite"):
        path = sa.engine.make_url(url).database
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs)
        _sqlite_transactions(engine)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    if "poolclass" not in kwargs:
        kwargs.setdefault("pool_size", 10)
        kwargs.setdefault("max_overflow", 20)
    return sa.create_engine(url, **kwargs)


def _sqlite_transactions(engine: Engine) -> None:
    """Take over BEGIN from pysqlite so write transactions can start with BEGIN IMMEDIATE."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        mode = "IMMEDIATE" if conn.get_execution_options().get("write") else "DEFERRED"
        conn.exec_driver_sql(f"BEGIN {mode}")


def configure(url: str, **kwargs: Any) -> Engine:
    """Set the process-wide engine (start-up and tests call this once)."""
    global _engine
    if _engine is not None:
        _engine.dispose()
    _engine = make_engine(url, **kwargs)
    db_errors.watch_engine(_engine)  # database failures are counted for the database_errors alert
    return _engine


def get_engine() -> Engine:
    if _engine is None:
        configure(config.get_settings().database_url)
    assert _engine is not None
    return _engine


@contextmanager
def read_session(engine: Engine | None = None) -> Iterator[Session]:
    """A session for reading; nothing it does is committed."""
    with Session(engine or get_engine(), expire_on_commit=False) as session:
        yield session


def _writer_lock(engine: Engine) -> AbstractContextManager[Any]:
    """On SQLite, threads of this process queue for the single write lock in order instead of
    retrying in SQLite's busy handler (whose back-off sleeps made tail latency seconds long)."""
    if engine.dialect.name != "sqlite":
        return nullcontext()
    lock = engine.__dict__.get("_aksesgpt_writer")
    if lock is None:
        lock = engine.__dict__.setdefault("_aksesgpt_writer", threading.RLock())
    return lock


@contextmanager
def write_session(engine: Engine | None = None) -> Iterator[Session]:
    """One write transaction (BEGIN IMMEDIATE on SQLite), committed on success, rolled back on error."""
    bind = engine or get_engine()
    with _writer_lock(bind), Session(bind, expire_on_commit=False) as session:
        session.connection(execution_options={"write": True})
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


LOCK_WAIT_LIMIT_MS = 3000


def limit_lock_waits(session: Session, ms: int = LOCK_WAIT_LIMIT_MS) -> None:
    """On PostgreSQL, make this transaction fail (55P03, not retried) rather than wait longer than `ms`
    for a row or advisory lock: a payment callback stuck behind a lock held too long gets an error
    answer, which the gateway delivers again later, instead of holding up every callback of the
    process behind it. SQLite's writers already wait at most its busy timeout."""
    if session.get_bind().dialect.name == "postgresql":
        session.connection().exec_driver_sql(f"SET LOCAL lock_timeout = {int(ms)}")


def in_transaction(work: Callable[[Session], T], *, engine: Engine | None = None, attempts: int = 5) -> T:
    """Run `work` in one write transaction, again from the start after a deadlock or lock timeout."""
    for attempt in range(1, attempts + 1):
        try:
            with write_session(engine) as session:
                return work(session)
        except (OperationalError, DBAPIError) as exc:
            if attempt == attempts or not db_errors.is_retryable(exc):
                raise
            log.warning("transaction retry attempt=%s reason=%s", attempt, type(exc.orig).__name__)
            time.sleep(0.05 * attempt)
    raise AssertionError("unreachable")


def database_status(engine: Engine | None = None) -> tuple[bool, str]:
    """Whether the database answers, and a short reason when it does not."""
    bind = engine or get_engine()
    try:
        with bind.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except Exception as exc:  # any failure means "down" to a health check
        db_errors.note(exc, "health")
        return False, type(exc).__name__
    problem = _sqlite_file_problem(bind)
    return (False, problem) if problem else (True, "ok")


_WRITE_PROBE = sa.text("UPDATE alembic_version SET version_num = version_num")  # a real write that changes nothing


def write_status(engine: Engine | None = None) -> tuple[bool, str]:
    """Whether the database takes a write now (a full disk, a read-only file system or replica answers
    SELECT 1 and refuses every payment), and a short reason when it does not."""
    try:
        with write_session(engine) as session:
            limit_lock_waits(session, 2000)
            session.connection().execute(_WRITE_PROBE)
    except Exception as exc:  # any failure means "cannot write" to a readiness check
        db_errors.note(exc, "health")
        orig = getattr(exc, "orig", exc)
        return False, f"{type(orig).__name__}: {str(orig).splitlines()[0][:120]}"
    return True, "ok"


def _sqlite_file_problem(engine: Engine) -> str:
    """SELECT 1 never touches SQLite's file: a file the shop cannot write (read-only, immutable, moved away)
    takes no payment, so it is down too."""
    path = engine.url.database if engine.dialect.name == "sqlite" else None
    if not path or path == ":memory:" or path.startswith("file:"):
        return ""
    database = Path(path)
    wal, shm = database.with_name(database.name + "-wal"), database.with_name(database.name + "-shm")
    for candidate in (database, wal, shm, database.parent):
        if candidate == database.parent or candidate.exists():
            if not os.access(candidate, os.W_OK):
                return f"{candidate.name or candidate} is not writable"
    return "" if database.exists() else "database file missing"


def alembic_config(url: str) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade_database(url: str, revision: str = "head") -> None:
    """`alembic upgrade head`, run from code at start-up and by the CLI."""
    from alembic import command

    command.upgrade(alembic_config(url), revision)


def downgrade_database(url: str, revision: str = "base") -> None:
    from alembic import command

    command.downgrade(alembic_config(url), revision)
