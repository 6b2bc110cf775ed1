"""Page render budget: GET / and an order page against a bare NiceGUI page of the same app.

    python bench/pages.py [--seconds 4] [--levels 1,16] [--repeat 1] [--shared-process]

Starts main.py (SQLite file, demo data, BENCH_PAGES=1 for the bare page at /_bench/bare) and the payment
simulator, places one order through the API, then measures each page with wrk (Debian package) at each
concurrency level: requests/s, p50/p95/p99, the app's CPU time per request (Linux) and each page's
throughput as a share of the bare page's. Target from the shop issue: at least 50 % of the bare page.

Each measurement gets a freshly started app. wrk never opens the websocket, so every request leaves a
NiceGUI client behind that lives 60 s (until NiceGUI prunes it) and wakes ten times a second meanwhile:
in one long-lived process each page would pay for the clients the pages measured before it left.
--shared-process measures everything in one process, as the first version of this script did.
--repeat N measures every page N times, in turns (bare, home, order, bare, ...) so that other load on the
machine falls on all of them alike, and prints the median of each.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DATA_DIR", tempfile.mkdtemp(prefix="aksesgpt-bench-"))

import httpx  # noqa: E402

from bench.databases import bench_parser  # noqa: E402
from tests.live import Stack, start_stack  # noqa: E402

WARM_UP_REQUESTS = 20


def app_cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process so far (None where /proc is not there)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wrk(url: str, concurrency: int, seconds: float, pid: int) -> dict:
    cpu_before = app_cpu_seconds(pid)
    result = subprocess.run(
        [
            "wrk",
            f"-t{min(2, concurrency)}",
            f"-c{concurrency}",
            f"-d{seconds:g}s",
            "--timeout",
            "10s",
            "-s",
            str(Path(__file__).with_name("wrk_get.lua")),
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    cpu_after = app_cpu_seconds(pid)
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    summary["rate"] = summary["requests"] / (summary["duration_us"] / 1e6)
    summary["cpu_ms"] = (
        1000 * (cpu_after - cpu_before) / summary["requests"] if cpu_before is not None and cpu_after else None
    )
    if summary["non2xx"] or summary["errors"]:
        raise RuntimeError(f"{url}: {summary}")
    return summary


class App:
    """The app under test, restarted on demand; paths stay valid across restarts (same database and secrets)."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.stack: Stack | None = None

    def start(self) -> str:
        self.stop()
        self.stack = start_stack(
            f"sqlite:///{self.workdir / 'pages.db'}",
            self.workdir,
            midtrans=False,
            extra_env={"DEMO_DATA": "1", "BENCH_PAGES": "1"},
        )
        return self.stack.app_url

    @property
    def pid(self) -> int:
        assert self.stack is not None
        return self.stack.processes[-1].popen.pid

    def stop(self) -> None:
        if self.stack is not None:
            self.stack.stop()
            self.stack = None


def main() -> None:
    parser = bench_parser(__doc__)
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--levels", default="1,16")
    parser.add_argument("--repeat", type=int, default=1, help="measurements per page (median printed)")
    parser.add_argument("--shared-process", action="store_true", help="measure every page in one app process")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("bench/pages.py needs wrk: apt-get install wrk")
    workdir = Path(tempfile.mkdtemp(prefix="aksesgpt-bench-pages-"))
    app = App(workdir)
    try:
        base = app.start()
        order = httpx.post(
            f"{base}/api/orders",
            json={
                "customer_email": "bench@example.com",
                "package_id": "paket-30-hari",
                "full_name": "Bench",
                "phone_number": "081234567890",
                "payment_method": "QRIS",
            },
            timeout=30,
        ).json()
        status = urlsplit(order["status_url"])
        paths = {"bare": "/_bench/bare", "home": "/", "order (QR)": f"{status.path}?{status.query}"}
        mode = "one app process for all" if args.shared_process else "a fresh app process per measurement"
        runs = f", median of {args.repeat} runs taken in turns" if args.repeat > 1 else ""
        print(f"wrk, {args.seconds:g} s per measurement, {mode}{runs}, 2 cores shared by wrk and the app")
        print("  page        conc |   req/s  p50 ms  p95 ms  p99 ms | CPU ms/req | share of bare")
        for level in (int(x) for x in args.levels.split(",")):
            results: dict[str, list[dict]] = {name: [] for name in paths}
            for _ in range(args.repeat):
                for name, path in paths.items():
                    if not args.shared_process:
                        base = app.start()
                    for _ in range(WARM_UP_REQUESTS):
                        httpx.get(base + path, timeout=10).raise_for_status()
                    results[name].append(wrk(base + path, level, args.seconds, app.pid))
            bare_rate = statistics.median(r["rate"] for r in results["bare"])
            for name, runs_of_page in results.items():
                median = {
                    key: statistics.median(r[key] for r in runs_of_page)
                    for key in ("rate", "p50_ms", "p95_ms", "p99_ms")
                }
                cpus = [r["cpu_ms"] for r in runs_of_page if r["cpu_ms"] is not None]
                cpu = f"{statistics.median(cpus):10.2f}" if cpus else f"{'-':>10}"
                print(
                    f"  {name:<11} {level:4d} | {median['rate']:7.1f} {median['p50_ms']:7.1f} "
                    f"{median['p95_ms']:7.1f} {median['p99_ms']:7.1f} | {cpu} | {median['rate'] / bare_rate:12.0%}",
                    flush=True,
                )
    finally:
        app.stop()
        shutil.rmtree(workdir, ignore_errors=True)
        shutil.rmtree(os.environ["DATA_DIR"], ignore_errors=True)


if __name__ == "__main__":
    main()
