"""Where the benchmarks run: a fresh SQLite file, then, when TEST_DATABASE_URL is set, a throw-away
PostgreSQL schema on that server (dropped afterwards)."""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from infra import db


@contextmanager
def postgres_schema(server_url: str) -> Iterator[str]:
    """A database URL whose search_path is a new, empty schema; the schema is dropped on exit."""
    admin = db.make_engine(server_url, poolclass=sa.pool.NullPool)
    schema = f"bench_{secrets.token_hex(4)}"
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = sa.engine.make_url(admin.url).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def each_database() -> Iterator[tuple[str, str]]:
    """("sqlite", url) on a fresh file, then ("postgresql", url) on a fresh schema when TEST_DATABASE_URL is set."""
    folder = Path(tempfile.mkdtemp(prefix="aksesgpt-bench-db-"))
    try:
        yield "sqlite", f"sqlite:///{folder / 'bench.db'}"
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    server = os.environ.get("TEST_DATABASE_URL")
    if server:
        with postgres_schema(server) as url:
            yield "postgresql", url


def databases() -> list[str]:
    """ "sqlite", and "postgresql" when TEST_DATABASE_URL is set."""
    return ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])


@contextmanager
def fresh_database(name: str) -> Iterator[str]:
    """The URL of a new, empty database of that kind (a SQLite file; a schema on TEST_DATABASE_URL), removed on exit."""
    if name == "postgresql":
        with postgres_schema(os.environ["TEST_DATABASE_URL"]) as url:
            yield url
        return
    folder = Path(tempfile.mkdtemp(prefix="aksesgpt-bench-db-"))
    try:
        yield f"sqlite:///{folder / 'bench.db'}"
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def bench_parser(doc: str | None) -> argparse.ArgumentParser:
    """The command line of a bench script, its docstring as the help."""
    return argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)


def stop_stack(stack: Any, workdir: Path) -> None:
    """Stop a bench's app stack, let go of its database and remove its folder."""
    stack.stop()
    db.get_engine().dispose()
    shutil.rmtree(workdir, ignore_errors=True)
