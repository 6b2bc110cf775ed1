"""Open order pages by push (the change feed) against the old polling, in the same run.

    python bench/live_pages.py --old-root /tmp/aksesgpt-old [--pages 100 1000] [--payments 40]

`--old-root` is a checkout of the commit before the change feed (2b774c5: order pages poll once a second);
make one with `git worktree add /tmp/aksesgpt-old 2b774c5`. Each version runs as `make run` does (its own
main.py, SQLite, demo shop, built-in payment sandbox), in a fresh data folder, on its own port. Then, for each
number of pages:
1. places that many orders through the order API and opens each order page like a browser would: a GET of the
   page (its session cookie kept), then a socket.io connection with the page's client id and an implicit
   handshake, as NiceGUI's own script connects (python-socketio over a WebSocket; 1,000 Chromium tabs do not fit
   in this machine's memory);
2. app CPU with all of them connected and idle: three 10-second windows, median, as a share of one core;
3. app RSS with them open;
4. pays `--payments` of the watched orders through the sandbox (which sends the signed callback), one every
   250 ms, and times from the pay request to the first update NiceGUI pushes to that page's socket: the server
   side of "the page shows the seat" (the browser's drawing is not in it).
"""

from __future__ import annotations

import argparse
import ast
import asyncio
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
import socketio

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.order_pages import rss_mb  # noqa: E402
from bench.webhook import cpu_seconds, pct  # noqa: E402
from tests.live import free_port  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
WAIT_SECONDS = 10.0  # a page not updated this long after its payment counts as not seen
QUERY = re.compile(r"query: (\{.*?\}),\n")


class Page:
    """One open order page: its HTTP session and its socket, recording when NiceGUI pushes to it."""

    def __init__(self, base: str, link: str) -> None:
        self.base, self.link = base, link
        self.pushes: list[float] = []
        self.sio = socketio.AsyncClient(reconnection=False)
        self.sio.on("*", self._any)

    async def _any(self, event: str, *_args: object) -> None:
        self.pushes.append(time.monotonic())

    async def open(self, http: httpx.AsyncClient) -> None:
        for attempt in range(5):  # (the old polling app at 1,000 pages drops a request now and then)
            try:
                response = await http.get(self.link)
                break
            except httpx.TransportError:
                if attempt == 4:
                    raise
                await asyncio.sleep(1)
        response.raise_for_status()
        match = QUERY.search(response.text)
        assert match, "no socket query in the page"
        query = ast.literal_eval(match.group(1))  # (NiceGUI writes the query as a Python dict)
        query.update({"document_id": str(uuid.uuid4()), "tab_id": str(uuid.uuid4()), "old_tab_id": "null"})
        query = {k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in query.items()}
        cookie = "; ".join(f"{k}={v}" for k, v in http.cookies.items())
        url = self.base + "/?" + "&".join(f"{k}={v}" for k, v in query.items())
        await self.sio.connect(
            url,
            socketio_path="/_nicegui_ws/socket.io",
            transports=["websocket"],
            headers={"Cookie": cookie} if cookie else {},
            wait_timeout=30,
        )


def start_app(
    root: Path, folder: Path, *, command: list[str] | None = None, extra_env: dict[str, str] | None = None
) -> tuple[subprocess.Popen[bytes], str]:
    """A version's app as `make run` starts it (its own main.py, or `command` run in its folder), in `folder`."""
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "TEST_DATABASE_URL"))},
        "DATA_DIR": str(folder),
        "PORT": str(port),
        "DEMO_DATA": "1",
        "ORDER_RATE_LIMIT_PER_MINUTE": "100000",
        "SCHEDULER_ENABLED": "0",
        "LOG_LEVEL": "WARNING",
        **(extra_env or {}),
    }
    log = (folder / "app.log").open("wb")
    command = command or [sys.executable, str(root / "main.py")]
    process = subprocess.Popen(command, cwd=root, env=env, stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return process, base
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"the app at {root} did not start: {(folder / 'app.log').read_text()[-2000:]}")


async def place(http: httpx.AsyncClient, base: str, i: int) -> dict:
    body = {
        "customer_email": f"c{i}-{uuid.uuid4().hex[:6]}@bench.invalid",
        "package_id": "paket-30-hari",
        "full_name": "Pembeli",
        "phone_number": "081234567890",
        "payment_method": "QRIS",
    }
    response = await http.post(f"{base}/api/orders", json=body)
    assert response.status_code == 201, response.text
    return response.json()


async def measure(root: Path, pages: int, payments: int) -> dict[str, float]:
    folder = Path(tempfile.mkdtemp(prefix="aksesgpt-bench-live-"))
    process, base = start_app(root, folder)
    out: dict[str, float] = {}
    opened: list[Page] = []
    try:
        limits = httpx.Limits(max_connections=50)
        async with httpx.AsyncClient(timeout=60, limits=limits) as api:
            orders = []
            for start in range(0, pages, 50):
                orders += await asyncio.gather(*(place(api, base, i) for i in range(start, min(pages, start + 50))))
        out["rss_idle_mb"] = rss_mb(process.pid)
        for start in range(0, pages, 25):
            batch = []
            for order in orders[start : start + 25]:
                link = order["status_url"].replace(order["status_url"].split("/order/")[0], base)
                page = Page(base, link)
                http = httpx.AsyncClient(timeout=60)
                batch.append((page, http))
            await asyncio.gather(*(page.open(http) for page, http in batch))
            for page, http in batch:
                await http.aclose()
                opened.append(page)
        await asyncio.sleep(5)  # settled
        windows = []
        for _ in range(3):
            before, t0 = cpu_seconds(process.pid), time.monotonic()
            await asyncio.sleep(10)
            windows.append((cpu_seconds(process.pid) - before) / (time.monotonic() - t0))
        out["cpu_idle_pct"] = 100 * statistics.median(windows)
        out["rss_open_mb"] = rss_mb(process.pid)
        delays = []
        async with httpx.AsyncClient(timeout=30) as control:
            for page, order in list(zip(opened, orders, strict=True))[:payments]:
                page.pushes.clear()
                sent = time.monotonic()
                response = await control.post(f"{base}/sandbox/_control/transactions/{order['reference']}/pay")
                response.raise_for_status()
                while not page.pushes and time.monotonic() - sent < WAIT_SECONDS:
                    await asyncio.sleep(0.005)
                if page.pushes:
                    delays.append(page.pushes[0] - sent)
                else:
                    out["not_seen"] = out.get("not_seen", 0) + 1
                await asyncio.sleep(0.25)
        out["paid_seen"] = len(delays)
        if len(delays) >= 2:
            out["push_median_ms"] = 1000 * statistics.median(delays)
            out["push_p95_ms"] = 1000 * pct(delays, 95)
    finally:
        await asyncio.gather(*(page.sio.disconnect() for page in opened), return_exceptions=True)
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--old-root", type=Path, help="a checkout of the polling version (2b774c5)")
    parser.add_argument("--pages", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--payments", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=1, help="runs of each (the last rows: medians)")
    parser.add_argument("--only-old", action="store_true", help="measure the old version only")
    args = parser.parse_args()
    versions = [] if args.only_old else [("push (this checkout)", ROOT)]
    versions += [("poll (old)", args.old_root)] if args.old_root else []
    print("| version | pages | app CPU idle (% of a core) | RSS idle → open (MB) | payment → push median / p95 |")
    print("|---|---|---|---|---|")
    medians = []
    for pages in args.pages:
        for name, root in versions:
            runs = []
            for _ in range(args.repeat):
                r = asyncio.run(measure(root, pages, args.payments))
                runs.append(r)
                print(row(name, pages, r), flush=True)
            if args.repeat > 1:
                keys = set.intersection(*(set(r) for r in runs))
                medians.append(
                    row(
                        f"**median of {args.repeat}**: {name}",
                        pages,
                        {k: statistics.median(r[k] for r in runs) for k in keys},
                    )
                )
    for line in medians:
        print(line)


def row(name: str, pages: int, r: dict[str, float]) -> str:
    push = (
        f"{r['push_median_ms']:.0f} / {r['push_p95_ms']:.0f} ms ({int(r['paid_seen'])} seen"
        + (f", {int(r['not_seen'])} not within {WAIT_SECONDS:.0f} s)" if r.get("not_seen") else ")")
        if "push_p95_ms" in r
        else "-"
    )
    return f"| {name} | {pages} | {r['cpu_idle_pct']:.1f} | {r['rss_idle_mb']:.0f} → {r['rss_open_mb']:.0f} | {push} |"


if __name__ == "__main__":
    main()
