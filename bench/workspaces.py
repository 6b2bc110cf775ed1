"""Automated workspaces under load: 500 purchases over 20 simulated workspaces (100 ms per call, 5 % of calls
failing), from the first payment until every invitation is confirmed, and invitations sent per purchase.

    TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test .venv/bin/python bench/workspaces.py \
        [--purchases 500] [--workspaces 20] [--latency-ms 100] [--faults 0.05] [--runs 3]

The ChatGPT simulator runs as its own process (python -m integrations.chatgpt_sim). Payments are applied in this
process through the domain (`record_payment`, as a callback would, in 8 threads); the workspace work is done by
worker processes running the app's own workspace job (`WorkspaceWorker.run_tasks`, outside NiceGUI): one on
SQLite (the single-process setup), two on PostgreSQL (two app processes). Faults: while the run lasts, a thread
keeps the simulator's failed calls near the asked share by queueing one 500 or 429 (chosen at random) on a random
workspace (the driver retries them); ghosts are left out, since a ghost is meant to cost a second invitation.
The baseline is the same run with no faults. Figures: median of the runs; invitations per purchase is the
simulator's count of invitations created divided by the purchases (1.00 means exactly one each).
"""

from __future__ import annotations

import os
import random
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DATA_DIR", tempfile.mkdtemp(prefix="aksesgpt-bench-"))
os.environ.setdefault("APP_ENV", "development")

import httpx  # noqa: E402
import sqlalchemy as sa  # noqa: E402

from bench.databases import bench_parser, each_database  # noqa: E402
from infra import db  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
WORKER_ENV = {
    "CHATGPT_RATE_PER_MINUTE": "600",  # per workspace; the default (30) would make the limiter the whole story
    "CHATGPT_RETRY_BASE_S": "0.2",
    "WORKSPACE_CONFIRM_POLL_S": "1",
    "WORKSPACE_TASK_LEASE_S": "120",
    "WORKSPACE_WORKERS": "16",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_simulator(latency_ms: int) -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "integrations.chatgpt_sim", "--port", str(port), "--latency-ms", str(latency_ms)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            if httpx.get(f"{url}/_control/health", timeout=1).status_code == 200:
                return process, url
        except httpx.HTTPError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError("the ChatGPT simulator did not start")


def seed(url: str, sim: str, workspaces: int, seats: int) -> None:
    from domain.catalog.pool import add_account
    from domain.catalog.products import create_product
    from domain.shared.audit import SYSTEM

    db.upgrade_database(url)
    with db.write_session() as s:
        create_product(
            session=s, actor=SYSTEM, slug="team-bench", name="Team", price_idr=99_000, duration_days=30, pool="team"
        )
        for n in range(workspaces):
            workspace_id, token = f"bench-ws-{n}", f"at-{secrets.token_hex(8)}"
            body = {"workspace_id": workspace_id, "access_token": token, "seats": seats}
            httpx.post(f"{sim}/_control/workspaces", json=body, timeout=10).raise_for_status()
            add_account(
                session=s,
                actor=SYSTEM,
                email=f"owner-{n}@bench.invalid",
                pool="team",
                delivery="INVITE",
                driver="chatgpt",
                workspace_id=workspace_id,
                access_token=token,
                max_seats=seats,
            )


def buy(n: int) -> None:
    """A customer orders and pays (the PAID callback's domain call)."""
    from domain.orders.orders import create_order, record_payment

    email = f"buyer-{n}-{secrets.token_hex(3)}@example.com"
    with db.write_session() as s:
        order, _ = create_order(session=s, product_slug="team-bench", email=email, name="Bench", phone="081234567890")
        order_id, amount = int(order.id or 0), order.amount_idr
    with db.write_session() as s:
        record_payment(session=s, order_id=order_id, amount_idr=amount, actor="tripay_webhook")


def start_workers(count: int, url: str, sim: str) -> list[subprocess.Popen]:
    env = os.environ | WORKER_ENV | {"CHATGPT_API_BASE": f"{sim}/backend-api", "CHATGPT_AUTH_BASE": sim}
    return [
        subprocess.Popen(
            [sys.executable, str(Path(__file__)), "--worker", url], cwd=ROOT, env=env, stdout=subprocess.DEVNULL
        )
        for _ in range(count)
    ]


def worker_main(url: str) -> None:
    """A worker process: the app's workspace job in a loop until this process is stopped."""
    from infra.settings import get_settings
    from integrations.workspaces import build_workspace_driver
    from runtime.workspaces import WorkspaceWorker

    db.configure(url)
    worker = WorkspaceWorker(build_workspace_driver(get_settings()))
    while True:
        if worker.run_tasks().startswith("done 0, waiting 0"):
            time.sleep(0.2)


def open_tasks() -> int:
    from domain.shared.models import WorkspaceTask

    table = WorkspaceTask.__table__  # type: ignore[attr-defined]
    with db.get_engine().connect() as conn:
        return int(
            conn.execute(sa.select(sa.func.count()).where(table.c.status.in_(["PENDING", "CONFIRMING"]))).scalar_one()
        )


def keep_faults(sim: str, workspaces: int, share: float, stop: threading.Event, injected: list[int]) -> None:
    client = httpx.Client(timeout=5)
    while not stop.wait(0.05):
        stats = client.get(f"{sim}/_control/stats").json()
        calls = sum(
            n
            for key, n in stats["calls"].items()
            if "/backend-api/" in key or key.startswith(("GET /accounts", "POST /accounts", "DELETE /accounts"))
        )
        if injected[0] < share * calls:
            workspace_id = f"bench-ws-{random.randrange(workspaces)}"
            body = {"workspace_id": workspace_id, "mode": random.choice(["500", "429"]), "count": 1}
            client.post(f"{sim}/_control/faults", json=body)
            injected[0] += 1


def one_run(name: str, url: str, args, share: float) -> dict[str, float]:
    sim_process, sim = start_simulator(args.latency_ms)
    workers: list[subprocess.Popen] = []
    try:
        db.configure(url)
        seats = -(-args.purchases // args.workspaces)  # enough seats for every purchase
        seed(url, sim, args.workspaces, seats)
        workers = start_workers(1 if name == "sqlite" else 2, url, sim)
        stop, injected = threading.Event(), [0]
        faults = threading.Thread(target=keep_faults, args=(sim, args.workspaces, share, stop, injected), daemon=True)
        if share:
            faults.start()
        started = time.monotonic()
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(buy, range(args.purchases)))
        paid = time.monotonic() - started
        while open_tasks():
            time.sleep(0.1)
            if time.monotonic() - started > 900:
                raise RuntimeError("invitations still open after 15 minutes")
        confirmed = time.monotonic() - started
        stop.set()
        stats = httpx.get(f"{sim}/_control/stats", timeout=5).json()
        created = sum(stats["invites_created"].values())
        calls = sum(stats["calls"].values())
        return {
            "paid_s": paid,
            "confirmed_s": confirmed,
            "per_purchase": created / args.purchases,
            "fault_share": injected[0] / max(calls, 1),
        }
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(10)
        sim_process.terminate()
        sim_process.wait(10)
        db.get_engine().dispose()


def main() -> None:
    parser = bench_parser(__doc__)
    parser.add_argument("--purchases", type=int, default=500)
    parser.add_argument("--workspaces", type=int, default=20)
    parser.add_argument("--latency-ms", type=int, default=100)
    parser.add_argument("--faults", type=float, default=0.05)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--worker", default="", help=argparse_hidden())
    args = parser.parse_args()
    if args.worker:
        worker_main(args.worker)
        return
    print(
        f"{args.purchases} purchases over {args.workspaces} workspaces, {args.latency_ms} ms per call, "
        f"{args.faults:.0%} faults; median of {args.runs}"
    )
    print(
        "| database | app processes | baseline (no faults): all confirmed | with faults: all confirmed | ratio | "
        "invitations per purchase | faults injected |"
    )
    print("|---|---|---|---|---|---|---|")
    for name, _ in each_database():
        figures: dict[float, list[dict[str, float]]] = {0.0: [], args.faults: []}
        for _ in range(args.runs):
            for share in figures:
                for fresh_name, url in each_database_named(name):
                    figures[share].append(one_run(fresh_name, url, args, share))
        base = statistics.median(r["confirmed_s"] for r in figures[0.0])
        faulty = statistics.median(r["confirmed_s"] for r in figures[args.faults])
        per = max(r["per_purchase"] for runs in figures.values() for r in runs)
        share = statistics.median(r["fault_share"] for r in figures[args.faults])
        print(
            f"| {name} | {1 if name == 'sqlite' else 2} | {base:.1f} s | {faulty:.1f} s | x{faulty / base:.2f} | "
            f"{per:.2f} (worst run) | {share:.1%} of calls |"
        )


def argparse_hidden() -> str:
    import argparse

    return argparse.SUPPRESS


def each_database_named(name: str):
    """A fresh database of the kind `name` for one run."""
    for kind, url in each_database():
        if kind == name:
            yield kind, url
            return


if __name__ == "__main__":
    main()
