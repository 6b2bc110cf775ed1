"""How long the release job takes for 10,000 expired assignments, on SQLite and PostgreSQL.

    python bench/jobs.py [--assignments 10000] [--runs 3] [--jobs new,old] [--mixed]

Each measurement gets a fresh database (a SQLite file; a PostgreSQL schema when TEST_DATABASE_URL is set),
seeded in bulk (SQLAlchemy Core): 10 seats per account, all expired a day ago. Then, on that database, the
baseline: one bare UPDATE that marks the same rows EXPIRED (rolled back), the floor for the database; and one
release job: `new` is the job's own function (runtime/jobs.py release_expired: a batch of seats at a time in
set-based statements), `old` the row-by-row job it replaced (bench.rowwise_jobs.py: each seat freed with
its audit entry and e-mail, 200 to a transaction). The jobs run in turns, `--runs` times each; medians.
`--mixed`: a tenth of the accounts are INVITE workspaces, half of those automated (removal tasks queued).
"""

from __future__ import annotations

import os
import secrets
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DATA_DIR", tempfile.mkdtemp(prefix="aksesgpt-bench-"))

import sqlalchemy as sa  # noqa: E402

from bench.databases import bench_parser, databases, fresh_database  # noqa: E402
from bench.rowwise_jobs import release_expired_rowwise  # noqa: E402
from domain.shared.models import AccountAssignment, ChatGPTAccount, Order, Product  # noqa: E402
from infra import db  # noqa: E402
from infra.types import utcnow  # noqa: E402
from runtime.jobs import release_expired  # noqa: E402


def _delivery(i: int, mixed: bool) -> dict[str, str]:
    """Account i's delivery: with `mixed`, every tenth an automated workspace and every tenth a manual one."""
    if mixed and i % 10 == 0:
        return {"delivery": "INVITE", "driver": "chatgpt", "workspace_id": f"ws-{i}"}
    if mixed and i % 10 == 5:
        return {"delivery": "INVITE", "driver": "manual", "workspace_id": ""}
    return {"delivery": "CREDENTIALS", "driver": "manual", "workspace_id": ""}


def seed(engine: sa.Engine, count: int, mixed: bool = False) -> None:
    now = utcnow()
    start, end = now - timedelta(days=31), now - timedelta(days=1)
    stamps = {"created_at": now, "updated_at": now}
    with engine.begin() as conn:
        product_id = conn.execute(
            sa.insert(Product.__table__).returning(Product.__table__.c.id),
            [  # type: ignore[attr-defined]
                {
                    "slug": "bench",
                    "name": "Bench",
                    "description": "",
                    "price_idr": 79000,
                    "duration_days": 30,
                    "pool": "default",
                    "is_active": True,
                    "is_popular": False,
                    "sort_order": 0,
                    **stamps,
                }
            ],
        ).scalar_one()
        accounts = count // 10
        conn.execute(
            sa.insert(ChatGPTAccount.__table__),
            [  # type: ignore[attr-defined]
                {
                    "email": f"a{i}@bench.invalid",
                    "pool": "default",
                    **_delivery(i, mixed),
                    "password_enc": "",
                    "note": "",
                    "status": "ASSIGNED",
                    "max_seats": 10,
                    "seats_used": 10,
                    **stamps,
                }
                for i in range(accounts)
            ],
        )
        conn.execute(
            sa.insert(Order.__table__),
            [  # type: ignore[attr-defined]
                {
                    "code": f"AG-B{i:08d}",
                    "access_token_hash": secrets.token_hex(32),
                    "email": f"c{i}@bench.invalid",
                    "name": "C",
                    "phone": "+6281234567890",
                    "locale": "id",
                    "product_id": product_id,
                    "amount_idr": 79000,
                    "duration_days": 30,
                    "pool": "default",
                    "status": "fulfilled",
                    "paid_at": start,
                    **stamps,
                }
                for i in range(count)
            ],
        )
        order_ids = conn.execute(sa.select(Order.__table__.c.id).order_by(Order.__table__.c.id)).scalars().all()  # type: ignore[attr-defined]
        account_ids = conn.execute(sa.select(ChatGPTAccount.__table__.c.id)).scalars().all()  # type: ignore[attr-defined]
        conn.execute(
            sa.insert(AccountAssignment.__table__),
            [  # type: ignore[attr-defined]
                {
                    "order_id": oid,
                    "chatgpt_account_id": account_ids[i // 10],
                    "customer_email": f"c{i}@bench.invalid",
                    "invite_state": "INVITED" if _delivery(i // 10, mixed)["delivery"] == "INVITE" else None,
                    "status": "ACTIVE",
                    "start_at": start,
                    "end_at": end,
                    **stamps,
                }
                for i, oid in enumerate(order_ids)
            ],
        )


def bare_update(engine: sa.Engine) -> float:
    """The floor: one statement marks the same rows EXPIRED (no seats freed, no audit, no mail), rolled back."""
    table = AccountAssignment.__table__  # type: ignore[attr-defined]
    started = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(sa.update(table).where(table.c.status == "ACTIVE").values(status="EXPIRED"))
        conn.rollback()
    return time.perf_counter() - started


JOBS = {"new": release_expired, "old": release_expired_rowwise}


class DatabaseClock:
    """The time the job spends waiting on the database: in its SQL statements and in its COMMITs (on SQLite the
    COMMIT writes the WAL back to the database file), counted on the engine."""

    def __init__(self, engine: sa.Engine) -> None:
        self.statements = self.commits = 0.0
        self._started = 0.0
        sa.event.listen(engine, "before_cursor_execute", self._before)
        sa.event.listen(engine, "after_cursor_execute", self._after)
        commit = engine.dialect.do_commit

        def timed_commit(connection: Any) -> None:
            started = time.perf_counter()
            try:
                commit(connection)
            finally:
                self.commits += time.perf_counter() - started

        engine.dialect.do_commit = timed_commit  # type: ignore[method-assign]

    def _before(self, *_: Any) -> None:
        self._started = time.perf_counter()

    def _after(self, *_: Any) -> None:
        self.statements += time.perf_counter() - self._started


def measure_once(database: str, job: str, count: int, mixed: bool) -> tuple[float, float, float]:
    """On a fresh, seeded database: the bare UPDATE, then the job; (bare seconds, job seconds, of which waiting
    on the database)."""
    with fresh_database(database) as url:
        db.upgrade_database(url)
        engine = db.configure(url)
        seed(engine, count, mixed=mixed)
        baseline = bare_update(engine)
        clock = DatabaseClock(engine)
        started = time.perf_counter()
        detail = JOBS[job](now=utcnow())
        elapsed = time.perf_counter() - started
        table = AccountAssignment.__table__  # type: ignore[attr-defined]
        with engine.connect() as conn:
            left = conn.execute(sa.select(sa.func.count()).where(table.c.status == "ACTIVE")).scalar_one()
        engine.dispose()
    assert detail == f"released {count}" and left == 0, (detail, left)
    return baseline, elapsed, clock.statements + clock.commits


def main() -> None:
    parser = bench_parser(__doc__)
    parser.add_argument("--assignments", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--jobs", default="new,old", help="which release jobs to time (new, old)")
    parser.add_argument("--mixed", action="store_true", help="a tenth of the accounts INVITE, half of those automated")
    args = parser.parse_args()
    count, jobs = args.assignments, args.jobs.split(",")
    for database in databases():
        bare: list[float] = []
        times: dict[str, list[float]] = {job: [] for job in jobs}
        waits: dict[str, list[float]] = {job: [] for job in jobs}
        for run in range(args.runs):
            for job in jobs:  # in turns, so that the machine's other load falls on each alike
                baseline, elapsed, waited = measure_once(database, job, count, args.mixed)
                bare.append(baseline)
                times[job].append(elapsed)
                waits[job].append(waited)
                print(
                    f"  {database} run {run + 1} {job}: {elapsed:.2f} s, of which the database {waited:.2f} s "
                    f"(bare UPDATE {baseline:.3f} s)",
                    flush=True,
                )
        floor = statistics.median(bare)
        print(f"{database}: {count} seats, medians of {args.runs}; bare UPDATE {floor:.3f} s", flush=True)
        for job in jobs:
            elapsed, waited = statistics.median(times[job]), statistics.median(waits[job])
            print(
                f"  {job:<4} {elapsed:6.2f} s  {elapsed / count * 1e6:5.0f} us/seat  x{elapsed / floor:<6.1f} "
                f"(of which the database {waited:.2f} s, x{waited / floor:.1f})",
                flush=True,
            )
        if "new" in times and "old" in times:
            print(f"  old/new x{statistics.median(times['old']) / statistics.median(times['new']):.1f}", flush=True)


if __name__ == "__main__":
    main()
