"""Database fixtures: every database test runs on a SQLite file, and on PostgreSQL when
TEST_DATABASE_URL is set (CI sets it; an unreachable PostgreSQL then fails the run)."""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator

import pytest

# Settings read the environment once; point them at a throw-away data dir before anything imports them.
_DATA_DIR = tempfile.mkdtemp(prefix="aksesgpt-test-")
os.environ.setdefault("DATA_DIR", _DATA_DIR)
os.environ.setdefault("APP_ENV", "development")
os.environ.setdefault("SCHEDULER_ENABLED", "0")

import sqlalchemy as sa  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402
from sqlmodel import SQLModel  # noqa: E402

from domain.admin import admins  # noqa: E402
from infra import db, ratelimit  # noqa: E402

# argon2 at its lowest cost in this process (the app processes the tests start hash at the production cost). The
# tests are about who may sign in, not what a hash costs: at 64 MiB and 3 passes each hash or check took 0.15-0.25 s,
# a third of the UI tests' time. The hash an unknown e-mail is checked against is remade at the same cost, so an
# unknown address and a wrong password still take the same path at the same price.
admins.pwd_context.update(argon2__memory_cost=8, argon2__rounds=1, argon2__parallelism=1)
admins._DUMMY_HASH = admins.pwd_context.hash("not-a-real-password-only-for-timing")

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
BACKENDS = ["sqlite"] + (["postgresql"] if TEST_DATABASE_URL else [])


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    shutil.rmtree(_DATA_DIR, ignore_errors=True)


def _pg_schema_url(schema: str) -> str:
    url = sa.engine.make_url(db.make_engine(TEST_DATABASE_URL).url)
    return url.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)


class PostgresSchemas:
    """Throw-away schemas on the test PostgreSQL, so parallel runs never meet."""

    def __init__(self) -> None:
        try:
            self.admin = db.make_engine(TEST_DATABASE_URL, poolclass=sa.pool.NullPool)
            with self.admin.connect() as conn:
                conn.execute(sa.text("SELECT 1"))
        except Exception as exc:
            pytest.exit(f"TEST_DATABASE_URL is set but PostgreSQL is unreachable: {exc}", returncode=3)
        self.created: list[str] = []

    def new(self) -> str:
        schema = f"t_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        with self.admin.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        self.created.append(schema)
        return _pg_schema_url(schema)

    def drop_all(self) -> None:
        with self.admin.begin() as conn:
            for schema in self.created:
                conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))


@pytest.fixture(scope="session")
def pg_schemas() -> Iterator[PostgresSchemas]:
    schemas = PostgresSchemas()
    yield schemas
    schemas.drop_all()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("template") / "migrated.db"
    db.upgrade_database(f"sqlite:///{path}")
    return str(path)


@pytest.fixture(scope="session")
def pg_migrated(request: pytest.FixtureRequest) -> str:
    url = request.getfixturevalue("pg_schemas").new()
    db.upgrade_database(url)
    return url


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def fresh_url(backend: str, tmp_path, request: pytest.FixtureRequest) -> str:
    """An empty database with no tables at all (for migration tests)."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'empty.db'}"
    return request.getfixturevalue("pg_schemas").new()


@pytest.fixture
def db_url(backend: str, tmp_path, request: pytest.FixtureRequest) -> str:
    """A migrated database with no rows, fresh for this test."""
    if backend == "sqlite":
        path = tmp_path / "test.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("pg_migrated")
    engine = db.make_engine(url, poolclass=sa.pool.NullPool)
    tables = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()
    return url


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """The process-wide engine, bound to this test's database (and rate limits counted afresh)."""
    ratelimit.use_storage("")
    engine = db.configure(db_url, **({} if db_url.startswith("sqlite") else {"pool_size": 20, "max_overflow": 60}))
    yield engine
    engine.dispose()


@pytest.fixture(scope="module", params=BACKENDS)
def live_db_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated database shared by one module's tests and the app processes they start."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("live") / "live.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("pg_schemas").new()
    db.upgrade_database(url)
    return url


@pytest.fixture(scope="module")
def stack(live_db_url: str, tmp_path_factory: pytest.TempPathFactory):
    """The app (main.py) and the payment simulator running as real HTTP servers on loopback."""
    from tests.live import start_stack

    running = start_stack(live_db_url, tmp_path_factory.mktemp("stack"))
    yield running
    running.stop()


@pytest.fixture
def live(stack):
    """The running stack, with this test process's engine on the same database."""
    engine = db.configure(stack.db_url)
    yield stack
    engine.dispose()


@pytest.fixture
def inbox():
    """A real SMTP server (aiosmtpd) on a free loopback port, keeping what it receives."""
    from tests.sinks import Inbox

    box = Inbox()
    box.controller.start()
    yield box
    box.controller.stop()
