"""Page render budget: GET / and an order page against a bare NiceGUI page of the same app.

    python bench/pages.py [--seconds 4] [--levels 1,16]

Starts main.py (fresh SQLite file, demo data, BENCH_PAGES=1 for the bare page at /_bench/bare) and the
payment simulator, places one order through the API, then measures each page with wrk (Debian
package) at each concurrency level: requests/s and p50/p95/p99, and each page's throughput as a
share of the bare page's. Target from the shop issue: at least 50 % of the bare page.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DATA_DIR", tempfile.mkdtemp(prefix="aksesgpt-bench-"))

import httpx  # noqa: E402

from tests.live import start_stack  # noqa: E402


def wrk(url: str, concurrency: int, seconds: float) -> dict:
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
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    summary["rate"] = summary["requests"] / (summary["duration_us"] / 1e6)
    if summary["non2xx"] or summary["errors"]:
        raise RuntimeError(f"{url}: {summary}")
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--levels", default="1,16")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("bench/pages.py needs wrk: apt-get install wrk")
    workdir = Path(tempfile.mkdtemp(prefix="aksesgpt-bench-pages-"))
    stack = start_stack(
        f"sqlite:///{workdir / 'pages.db'}", workdir, midtrans=False, extra_env={"DEMO_DATA": "1", "BENCH_PAGES": "1"}
    )
    try:
        order = httpx.post(
            f"{stack.app_url}/api/orders",
            json={
                "customer_email": "bench@example.com",
                "package_id": "paket-30-hari",
                "full_name": "Bench",
                "phone_number": "081234567890",
                "payment_method": "QRIS",
            },
            timeout=30,
        ).json()
        pages = {"bare": f"{stack.app_url}/_bench/bare", "home": f"{stack.app_url}/", "order (QR)": order["status_url"]}
        for url in pages.values():
            httpx.get(url, timeout=10).raise_for_status()
        print(f"wrk, {args.seconds:g} s per measurement, 2 cores shared by wrk and the app")
        print("  page        conc |   req/s  p50 ms  p95 ms  p99 ms | share of bare")
        for level in (int(x) for x in args.levels.split(",")):
            bare = wrk(pages["bare"], level, args.seconds)
            for name, url in pages.items():
                result = bare if name == "bare" else wrk(url, level, args.seconds)
                print(
                    f"  {name:<11} {level:4d} | {result['rate']:7.1f} {result['p50_ms']:7.1f} "
                    f"{result['p95_ms']:7.1f} {result['p99_ms']:7.1f} | {result['rate'] / bare['rate']:12.0%}"
                )
    finally:
        stack.stop()
        shutil.rmtree(workdir, ignore_errors=True)
        shutil.rmtree(os.environ["DATA_DIR"], ignore_errors=True)


if __name__ == "__main__":
    main()
