"""Database failures seen by this process. While the database is down no alert can be written (alerts
are rows in it), so failures are counted in memory where they happen (the engine's error event, health
probes, jobs, callbacks) and the operations job turns them into one alert once the database answers."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from infra.metrics import DATABASE_ERRORS
from infra.types import utcnow

_NOTED = "_aksesgpt_db_error_noted"


@dataclass
class DatabaseErrors:
    count: int = 0
    first_at: datetime | None = None
    last_at: datetime | None = None
    last_kind: str = ""
    places: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        where = ", ".join(f"{place} {n}" for place, n in sorted(self.places.items()))
        return f"{self.count} ({where}); terakhir {self.last_kind}"


_lock = threading.Lock()
_seen = DatabaseErrors()


LOCK_NOT_AVAILABLE = "55P03"


def is_retryable(exc: BaseException) -> bool:
    """A deadlock, serialization failure or SQLite lock timeout: safe to run the transaction again."""
    if not isinstance(exc, (OperationalError, DBAPIError)):
        return False
    code = getattr(getattr(exc, "orig", None), "sqlstate", None)
    return code in {"40P01", "40001"} or "database is locked" in str(exc)


def is_database_error(exc: BaseException) -> bool:
    """A failure of the database itself (unreachable, dropped connection, broken schema), not a
    constraint doing its job, not a lock conflict that is retried and not a lock wait given up
    (`db.limit_lock_waits`: the caller answers an error and the gateway delivers again)."""
    if getattr(getattr(exc, "orig", None), "sqlstate", None) == LOCK_NOT_AVAILABLE:
        return False
    return isinstance(exc, DBAPIError) and not isinstance(exc, IntegrityError) and not is_retryable(exc)


def note(exc: BaseException, place: str, now: datetime | None = None) -> bool:
    """Count `exc` once (several layers may report the same exception); returns whether it counted."""
    if not is_database_error(exc) or getattr(exc, _NOTED, False):
        return False
    try:
        setattr(exc, _NOTED, True)
    except AttributeError:
        pass
    now = now or utcnow()
    orig = getattr(exc, "orig", None)
    sqlstate = getattr(orig, "sqlstate", None)
    kind = type(orig or exc).__name__ + (f" {sqlstate}" if sqlstate else "")
    with _lock:
        _seen.count += 1
        _seen.first_at = _seen.first_at or now
        _seen.last_at, _seen.last_kind = now, kind
        _seen.places[place] = _seen.places.get(place, 0) + 1
    DATABASE_ERRORS.labels(place=place).inc()
    return True


def pending() -> DatabaseErrors:
    """A copy of the failures not reported yet."""
    with _lock:
        return DatabaseErrors(_seen.count, _seen.first_at, _seen.last_at, _seen.last_kind, dict(_seen.places))


def reported(errors: DatabaseErrors) -> None:
    """`errors` (from `pending`) made it into an alert: forget them, keep any that came since."""
    with _lock:
        _seen.count = max(0, _seen.count - errors.count)
        for place, n in errors.places.items():
            left = _seen.places.get(place, 0) - n
            if left > 0:
                _seen.places[place] = left
            else:
                _seen.places.pop(place, None)
        if _seen.count == 0:
            _seen.first_at, _seen.last_at, _seen.last_kind = None, None, ""


def watch_engine(engine: sa.engine.Engine) -> None:
    """Count every failed statement or connection attempt on `engine`."""

    def on_error(context: Any) -> None:
        exc = context.sqlalchemy_exception
        if exc is not None:
            note(exc, "query")

    sa.event.listen(engine, "handle_error", on_error)
