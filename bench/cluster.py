"""Scale-out on PostgreSQL: signed PAID callbacks through nginx to 1 app process, then to 2.

    TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test python bench/cluster.py [--seconds 5]

Starts the simulator and two app processes on one throw-away PostgreSQL schema with NiceGUI storage
in Redis, and two nginx instances serving deploy/nginx/aksesgpt-locations.conf: one in front of
process A only, one in front of A and B. At concurrency 64, wrk fires signed Tripay PAID callbacks
(one per order, every one allocating a seat) through each, and the bare POST /callback/ping as the
ceiling; prints throughput, latency and the 2-process/1-process ratio. Then, with an admin's overview
open on A in Chromium, pays orders on B and prints how long the overview took to show each payment.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DATA_DIR", tempfile.mkdtemp(prefix="aksesgpt-bench-"))

import httpx  # noqa: E402
import redis  # noqa: E402

from bench.databases import bench_parser, postgres_schema  # noqa: E402
from bench.webhook import paid_callback, seed, wrk  # noqa: E402
from infra import db  # noqa: E402
from tests.live import NGINX, start_nginx, start_stack  # noqa: E402

ADMIN = ("bench-owner@example.com", "bench-owner-password")
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or ""


def overview_latency(stack, app_a: str, app_b: str, orders: list[tuple[str, str, int]], key: str) -> list[float]:
    """Seconds from a PAID callback answered by B to the overview open on A showing the seat taken."""
    import re

    from playwright.sync_api import sync_playwright

    flags = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking"]
    delays: list[float] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=flags, headless=True)
        page = browser.new_page()
        page.goto(f"{app_a}/admin")
        page.get_by_label("E-mail").fill(ADMIN[0])
        page.get_by_label("Kata sandi").fill(ADMIN[1])
        page.get_by_role("button", name="Masuk").click()
        used = page.get_by_text(re.compile(r"\d+ dari \d+ kursi"))
        used.wait_for()
        for order in orders:
            before = used.inner_text()
            raw, headers = paid_callback(*order, key)
            started = time.perf_counter()
            assert httpx.post(f"{app_b}/callback/tripay", content=raw, headers=headers).json() == {"success": True}
            page.wait_for_function(
                "([el, before]) => el.innerText !== before", arg=[used.element_handle(), before], timeout=15_000
            )
            delays.append(time.perf_counter() - started)
            time.sleep(0.3)  # land at varied points of the overview's polling cycle
        browser.close()
    return delays


def main() -> None:
    parser = bench_parser(__doc__)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--samples", type=int, default=20, help="payments timed on the overview")
    args = parser.parse_args()
    pg = os.environ.get("TEST_DATABASE_URL")
    if not pg or not NGINX or not shutil.which("wrk"):
        sys.exit("needs TEST_DATABASE_URL (PostgreSQL), nginx and wrk (apt-get install nginx-light wrk)")
    with postgres_schema(pg) as url_text:
        run(url_text, args)
    shutil.rmtree(os.environ["DATA_DIR"], ignore_errors=True)


def run(url_text: str, args: argparse.Namespace) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="aksesgpt-bench-cluster-"))
    prefix = f"aksesgpt-bench-{secrets.token_hex(4)}:"
    shared = {"NICEGUI_REDIS_URL": "redis://127.0.0.1:6379/0", "NICEGUI_REDIS_KEY_PREFIX": prefix}
    per_run = int(args.seconds * 700)
    processes = []
    try:
        db.upgrade_database(url_text)
        db.configure(url_text)
        orders = seed(2 * per_run + args.samples)
        stack = start_stack(
            url_text,
            workdir,
            midtrans=False,
            extra_env={"ADMIN_EMAIL": ADMIN[0], "ADMIN_PASSWORD": ADMIN[1], **shared},
        )
        processes.append(stack)
        app_b, process_b = stack.add_app("app-b")
        pids = [stack.processes[-2].popen.pid, process_b.popen.pid]
        key = stack.credentials["TRIPAY_PRIVATE_KEY"]
        one_url, one = start_nginx(workdir, [stack.app_url], name="nginx-1")
        two_url, two = start_nginx(workdir, [stack.app_url, app_b], name="nginx-2")
        processes += [one, two]
        print(f"PostgreSQL, concurrency {args.concurrency}, {args.seconds:g} s per measurement, through nginx")
        print("  app processes | webhook req/s  p50 ms  p95 ms  p99 ms | bare req/s  p99 ms | webhook/bare")
        rates = {}
        for count, base, batch in ((1, one_url, orders[:per_run]), (2, two_url, orders[per_run : 2 * per_run])):
            lines = [
                f"{h['X-Callback-Signature']}\t{raw.decode()}" for raw, h in (paid_callback(*o, key) for o in batch)
            ]
            rate, hook = wrk(f"{base}/callback/tripay", lines, args.concurrency, args.seconds, workdir, pids[0])
            bare_rate, bare = wrk(f"{base}/callback/ping", ["\t{}"], args.concurrency, args.seconds, workdir, pids[0])
            if hook["requests"] > len(batch) or hook["non2xx"] or hook["errors"]:
                raise RuntimeError(f"webhook run not clean: {hook}")
            rates[count] = rate
            print(
                f"  {count:13d} | {rate:13.1f} {hook['p50_ms']:7.1f} {hook['p95_ms']:7.1f} {hook['p99_ms']:7.1f} | "
                f"{bare_rate:10.1f} {bare['p99_ms']:7.1f} | {rate / bare_rate:11.0%}"
            )
        print(f"  2 processes / 1 process: {rates[2] / rates[1]:.2f}x")
        if CHROMIUM:
            delays = overview_latency(stack, stack.app_url, app_b, orders[2 * per_run :], key)
            ordered = sorted(delays)
            p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
            median = statistics.median(delays)
            print(
                f"overview on A after a payment on B ({len(delays)} payments): median {median:.2f} s, "
                f"p95 {p95:.2f} s, max {max(delays):.2f} s"
            )
    finally:
        for process in reversed(processes):
            process.stop()
        db.get_engine().dispose()
        client = redis.Redis.from_url(shared["NICEGUI_REDIS_URL"])
        for key_name in client.scan_iter(f"{prefix}*"):
            client.delete(key_name)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
