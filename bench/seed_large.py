"""Seed a large shop for the admin scale benchmark: 5,000 accounts, 100,000 orders, 1,000,000 audit entries.

    python bench/seed_large.py DATABASE_URL [--accounts 5000 --orders 100000 --audit 1000000]

Bulk inserts through SQLAlchemy Core into a migrated database (it migrates it first). The data is
consistent enough for the dashboard: fulfilled orders hold ACTIVE seats on accounts whose seat
counts match; the audit entries are spread over a year and over the actors and actions the shop writes.
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DATA_DIR", tempfile.mkdtemp(prefix="aksesgpt-bench-"))

import sqlalchemy as sa  # noqa: E402

from bench.databases import bench_parser  # noqa: E402
from domain.shared.models import AccountAssignment, AuditLog, ChatGPTAccount, Order, PaymentEvent, Product  # noqa: E402
from infra import db  # noqa: E402
from infra.types import utcnow  # noqa: E402

ACTIONS = [
    "order.create",
    "order.checkout",
    "order.fulfil",
    "assignment.create",
    "assignment.expire",
    "assignment.extend",
    "account.update",
    "order.expire",
]
ACTORS = ["customer", "tripay_webhook", "scheduler", "admin:owner@example.com", "api", "system"]


def chunks(rows, size: int = 5000):
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def seed(url: str, accounts: int, orders: int, audit: int) -> None:
    db.upgrade_database(url)
    engine = db.make_engine(url)
    rng = random.Random(7)
    now = utcnow()
    stamps = {"created_at": now, "updated_at": now}
    table = {m: m.__table__ for m in (Product, ChatGPTAccount, Order, AccountAssignment, AuditLog, PaymentEvent)}  # type: ignore[attr-defined]
    started = time.perf_counter()
    with engine.begin() as conn:
        product_id = conn.execute(
            sa.insert(table[Product]).returning(table[Product].c.id),
            [
                {
                    "slug": "paket-30-hari",
                    "name": "ChatGPT Plus 30 Hari",
                    "description": "",
                    "price_idr": 79000,
                    "duration_days": 30,
                    "pool": "default",
                    "is_active": True,
                    "is_popular": True,
                    "sort_order": 1,
                    **stamps,
                }
            ],
        ).scalar_one()
        active = min(orders // 2, accounts * 5)
        seats = [0] * accounts
        for i in range(active):
            seats[i % accounts] += 1
        conn.execute(
            sa.insert(table[ChatGPTAccount]),
            [
                {
                    "email": f"acct{i:05d}@pool.example",
                    "pool": "default",
                    "delivery": "CREDENTIALS",
                    "password_enc": "",
                    "note": f"batch {i // 100}",
                    "status": "ASSIGNED" if seats[i] == 5 else "AVAILABLE",
                    "max_seats": 5,
                    "seats_used": seats[i],
                    **stamps,
                }
                for i in range(accounts)
            ],
        )
    account_ids = []
    with engine.connect() as conn:
        account_ids = list(
            conn.execute(sa.select(table[ChatGPTAccount].c.id).order_by(table[ChatGPTAccount].c.id)).scalars()
        )
    statuses = ["fulfilled"] * active + rng.choices(
        ["payment_expired", "pending_payment", "payment_failed"], k=orders - active
    )
    for batch in chunks(range(orders)):
        with engine.begin() as conn:
            conn.execute(
                sa.insert(table[Order]),
                [
                    {
                        "code": f"AG-L{i:08d}",
                        "access_token_hash": f"{i:064d}",
                        "email": f"cust{i}@mail.example",
                        "name": "Pelanggan",
                        "phone": "+6281234567890",
                        "locale": "id",
                        "product_id": product_id,
                        "amount_idr": 79000,
                        "duration_days": 30,
                        "pool": "default",
                        "status": statuses[i],
                        "provider": "tripay",
                        "provider_reference": f"T{i:012d}",
                        "payment_method": "QRIS",
                        "paid_at": now - timedelta(days=rng.randint(0, 29)) if statuses[i] == "fulfilled" else None,
                        "created_at": now - timedelta(days=rng.randint(0, 365)),
                        "updated_at": now,
                    }
                    for i in batch
                ],
            )
    with engine.connect() as conn:
        order_ids = list(
            conn.execute(
                sa.select(table[Order].c.id).where(table[Order].c.status == "fulfilled").order_by(table[Order].c.id)
            ).scalars()
        )
    for batch in chunks(list(enumerate(order_ids))):
        with engine.begin() as conn:
            conn.execute(
                sa.insert(table[AccountAssignment]),
                [
                    {
                        "order_id": oid,
                        "chatgpt_account_id": account_ids[i % accounts],
                        "customer_email": f"cust{i}@mail.example",
                        "status": "ACTIVE",
                        "start_at": now - timedelta(days=5),
                        "end_at": now + timedelta(days=rng.randint(1, 30)),
                        **stamps,
                    }
                    for i, oid in batch
                ],
            )
    for batch in chunks(range(audit), 20000):
        with engine.begin() as conn:
            conn.execute(
                sa.insert(table[AuditLog]),
                [
                    {
                        "at": now - timedelta(minutes=rng.randint(0, 525600)),
                        "actor": rng.choice(ACTORS),
                        "action": rng.choice(ACTIONS),
                        "entity": "order",
                        "entity_id": rng.randint(1, orders),
                        "details": {"after": {"status": "fulfilled"}},
                        "ip": None,
                        **stamps,
                    }
                    for _ in batch
                ],
            )
    with engine.begin() as conn:
        conn.execute(
            sa.insert(table[PaymentEvent]),
            [
                {
                    "provider": "tripay",
                    "event_key": f"tripay:T{i:012d}:PAID",
                    "headers": {},
                    "raw_body": "{}",
                    "signature_valid": True,
                    "outcome": "applied",
                    "detail": "",
                    "latency_ms": rng.uniform(5, 40),
                    "order_id": None,
                    **stamps,
                }
                for i in range(2000)
            ],
        )
    engine.dispose()
    print(
        f"seeded {accounts} accounts, {orders} orders ({active} with seats), {audit} audit entries "
        f"in {time.perf_counter() - started:.0f} s"
    )


def main() -> None:
    parser = bench_parser(__doc__)
    parser.add_argument("url")
    parser.add_argument("--accounts", type=int, default=5000)
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--audit", type=int, default=1_000_000)
    args = parser.parse_args()
    seed(args.url, args.accounts, args.orders, args.audit)


if __name__ == "__main__":
    main()
