"""Webhook throughput and latency: signed Tripay PAID callbacks at the running app, over HTTP.

    python bench/webhook.py [--levels 1,16,64] [--seconds 5] [--client wrk|httpx]

Starts the app (main.py) and the payment simulator as subprocesses, on a fresh SQLite file and then,
when TEST_DATABASE_URL is set, on a throw-away PostgreSQL schema. Seeds enough orders and seats,
then at each concurrency level fires signed PAID callbacks, one per order (every one allocates a
seat), and, as the ceiling, requests at POST /callback/ping, which answers {"success": true} and does
nothing. Prints throughput and p50/p95/p99 latency for both and the ratio, and the ping's throughput through the
pages' middleware stack too (`/_bench/ping`, BENCH_PAGES=1), the ceiling as it was when the payments issue
was filed, before the machine lane.

The load generator shares the machine's 2 cores with the app. `wrk` (Debian package, C) is used when
installed, since a Python client costs about as much CPU as the server it measures; `--client httpx`
forces the pure-Python client.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DATA_DIR", tempfile.mkdtemp(prefix="aksesgpt-bench-"))

import httpx  # noqa: E402

from bench.databases import bench_parser, each_database, stop_stack  # noqa: E402
from domain.catalog.pool import add_account  # noqa: E402
from domain.catalog.products import create_product  # noqa: E402
from domain.orders.orders import create_order  # noqa: E402
from domain.payments.checkout import attach_checkout
from domain.payments.gateway import Checkout  # noqa: E402
from infra import db  # noqa: E402
from tests.helpers import tripay_callback  # noqa: E402
from tests.live import start_stack  # noqa: E402


def seed(count: int) -> list[tuple[str, str, int]]:
    """A package, 10-seat accounts for every order, and `count` orders with a Tripay reference."""

    def work(s):
        create_product(session=s, actor="bench", slug="bench", name="Bench", price_idr=79_000, duration_days=30)
        for i in range(count // 10 + 1):
            add_account(session=s, actor="bench", email=f"acct{i}@bench.invalid", password="pw", max_seats=10)
        out = []
        for i in range(count):
            order, _ = create_order(
                session=s, product_slug="bench", email=f"c{i}@bench.invalid", name="C", phone="081234567890"
            )
            ref = f"DEV-T{uuid.uuid4().hex[:12]}"
            attach_checkout(
                session=s,
                order_id=order.id,
                actor="bench",
                checkout=Checkout(provider="tripay", reference=ref, method="QRIS", checkout_url="http://x"),
            )
            out.append((order.code, ref, order.amount_idr))
        return out

    return db.in_transaction(work)


def paid_callback(code: str, ref: str, amount: int, key: str) -> tuple[bytes, dict[str, str]]:
    return tripay_callback(reference=ref, merchant_ref=code, amount=amount, key=key, paid_at=int(time.time()))


def server_timing(value: str | None) -> float | None:
    """The app's own duration from a `Server-Timing: app;dur=…` header."""
    if not value or "dur=" not in value:
        return None
    return float(value.split("dur=", 1)[1].split(";", 1)[0].split(",", 1)[0])


async def fire(
    url: str, requests: list[tuple[bytes, dict]], concurrency: int
) -> tuple[float, list[float], list[float]]:
    """Requests per second, client latencies and the app's own (Server-Timing) latencies, in ms."""
    limit = asyncio.Semaphore(concurrency)
    latencies: list[float] = []
    inside: list[float] = []
    async with httpx.AsyncClient(timeout=60, limits=httpx.Limits(max_connections=concurrency)) as client:

        async def one(raw: bytes, headers: dict) -> None:
            async with limit:
                started = time.perf_counter()
                response = await client.post(url, content=raw, headers=headers)
                latencies.append((time.perf_counter() - started) * 1000)
                app_ms = server_timing(response.headers.get("server-timing"))
                if app_ms is not None:
                    inside.append(app_ms)
                if response.json() != {"success": True}:
                    raise RuntimeError(f"unexpected reply {response.status_code} {response.text}")

        started = time.perf_counter()
        await asyncio.gather(*(one(raw, headers) for raw, headers in requests))
        return len(requests) / (time.perf_counter() - started), latencies, inside


def batch_figures(app_url: str) -> tuple[float, float, float]:
    """The callback writer's counters from /metrics: batches, callbacks in them, batches replayed."""
    text = httpx.get(f"{app_url}/metrics", timeout=10).text
    values = {"aksesgpt_callback_batch_size_count": 0.0, "aksesgpt_callback_batch_size_sum": 0.0}
    values["aksesgpt_callback_batch_replays_total"] = 0.0
    for line in text.splitlines():
        name, _, value = line.partition(" ")
        if name in values:
            values[name] = float(value)
    return (
        values["aksesgpt_callback_batch_size_count"],
        values["aksesgpt_callback_batch_size_sum"],
        values["aksesgpt_callback_batch_replays_total"],
    )


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def pct(values: list[float], p: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(p) - 1]


def wrk(
    url: str, lines: list[str], concurrency: int, seconds: float, workdir: Path, pid: int, cookie: str = ""
) -> tuple[float, dict]:
    """Requests per second and latency percentiles measured by wrk over pre-signed requests, and the
    app's own CPU time per request (a figure other load on the machine barely moves). `cookie` goes
    with every request."""
    path = workdir / f"requests-{concurrency}.txt"
    path.write_text("\n".join(lines) + "\n")
    threads = min(2, concurrency)
    cpu_before = cpu_seconds(pid)
    result = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{concurrency}",
            f"-d{seconds:g}s",
            "--timeout",
            "10s",
            "-s",
            str(Path(__file__).with_name("wrk_callbacks.lua")),
            url,
            "--",
            str(path),
            str(threads),
            cookie,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    summary["cpu_ms"] = (cpu_seconds(pid) - cpu_before) * 1000 / max(summary["requests"], 1)
    return summary["requests"] / (summary["duration_us"] / 1e6), summary


def run(name: str, db_url: str, levels: list[int], seconds: float, client: str, per_level: int) -> None:
    db.upgrade_database(db_url)
    db.configure(db_url)
    orders = seed(per_level * len(levels))
    workdir = Path(tempfile.mkdtemp(prefix="aksesgpt-bench-stack-"))
    stack = start_stack(db_url, workdir, midtrans=False, extra_env={"BENCH_PAGES": "1"})
    key = stack.credentials["TRIPAY_PRIVATE_KEY"]
    webhook_url, bare_url = f"{stack.app_url}/callback/tripay", f"{stack.app_url}/callback/ping"
    stack_url = f"{stack.app_url}/_bench/ping"  # the same answer through the pages' middleware stack
    app_pid = stack.processes[-1].popen.pid
    try:
        asyncio.run(fire(bare_url, [(b"{}", {})] * 50, 8))  # warm up
        # the page stack's ping goes with one session cookie, as a browser's requests do: without it NiceGUI
        # opens a user storage per request (kept until its next prune), and those thousands of objects
        # lengthened the collector's pauses during the next level's webhook measurement
        session = httpx.post(stack_url).cookies.get("session")
        stack_cookie = f"session={session}" if session else ""
        print(
            f"{name}: client {client}, {seconds:g} s per measurement"
            if client == "wrk"
            else f"{name}: client {client}, {per_level} requests per measurement"
        )
        print(
            "  conc | webhook req/s  p50 ms  p95 ms  p99 ms | bare req/s  p50 ms  p95 ms  p99 ms | webhook/bare"
            + (" | app CPU ms/req: webhook  bare" if client == "wrk" else "")
        )
        for index, level in enumerate(levels):
            batches_before = batch_figures(stack.app_url)
            batch = [paid_callback(*o, key) for o in orders[index * per_level : (index + 1) * per_level]]
            if client == "wrk":
                lines = [f"{h['X-Callback-Signature']}\t{raw.decode()}" for raw, h in batch]
                rate, hook = wrk(webhook_url, lines, level, seconds, workdir, app_pid)
                bare_rate, bare = wrk(bare_url, ["\t{}"], level, seconds, workdir, app_pid)
                stack_rate, _ = wrk(stack_url, ["\t{}"], level, seconds, workdir, app_pid, stack_cookie)
                if hook["requests"] > len(batch) or hook["non2xx"] or hook["errors"]:
                    raise RuntimeError(f"webhook run not clean: {hook} for {len(batch)} orders")
                stats = [hook["p50_ms"], hook["p95_ms"], hook["p99_ms"], bare["p50_ms"], bare["p95_ms"], bare["p99_ms"]]
                cpu = f" | {hook['cpu_ms']:6.2f} {bare['cpu_ms']:6.2f}"
                app = (hook["app_count"], hook["app_p50_ms"], hook["app_p95_ms"], hook["app_p99_ms"])
            else:
                rate, lat, inside = asyncio.run(fire(webhook_url, batch, level))
                bare_rate, blat, _ = asyncio.run(fire(bare_url, [(b"{}", {})] * per_level, level))
                stack_rate, _, _ = asyncio.run(fire(stack_url, [(b"{}", {})] * per_level, level))
                stats = [pct(lat, 50), pct(lat, 95), pct(lat, 99), pct(blat, 50), pct(blat, 95), pct(blat, 99)]
                cpu = ""
                app = (len(inside), *(pct(inside, p) if len(inside) > 1 else -1.0 for p in (50, 95, 99)))
            print(
                f"  {level:4d} | {rate:12.1f} {stats[0]:7.1f} {stats[1]:7.1f} {stats[2]:7.1f} | "
                f"{bare_rate:10.1f} {stats[3]:7.1f} {stats[4]:7.1f} {stats[5]:7.1f} | {rate / bare_rate:11.0%}{cpu}"
            )
            if app[0]:
                print(
                    f"         in the app, callback received -> seat and event committed (Server-Timing, {app[0]} "
                    f"answers): p50 {app[1]:.1f} ms, p95 {app[2]:.1f} ms, p99 {app[3]:.1f} ms"
                )
            print(
                f"         the same ping through the pages' middleware stack (the ceiling as the payments issue "
                f"was filed): {stack_rate:.1f} req/s; webhook/that: {rate / stack_rate:.0%}"
            )
            batches, callbacks, replays = (
                a - b for a, b in zip(batch_figures(stack.app_url), batches_before, strict=True)
            )
            if batches:
                print(
                    f"         callback writer: {batches:.0f} transactions, {callbacks / batches:.1f} callbacks each "
                    f"on average, {replays:.0f} replayed one by one"
                )
    finally:
        stop_stack(stack, workdir)


def main() -> None:
    parser = bench_parser(__doc__)
    parser.add_argument("--levels", default="1,16,64")
    parser.add_argument("--seconds", type=float, default=5.0, help="duration of each wrk measurement")
    parser.add_argument("--requests", type=int, default=300, help="requests per measurement with --client httpx")
    parser.add_argument("--client", choices=["wrk", "httpx"], default="wrk" if shutil.which("wrk") else "httpx")
    parser.add_argument("--databases", default="sqlite,postgresql", help="which of sqlite,postgresql to measure")
    args = parser.parse_args()
    levels = [int(x) for x in args.levels.split(",")]
    # wrk runs for a duration: give it more orders than it can pay in that time (no callback is sent twice)
    per_level = int(args.seconds * 1600) if args.client == "wrk" else args.requests
    options = dict(levels=levels, seconds=args.seconds, client=args.client, per_level=per_level)
    for name, url in each_database():
        if name in args.databases.split(","):
            run(name, url, **options)
    shutil.rmtree(os.environ["DATA_DIR"], ignore_errors=True)


if __name__ == "__main__":
    main()
