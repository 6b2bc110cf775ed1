"""What /readyz reports: the database answers and takes a write, its schema is at the migrations' head, and
every background job has succeeded within its interval (when the scheduler runs in this process)."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any

from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from infra import db
from infra.types import utcnow
from runtime.jobs import Job, is_late, job_runs


@lru_cache(maxsize=1)
def migrations_head() -> str:
    return ScriptDirectory.from_config(db.alembic_config("sqlite://")).get_current_head() or ""


def schema_revision() -> str:
    with db.get_engine().connect() as conn:
        return MigrationContext.configure(conn).get_current_revision() or ""


def health_report(*, jobs: list[Job], started_at: datetime, now: datetime | None = None) -> tuple[bool, dict[str, Any]]:
    """(healthy, report). A job is late when it has not succeeded within three of its intervals
    (counted from start-up for a job that has not run yet)."""
    now = now or utcnow()
    ok, database = db.database_status()
    report: dict[str, Any] = {"status": "ok", "database": database}
    if not ok:
        report["status"] = "unavailable"
        return False, report
    current, head = schema_revision(), migrations_head()
    report["migrations"] = {"current": current, "head": head}
    writes, report["writes"] = db.write_status()
    healthy = current == head and writes
    if jobs:
        runs = {run.name: run for run in job_runs()}
        report["jobs"] = {}
        for job in jobs:
            run = runs.get(job.name)
            late = is_late(job, run, started_at=started_at, now=now)
            healthy &= not late
            report["jobs"][job.name] = {
                "last_success_at": run.last_success_at.isoformat() if run and run.last_success_at else None,
                "last_outcome": run.last_outcome if run else None,
                "late": late,
            }
    if not healthy:
        report["status"] = "degraded"
    return healthy, report
