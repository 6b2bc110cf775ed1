"""What /healthz says about the schema and the background jobs."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from infra import db
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


@contextmanager
def _small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 4 MB file system of the test's own (tmpfs), to fill up."""
    folder = tmp_path / "small-disk"
    folder.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(folder)]).returncode:
        pytest.skip("mounting a small tmpfs needs root")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def test_readiness_reports_a_full_disk_and_recovers(backend, tmp_path) -> None:
    """Trust #12: with the disk full, callbacks and orders failed while every health check said 200."""
    if backend != "sqlite":
        pytest.skip("the PostgreSQL case is the read-only database below")
    with _small_disk(tmp_path) as disk:
        url = f"sqlite:///{disk / 'shop.db'}"
        db.upgrade_database(url)
        engine = db.configure(url)
        try:
            assert health_report(jobs=[], started_at=utcnow())[0]
            subprocess.run(["dd", "if=/dev/zero", f"of={disk / 'filler'}", "bs=64k"], capture_output=True)
            healthy, report = health_report(jobs=[], started_at=utcnow())
            assert not healthy and report["status"] == "degraded"
            assert report["database"] == "ok" and "full" in report["writes"]
            (disk / "filler").unlink()
            healthy, report = health_report(jobs=[], started_at=utcnow())
            assert healthy and report["writes"] == "ok"
        finally:
            engine.dispose()


def test_readiness_reports_a_database_that_refuses_writes(backend, engine, db_url) -> None:
    """A database that answers SELECT 1 but takes no write (a read-only replica after a failover, a read-only
    file) is not ready; /healthz's SELECT 1 alone said it was."""
    if backend == "sqlite":
        path = Path(sa.engine.make_url(db_url).database or "")
        engine.dispose()
        read_only = db.configure(f"sqlite:///file:{path}?mode=ro&uri=true")
    else:
        options = sa.engine.make_url(db_url).query.get("options", "")
        read_only = db.configure(
            sa.engine.make_url(db_url)
            .update_query_dict({"options": f"{options} -cdefault_transaction_read_only=on".strip()})
            .render_as_string(hide_password=False)
        )
    try:
        healthy, report = health_report(jobs=[], started_at=utcnow())
    finally:
        read_only.dispose()
        db.configure(db_url)
    assert not healthy and report["writes"] != "ok"


def test_an_unwritable_shared_memory_file_is_unavailable(backend, engine, db_url) -> None:
    """Trust #12: with SQLite's -shm file unwritable /healthz said 200, and the first write then crashed the app."""
    if backend != "sqlite" or os.geteuid() != 0:
        pytest.skip("SQLite's files, made immutable with chattr (root)")
    db.in_transaction(lambda s: s.exec(sa.text("UPDATE alembic_version SET version_num = version_num")))
    shm = Path((sa.engine.make_url(db_url).database or "") + "-shm")
    assert shm.exists()
    subprocess.run(["chattr", "+i", str(shm)], check=True)
    try:
        ok, detail = db.database_status()
        healthy, report = health_report(jobs=[], started_at=utcnow())
    finally:
        subprocess.run(["chattr", "-i", str(shm)], check=True)
    assert not ok and detail.endswith("-shm is not writable"), detail
    assert not healthy and report["status"] == "unavailable"
