"""A backup taken while payments land restores to a consistent database (invariants empty)."""

from __future__ import annotations

import threading
import uuid

import sqlalchemy as sa
from sqlmodel import func, select

from domain.admin.invariants import check_invariants
from domain.shared.models import Order
from infra import db
from runtime.backup import backup, restore
from tests.conftest import TEST_DATABASE_URL
from tests.helpers import make_account, make_order, make_product, pay


def _check(url: str) -> tuple[list[str], int]:
    engine = db.make_engine(url, poolclass=sa.pool.NullPool)
    try:
        with db.read_session(engine) as session:
            return check_invariants(session=session), session.exec(select(func.count()).select_from(Order)).one()
    finally:
        engine.dispose()


def test_backup_during_traffic_restores_consistent(engine, backend, db_url, tmp_path) -> None:
    product = make_product()
    for _ in range(10):
        make_account(max_seats=10)
    orders = [make_order(product) for _ in range(120)]
    stop = threading.Event()

    def traffic() -> None:
        for order in orders:
            if stop.is_set():
                return
            pay(order)

    worker = threading.Thread(target=traffic)
    worker.start()
    try:
        path = backup(db_url, tmp_path / "shop.backup")
    finally:
        stop.set()
        worker.join(timeout=60)

    if backend == "sqlite":
        restored = f"sqlite:///{tmp_path / 'restored.db'}"
        (tmp_path / "restored.db").touch()
    else:  # restore into a new database (the dump keeps its schema name)
        name = f"restore_{uuid.uuid4().hex[:8]}"
        admin = db.make_engine(TEST_DATABASE_URL, poolclass=sa.pool.NullPool, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        base = sa.engine.make_url(db_url)
        restored = base.set(database=name).render_as_string(hide_password=False)
    try:
        restore(restored, path)
        problems, count = _check(restored)
        assert problems == [] and count == 120
    finally:
        if backend != "sqlite":
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
