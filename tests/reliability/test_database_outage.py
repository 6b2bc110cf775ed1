"""The app's database goes away for 10 s while payments land: callbacks are answered non-2xx (so the
gateway retries), /healthz says 503, nothing is half-written, and after recovery everything converges.

PostgreSQL is shared with other developers, so the outage is scoped to this app: it reaches its
schema through a TCP proxy the test cuts. SQLite's files are made immutable (chattr +i; the tests run
as root, for whom a read-only mode bit changes nothing)."""

from __future__ import annotations

import asyncio
import secrets
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from tests.helpers import invariants, make_account, make_product
from tests.live import start_stack
from tests.reliability.faults import deliveries_settled, order_statuses, paid_end_state, place_orders, wait_until
from tests.reliability.tcp_proxy import TcpProxy

OUTAGE_SECONDS = 10


class SqliteOutage:
    def __init__(self, url: str) -> None:
        path = Path(sa.engine.make_url(url).database or "")
        self.files = [path, path.with_name(path.name + "-wal")]
        self.app_url = url

    def cut(self) -> None:
        subprocess.run(["chattr", "+i", *map(str, self.files)], check=True)

    def restore(self) -> None:
        subprocess.run(["chattr", "-i", *map(str, self.files)], check=True)

    def close(self) -> None:
        self.restore()


class PostgresOutage:
    def __init__(self, url: str) -> None:
        parsed = sa.engine.make_url(url)
        self.proxy = TcpProxy(parsed.host or "127.0.0.1", parsed.port or 5432)
        self.app_url = parsed.set(host="127.0.0.1", port=self.proxy.port).render_as_string(hide_password=False)
        self.cut, self.restore = self.proxy.cut, self.proxy.restore

    def close(self) -> None:
        self.proxy.close()


@contextmanager
def outage_for(backend: str, url: str) -> Iterator[SqliteOutage | PostgresOutage]:
    if backend == "sqlite" and not shutil.which("chattr"):
        pytest.skip("chattr (e2fsprogs) is needed to make SQLite's files immutable")
    outage = SqliteOutage(url) if backend == "sqlite" else PostgresOutage(url)
    try:
        yield outage
    finally:
        outage.close()


async def pay(sandbox_url: str, references: list[str]) -> list[dict]:
    async with httpx.AsyncClient(base_url=sandbox_url, timeout=60) as client:
        replies = await asyncio.gather(*(client.post(f"/_control/transactions/{r}/pay", json={}) for r in references))
    return [reply.json()["deliveries"][0] for reply in replies]


def health(app_url: str) -> int:
    try:
        return httpx.get(f"{app_url}/healthz", timeout=15).status_code
    except httpx.HTTPError:
        return 0


@pytest.mark.slow
def test_database_outage_during_payments_converges(engine, backend, db_url, tmp_path) -> None:
    slug = f"dbdown-{secrets.token_hex(3)}"
    make_product(slug=slug, pool="dbdown")
    for _ in range(8):
        make_account(max_seats=10, pool="dbdown")
    with outage_for(backend, db_url) as outage:
        stack = start_stack(outage.app_url, tmp_path, midtrans=False, retry_interval=0.5, max_retries=120)
        try:
            placed = asyncio.run(place_orders(stack.app_url, slug, 60))
            codes, refs = [p["order_id"] for p in placed], [p["reference"] for p in placed]
            before = asyncio.run(pay(stack.sandbox_url, refs[:20]))
            assert all(d["ok"] for d in before)

            cut_at = time.monotonic()
            outage.cut()
            wait_until("/healthz reports the outage", lambda: health(stack.app_url) == 503, timeout=60)
            during = asyncio.run(pay(stack.sandbox_url, refs[20:40]))
            codes_during = sorted({d["status_code"] for d in during}, key=str)
            assert not any(d["ok"] for d in during), codes_during
            assert all(d["status_code"] is None or d["status_code"] >= 400 for d in during), codes_during
            assert health(stack.app_url) == 503
            time.sleep(max(0.0, OUTAGE_SECONDS - (time.monotonic() - cut_at)))
            outage.restore()

            wait_until("/healthz recovers", lambda: health(stack.app_url) == 200, timeout=60)
            after = asyncio.run(pay(stack.sandbox_url, refs[40:]))
            assert all(d["ok"] for d in after)
            wait_until("every paid order served", lambda: "pending_payment" not in order_statuses(codes))
            wait_until("every callback acknowledged", lambda: deliveries_settled(stack.sandbox_url))
            state = paid_end_state(codes)
        finally:
            stack.stop()

    print(f"database outage ({backend}): answers during it {codes_during}, end state {state}")
    assert state["statuses"] == {"fulfilled": 60}
    assert state["orders_with_two_seats"] == [] and state["seats"] == 60
    assert state["applied"] == 60
    assert state["orders_with_wrong_mail"] == []
    assert invariants() == []
