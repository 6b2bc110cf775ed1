"""Alembic is the only thing that creates tables: the migrations and the models must agree."""

from __future__ import annotations

import subprocess
import sys

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

import domain.shared.models  # noqa: F401  (registers the tables _differences compares with)
from infra import db
from tests.live import ROOT


def _differences(url: str) -> list:
    engine = db.make_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True})
            return compare_metadata(ctx, SQLModel.metadata)
    finally:
        engine.dispose()


def _tables(url: str) -> set[str]:
    engine = db.make_engine(url, poolclass=sa.pool.NullPool)
    try:
        return set(sa.inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


# SQLite cannot reflect the expression index of the seat pick, so it is compared on PostgreSQL only
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based index")
def test_models_and_migrations_agree_and_round_trip(fresh_url: str) -> None:
    db.upgrade_database(fresh_url)
    assert _differences(fresh_url) == []
    assert _tables(fresh_url) == set(SQLModel.metadata.tables)

    db.downgrade_database(fresh_url, "base")
    assert _tables(fresh_url) == set()

    db.upgrade_database(fresh_url)
    assert _differences(fresh_url) == []
    assert _tables(fresh_url) == set(SQLModel.metadata.tables)


def _partial_index(url: str) -> str:
    engine = db.make_engine(url, poolclass=sa.pool.NullPool)
    name = "uq_account_assignments_one_active_per_order"
    query = (
        "SELECT sql FROM sqlite_master WHERE name = :name"
        if url.startswith("sqlite")
        else "SELECT indexdef FROM pg_indexes WHERE indexname = :name"
    )
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text(query), {"name": name}).scalar() or ""
    finally:
        engine.dispose()


def test_round_trips_keep_the_one_active_seat_per_order_index_partial(fresh_url: str) -> None:
    """SQLite's batch mode recreates tables; the index must keep its WHERE clause through it."""
    db.upgrade_database(fresh_url)
    db.downgrade_database(fresh_url, "0001")
    db.upgrade_database(fresh_url)
    definition = _partial_index(fresh_url)
    assert "UNIQUE" in definition.upper() and "WHERE" in definition.upper() and "ACTIVE" in definition


def test_processes_starting_together_on_postgresql_take_turns_to_migrate(fresh_url: str, backend: str) -> None:
    """The unit starts several instances at once; each runs `upgrade head` at start-up."""
    if backend != "postgresql":
        pytest.skip("SQLite serves one host's processes; the advisory lock is PostgreSQL's")
    code = "import sys; from infra import db; db.upgrade_database(sys.argv[1])"
    runs = [
        subprocess.Popen([sys.executable, "-c", code, fresh_url], cwd=ROOT, stderr=subprocess.PIPE) for _ in range(3)
    ]
    errors = [run.communicate(timeout=120)[1].decode()[-2000:] for run in runs]
    assert [run.returncode for run in runs] == [0, 0, 0], errors
    assert _differences(fresh_url) == []
