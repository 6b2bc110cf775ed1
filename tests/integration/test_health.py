"""What /healthz says about the schema and the background jobs."""

from __future__ import annotations

from datetime import timedelta

from infra.types import utcnow
from runtime.health import health_report
from runtime.jobs import Job, release_expired, run_job

JOBS = [Job("release_expired_assignments", 60, release_expired)]


def test_healthy_after_start_and_after_a_successful_run(engine) -> None:
    started = utcnow()
    healthy, report = health_report(jobs=JOBS, started_at=started)
    assert healthy and report["jobs"]["release_expired_assignments"]["late"] is False
    run_job(JOBS[0])
    healthy, report = health_report(jobs=JOBS, started_at=started, now=utcnow() + timedelta(minutes=3))
    assert healthy and report["jobs"]["release_expired_assignments"]["last_outcome"] == "ok"


def test_a_job_that_stopped_succeeding_makes_the_app_degraded(engine) -> None:
    started = utcnow()
    run_job(JOBS[0])
    healthy, report = health_report(jobs=JOBS, started_at=started, now=utcnow() + timedelta(minutes=4))
    assert not healthy and report["status"] == "degraded"
    assert report["jobs"]["release_expired_assignments"]["late"] is True


def test_a_schema_behind_the_migrations_is_degraded(engine, db_url) -> None:
    from infra import db
    from runtime.health import migrations_head

    db.downgrade_database(db_url, "0002")
    try:
        healthy, report = health_report(jobs=[], started_at=utcnow())
    finally:
        db.upgrade_database(db_url)  # the PostgreSQL schema is shared by the session's tests
    assert not healthy and report["migrations"] == {"current": "0002", "head": migrations_head()}
    assert migrations_head() not in ("", "0002")
