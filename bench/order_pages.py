"""Open order pages: the app's memory with many customers watching, and how soon a page shows "paid".

    python bench/order_pages.py [--pages 200] [--paid-orders 10000]

Starts the app and the simulator (SQLite file; PostgreSQL too when TEST_DATABASE_URL is set), then:
1. RSS of the app process when idle;
2. opens `--pages` unpaid order pages in Chromium (Playwright, Debian's chromium) and reads the RSS
   with all of them connected;
3. pays those orders with signed Tripay PAID callbacks, one every 50 ms, while each page records (in
   the browser, with a MutationObserver) the moment it shows the access details; prints the
   median/p95/max of callback answered -> page showing the seat;
4. closes the pages, pays `--paid-orders` more orders through the callback route with wrk, and reads
   the RSS again.
"""

from __future__ import annotations

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
import sqlalchemy as sa  # noqa: E402

from bench.databases import bench_parser, each_database, stop_stack  # noqa: E402
from bench.webhook import cpu_seconds, paid_callback, wrk  # noqa: E402
from domain.catalog.pool import add_account  # noqa: E402
from domain.catalog.products import create_product  # noqa: E402
from domain.orders.orders import create_order  # noqa: E402
from domain.payments.checkout import attach_checkout
from domain.payments.gateway import Checkout  # noqa: E402
from infra import db  # noqa: E402
from tests.live import start_stack  # noqa: E402

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or ""
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking"]
# records (browser clock) when the page first shows the pooled account's login (acctN@bench.invalid)
WATCH = """() => {
  window.__paidAt = null;
  const shown = () => /acct\\d+@bench\\.invalid/.test(document.body.innerText);
  const check = () => { if (window.__paidAt === null && shown()) window.__paidAt = Date.now(); };
  new MutationObserver(check).observe(document.body, {childList: true, subtree: true, characterData: true});
  check();
}"""


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def seed(count: int) -> list[tuple[str, str, int, str]]:
    """A package, enough one-seat-per-customer capacity, and `count` unpaid orders with their links."""

    def work(s):
        create_product(session=s, actor="bench", slug="bench", name="Bench", price_idr=79_000, duration_days=30)
        for i in range(count // 50 + 1):
            add_account(session=s, actor="bench", email=f"acct{i}@bench.invalid", password="pw", max_seats=50)
        out = []
        for i in range(count):
            order, token = create_order(
                session=s, product_slug="bench", email=f"c{i}@bench.invalid", name="C", phone="081234567890"
            )
            ref = f"DEV-T{secrets.token_hex(6)}"
            checkout = Checkout(provider="tripay", reference=ref, method="QRIS", checkout_url="http://x")
            attach_checkout(session=s, order_id=order.id, actor="bench", checkout=checkout)
            out.append((order.code, ref, order.amount_idr, token))
        return out

    return db.in_transaction(work)


def run(name: str, db_url: str, pages: int, paid_orders: int, seconds: float) -> None:
    from playwright.sync_api import sync_playwright

    db.upgrade_database(db_url)
    db.configure(db_url)
    orders = seed(pages + paid_orders)
    workdir = Path(tempfile.mkdtemp(prefix="aksesgpt-bench-pages-"))
    stack = start_stack(db_url, workdir, midtrans=False)
    pid, key = stack.processes[-1].popen.pid, stack.credentials["TRIPAY_PRIVATE_KEY"]
    try:
        time.sleep(2)
        idle = rss_mb(pid)
        watched = orders[:pages]
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
            contexts = [browser.new_context() for _ in range(max(1, pages // 50))]
            tabs = []
            for i, (code, _, _, token) in enumerate(watched):
                tab = contexts[i % len(contexts)].new_page()
                tab.goto(f"{stack.app_url}/order/{code}?t={token}")
                tab.get_by_text(code).first.wait_for()
                tab.evaluate(WATCH)
                tabs.append(tab)
            time.sleep(3)
            with_pages = rss_mb(pid)
            cpu_before = cpu_seconds(pid)
            time.sleep(10)
            watching_cpu = (cpu_seconds(pid) - cpu_before) / 10  # share of one core, pages open and waiting
            answered: list[float] = []
            for code, ref, amount, _ in watched:
                raw, headers = paid_callback(code, ref, amount, key)
                response = httpx.post(f"{stack.app_url}/callback/tripay", content=raw, headers=headers, timeout=30)
                answered.append(time.time() * 1000)
                assert response.json() == {"success": True}, response.text
                time.sleep(0.05)
            delays: list[float] = []
            deadline = time.monotonic() + 30
            for tab, sent in zip(tabs, answered, strict=True):
                while (shown := tab.evaluate("window.__paidAt")) is None and time.monotonic() < deadline:
                    time.sleep(0.05)
                delays.append(((shown or float("inf")) - sent) / 1000)
            browser.close()
        time.sleep(3)
        after_close = rss_mb(pid)
        signed = (paid_callback(*o[:3], key) for o in orders[pages:])
        lines = [f"{h['X-Callback-Signature']}\t{raw.decode()}" for raw, h in signed]
        wrk(f"{stack.app_url}/callback/tripay", lines, 16, seconds, workdir, pid)
        with db.get_engine().connect() as conn:
            paid = conn.execute(sa.text("SELECT count(*) FROM orders WHERE status = 'fulfilled'")).scalar()
        after_orders = rss_mb(pid)
        ordered = sorted(delays)
        p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
        print(
            f"{name}: app RSS idle {idle:.0f} MB; with {pages} order pages open {with_pages:.0f} MB "
            f"(app CPU while they wait: {watching_cpu:.0%} of a core); "
            f"pages closed {after_close:.0f} MB; after {paid} paid orders {after_orders:.0f} MB"
        )
        print(
            f"{name}: callback answered -> open order page shows the seat ({len(delays)} pages): "
            f"median {statistics.median(delays):.2f} s, p95 {p95:.2f} s, max {max(delays):.2f} s"
        )
    finally:
        stop_stack(stack, workdir)


def main() -> None:
    parser = bench_parser(__doc__)
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--paid-orders", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=120, help="longest wrk run for the paid orders")
    args = parser.parse_args()
    if not CHROMIUM or not shutil.which("wrk"):
        sys.exit("needs Debian's chromium and wrk (apt-get install chromium wrk)")
    for name, url in each_database():
        run(name, url, args.pages, args.paid_orders, args.seconds)
    shutil.rmtree(os.environ["DATA_DIR"], ignore_errors=True)


if __name__ == "__main__":
    main()
