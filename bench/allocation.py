"""Allocation throughput: paid orders turned into seats per second, on SQLite and PostgreSQL.

    python bench/allocation.py [--orders 200] [--runs 3] [--threads 8]

PostgreSQL runs too when TEST_DATABASE_URL is set (a throw-away schema, dropped afterwards).
Printed per database: medians over the runs of (a) a baseline write transaction that only adds
one audit row, (b) record_payment one order at a time, (c) the same with N threads; and the
ratios of (b) and (c) to the baseline. It prints figures; it never passes or fails on time.
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DATA_DIR", tempfile.mkdtemp(prefix="aksesgpt-bench-"))

import sqlalchemy as sa  # noqa: E402

from bench.databases import bench_parser  # noqa: E402
from domain.catalog.pool import add_account  # noqa: E402
from domain.catalog.products import create_product  # noqa: E402
from domain.orders.orders import create_order, record_payment  # noqa: E402
from domain.shared.audit import record_audit  # noqa: E402
from infra import db  # noqa: E402

ACTOR = "bench"


def _setup(orders: int) -> list[int]:
    """A package, enough 10-seat accounts for every order, and the unpaid orders."""
    with db.write_session() as s:
        create_product(session=s, actor=ACTOR, slug="bench", name="Bench", price_idr=79_000, duration_days=30)
        for i in range(orders // 10 + 1):
            add_account(session=s, actor=ACTOR, email=f"acct{i}@bench.invalid", password="pw", max_seats=10)
        ids = []
        for i in range(orders):
            order, _ = create_order(
                session=s, product_slug="bench", email=f"c{i}@bench.invalid", name="C", phone="081234567890"
            )
            ids.append(order.id)
    return ids


def _pay(order_id: int) -> None:
    db.in_transaction(lambda s: record_payment(session=s, order_id=order_id, amount_idr=79_000, actor=ACTOR))


def _baseline(_: int) -> None:
    db.in_transaction(
        lambda s: record_audit(session=s, actor=ACTOR, action="bench.noop", entity="bench", entity_id=None)
    )


def _rate(work, items: list[int], threads: int) -> float:
    start = time.perf_counter()
    if threads == 1:
        for item in items:
            work(item)
    else:
        with ThreadPoolExecutor(max_workers=threads) as pool:
            list(pool.map(work, items))
    return len(items) / (time.perf_counter() - start)


def _one_run(make_url, orders: int, threads: int) -> tuple[float, float, float]:
    url = make_url()
    db.upgrade_database(url)
    db.configure(url, **({} if url.startswith("sqlite") else {"pool_size": threads + 2, "max_overflow": 0}))
    ids = _setup(orders * 2)
    base = _rate(_baseline, list(range(orders)), 1)
    sequential = _rate(_pay, ids[:orders], 1)
    concurrent = _rate(_pay, ids[orders:], threads)
    db.get_engine().dispose()
    return base, sequential, concurrent


def bench(name: str, make_url, runs: int, orders: int, threads: int) -> None:
    results = [_one_run(make_url, orders, threads) for _ in range(runs)]
    base, seq, conc = (statistics.median(r[i] for r in results) for i in range(3))
    print(
        f"{name}: baseline write txn {base:8.1f}/s | allocate sequential {seq:8.1f}/s "
        f"(x{seq / base:.2f} of baseline) | allocate {threads} threads {conc:8.1f}/s (x{conc / base:.2f})"
    )


def main() -> None:
    parser = bench_parser(__doc__)
    parser.add_argument("--orders", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    print(f"{args.orders} allocations per measurement, median of {args.runs} runs, {os.cpu_count()} cores")

    tmp = Path(tempfile.mkdtemp(prefix="aksesgpt-bench-db-"))
    try:
        bench("sqlite    ", lambda: f"sqlite:///{tmp / uuid.uuid4().hex}.db", args.runs, args.orders, args.threads)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    pg = os.environ.get("TEST_DATABASE_URL")
    if pg:
        admin = db.make_engine(pg, poolclass=sa.pool.NullPool)
        schemas: list[str] = []

        def new_schema() -> str:
            name = f"bench_{uuid.uuid4().hex[:8]}"
            with admin.begin() as conn:
                conn.execute(sa.text(f'CREATE SCHEMA "{name}"'))
            schemas.append(name)
            url = sa.engine.make_url(admin.url).update_query_dict({"options": f"-csearch_path={name}"})
            return url.render_as_string(hide_password=False)

        try:
            bench("postgresql", new_schema, args.runs, args.orders, args.threads)
        finally:
            with admin.begin() as conn:
                for name in schemas:
                    conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
    shutil.rmtree(os.environ["DATA_DIR"], ignore_errors=True)


if __name__ == "__main__":
    main()
