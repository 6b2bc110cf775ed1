"""Admin pages at scale: the database work behind each page's first render and behind each audit-log
filter or page change, on a large seeded shop (bench/seed_large.py), SQLite and PostgreSQL.

    python bench/admin.py [--runs 5] [--small]     (--small: 1/10 of the data, for a quick look)

Prints the median of `--runs` timings per query; the target is under 1 s each. The NiceGUI rendering
on top is the same few elements whatever the data size (a page of 25–50 rows).
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DATA_DIR", tempfile.mkdtemp(prefix="aksesgpt-bench-"))


from bench.databases import bench_parser, each_database  # noqa: E402
from bench.seed_large import seed  # noqa: E402
from domain.admin.dashboard import overview  # noqa: E402
from domain.admin.invariants import check_invariants  # noqa: E402
from domain.admin.listing import accounts_page, assignments_page, audit_page, events_page, orders_page  # noqa: E402
from infra import db  # noqa: E402
from infra.types import utcnow  # noqa: E402

QUERIES = {
    "overview (first render, no invariants)": lambda s: overview(session=s, with_invariants=False),
    "invariants check (after first render)": lambda s: check_invariants(session=s),
    "accounts page 1": lambda s: accounts_page(session=s),
    "accounts search 'acct0042'": lambda s: accounts_page(session=s, search="acct0042"),
    "assignments page 1": lambda s: assignments_page(session=s),
    "assignments ending <= 7 days": lambda s: assignments_page(session=s, ending_within_days=7),
    "orders page 1": lambda s: orders_page(session=s),
    "orders status=fulfilled page 3": lambda s: orders_page(session=s, status="fulfilled", page=3),
    "audit page 1": lambda s: audit_page(session=s),
    "audit page 200": lambda s: audit_page(session=s, page=200),
    "audit actor=scheduler": lambda s: audit_page(session=s, actor="scheduler"),
    "audit action=assignment.": lambda s: audit_page(session=s, action="assignment."),
    "audit entity order #4242": lambda s: audit_page(session=s, entity="order", entity_id=4242),
    "audit last 7 days": lambda s: audit_page(session=s, since=utcnow() - __import__("datetime").timedelta(days=7)),
    "webhooks page 1": lambda s: events_page(session=s),
}


def measure(name: str, url: str, runs: int, scale: int) -> None:
    seed(url, 5000 // scale, 100_000 // scale, 1_000_000 // scale)
    engine = db.configure(url)
    print(f"{name}: median of {runs} runs (target < 1000 ms)")
    for label, query in QUERIES.items():
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            with db.read_session() as session:
                query(session)
            times.append((time.perf_counter() - started) * 1000)
        print(f"  {label:<42} {statistics.median(times):8.1f} ms")
    engine.dispose()


def main() -> None:
    parser = bench_parser(__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--small", action="store_true")
    args = parser.parse_args()
    scale = 10 if args.small else 1
    for name, url in each_database():
        measure(name, url, args.runs, scale)


if __name__ == "__main__":
    main()
