"""Alembic environment: the models' metadata, batch mode on SQLite, our engine settings."""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlmodel import SQLModel

import domain.models  # noqa: F401  (registers the tables)
from domain.db import make_engine
from domain.types import UTCDateTime

config = context.config
target_metadata = SQLModel.metadata


def _url() -> str:
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        from domain.settings import get_settings

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


def run_migrations_offline() -> None:
    url = _url()
    context.configure(url=url, literal_binds=True, **_options(url))
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, **_options(str(connection.engine.url)))
        with context.begin_transaction():
            context.run_migrations()
        return
    url = _url()
    engine = make_engine(url, poolclass=__import__("sqlalchemy").pool.NullPool)
    with engine.connect() as conn:
        context.configure(connection=conn, **_options(url))
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
