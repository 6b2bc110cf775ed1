"""How long the release job takes for 10,000 expired assignments, on SQLite and PostgreSQL.

    python bench/jobs.py [--assignments 10000]

Seeds the rows in bulk (SQLAlchemy Core), then times `release_expired` (the job's own function: batches
of 200, each seat freed with its audit entry and the customer's e-mail queued in the same transaction).
The baseline is one bare UPDATE that marks the same number of rows EXPIRED: the floor for the database.
"""

from __future__ import annotations

import os
import secrets
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DATA_DIR", tempfile.mkdtemp(prefix="aksesgpt-bench-"))

import sqlalchemy as sa  # noqa: E402

from bench.databases import bench_parser, each_database  # noqa: E402
from domain.shared.models import AccountAssignment, ChatGPTAccount, Order, Product  # noqa: E402
from infra import db  # noqa: E402
from infra.types import utcnow  # noqa: E402
from runtime.jobs import release_expired  # noqa: E402


def seed(engine: sa.Engine, count: int) -> None:
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
                    "delivery": "CREDENTIALS",
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
                    "status": "ACTIVE",
                    "start_at": start,
                    "end_at": end,
                    **stamps,
                }
                for i, oid in enumerate(order_ids)
            ],
        )


def measure(name: str, url: str, count: int) -> None:
    db.upgrade_database(url)
    engine = db.configure(url)
    seed(engine, count)
    table = AccountAssignment.__table__  # type: ignore[attr-defined]
    started = time.perf_counter()
    with engine.begin() as conn:  # the floor: one statement, no seats freed, no audit, no mail
        conn.execute(sa.update(table).where(table.c.status == "ACTIVE").values(status="EXPIRED"))
        conn.rollback()
    baseline = time.perf_counter() - started
    started = time.perf_counter()
    detail = release_expired(now=utcnow())
    elapsed = time.perf_counter() - started
    with engine.connect() as conn:
        left = conn.execute(sa.select(sa.func.count()).where(table.c.status == "ACTIVE")).scalar_one()
    print(
        f"{name}: {detail} in {elapsed:.2f} s ({elapsed / count * 1000:.2f} ms each, {count / elapsed:.0f}/s); "
        f"bare UPDATE of the same rows {baseline:.3f} s; job/bare x{elapsed / baseline:.0f}; still ACTIVE: {left}"
    )
    engine.dispose()


def main() -> None:
    parser = bench_parser(__doc__)
    parser.add_argument("--assignments", type=int, default=10_000)
    args = parser.parse_args()
    for name, url in each_database():
        measure(f"{name:<10}", url, args.assignments)


if __name__ == "__main__":
    main()
