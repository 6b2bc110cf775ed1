"""Alembic environment: the models' metadata, batch mode on SQLite, our engine settings."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import context
from sqlmodel import SQLModel

import domain.shared.models  # noqa: F401  (registers the tables)
import infra.changes  # noqa: F401  (the change feed's table)
from infra.db import make_engine
from infra.types import UTCDateTime

config = context.config
target_metadata = SQLModel.metadata


def _url() -> str:
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        from infra.settings import get_settings

        url = get_settings().database_url
    return url


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    """Render our UTC timestamp type as the plain column type it stores."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _options(url: str) -> dict[str, Any]:
    return {
        "target_metadata": target_metadata,
        "render_as_batch": url.startswith("sqlite"),
        "compare_type": True,
        "render_item": render_item,
    }


MIGRATION_LOCK = 0x616B7367  # "aksg": PostgreSQL advisory lock key taken by whoever migrates


def _run(connection: Any) -> None:
    """Migrate in one transaction; on PostgreSQL, app processes starting together take turns, and the
    later ones find the schema at head."""
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            connection.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": MIGRATION_LOCK})
        context.run_migrations()


def run_migrations_offline() -> None:
    url = _url()
    context.configure(url=url, literal_binds=True, **_options(url))
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, **_options(str(connection.engine.url)))
        _run(connection)
        return
    url = _url()
    engine = make_engine(url, poolclass=__import__("sqlalchemy").pool.NullPool)
    with engine.connect() as conn:
        context.configure(connection=conn, **_options(url))
        _run(conn)
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
