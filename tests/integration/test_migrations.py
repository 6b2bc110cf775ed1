"""Alembic is the only thing that creates tables: the migrations and the models must agree."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

from domain import db


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


def test_models_and_migrations_agree_and_round_trip(fresh_url: str) -> None:
    db.upgrade_database(fresh_url)
    assert _differences(fresh_url) == []
    assert _tables(fresh_url) == set(SQLModel.metadata.tables)

    db.downgrade_database(fresh_url, "base")
    assert _tables(fresh_url) == set()

    db.upgrade_database(fresh_url)
    assert _differences(fresh_url) == []
    assert _tables(fresh_url) == set(SQLModel.metadata.tables)
