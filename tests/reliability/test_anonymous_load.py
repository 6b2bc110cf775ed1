"""Trust #5: anonymous load must not take the clustered shop down. With NiceGUI's storage in Redis (the
documented multi-process setup) every cookie-less page view held two Redis connections for about a minute and
every `/?lang=` view left a key for good: 700 views in 5 s reached 1,024 open files and valid callbacks got
connection resets. Here 1,500 cookie-less views hit a real app process (held to that limit) while a signed PAID
callback arrives: twice the 700 that broke it, so the old code would hold about 3,000 connections and leave 750
keys (the checks below are against a few dozen); 5,000 views proved no more and took three times as long."""

from __future__ import annotations

import asyncio
import os
import resource
import secrets
import time
from collections import Counter
from dataclasses import dataclass, field

import httpx
import pytest
import redis

from domain.orders.orders import create_order
from domain.payments.checkout import attach_checkout
from domain.payments.gateway import Checkout
from domain.shared.audit import SYSTEM
from domain.shared.models import Order
from infra import db
from tests.helpers import make_account, make_product, tripay_callback
from tests.live import start_stack

REDIS_URL = "redis://127.0.0.1:6379/9"  # a database of this test's own; only its prefix's keys are touched
VIEWS = 1_500
CONCURRENCY = 50
FD_NOISE = 25  # database and HTTP keep-alive connections opened late; the old code grew by thousands


@pytest.fixture(scope="module")
def shop(live_db_url: str, tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("anonymous")
    prefix = f"aksesgpt-anon-{secrets.token_hex(4)}:"
    stack = start_stack(
        live_db_url,
        folder,
        midtrans=False,
        extra_env={
            "NICEGUI_REDIS_URL": REDIS_URL,
            "NICEGUI_REDIS_KEY_PREFIX": prefix,
            "NICEGUI_STORAGE_PATH": str(folder / "storage"),
            "RATE_LIMIT_STORAGE_URL": "memory://",  # the limits' keys stay out of this test's Redis database
            "DEMO_DATA": "1",  # packages on the front page, as a visitor sees it
        },
    )
    # a service's open files as systemd leaves them without LimitNOFILE: the limit the old views reached
    pid = stack.process("app").popen.pid
    resource.prlimit(pid, resource.RLIMIT_NOFILE, (1024, resource.prlimit(pid, resource.RLIMIT_NOFILE)[1]))
    client = redis.Redis.from_url(REDIS_URL)
    engine = db.configure(stack.db_url)
    try:
        yield stack, client, prefix
    finally:
        engine.dispose()
        stack.stop()
        for key in client.scan_iter(f"{prefix}*"):
            client.delete(key)
        client.close()


def _open_files(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def _keys(client: redis.Redis, prefix: str) -> int:
    return sum(1 for _ in client.scan_iter(f"{prefix}*", count=1000))


def _pending_order(product, pool: str) -> Order:
    def work(session):
        order, _ = create_order(
            session=session,
            product_slug=product.slug,
            email="anon-load@example.com",
            name="Beban",
            phone="081200000000",
        )
        checkout = Checkout(
            provider="tripay", reference=f"DEV-T{secrets.token_hex(6)}", method="QRIS", checkout_url="http://sandbox/"
        )
        return attach_checkout(session=session, order_id=order.id, checkout=checkout, actor=SYSTEM)

    return db.in_transaction(work)


@dataclass
class Views:
    """What the visitors got: the status codes, the cookies they were handed, and the app's open files as it went."""

    codes: Counter[int] = field(default_factory=Counter)
    cookies: Counter[str] = field(default_factory=Counter)
    english: int = 0
    open_files: list[int] = field(default_factory=list)


async def _visitor(host: str, port: int, paths: list[str], pid: int, seen: Views, halfway: asyncio.Event) -> None:
    """One keep-alive connection sending bare GETs, as a crawler or a load tool does: no cookie ever goes out.
    Plain HTTP/1.1 over asyncio streams, since httpx spends more CPU per request than the page costs the app."""
    connection: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
    for path in paths:
        try:
            reader, writer = connection = connection or await asyncio.open_connection(host, port)
            writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUser-Agent: load\r\n\r\n".encode())
            head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
            headers = [line.split(":", 1) for line in head[1:] if ":" in line]
            length = next(int(v) for k, v in headers if k.lower() == "content-length")
            body = await reader.readexactly(length)
            seen.codes[int(head[0].split()[1])] += 1
            seen.cookies.update(v.strip().split("=", 1)[0] for k, v in headers if k.lower() == "set-cookie")
            seen.english += b"Choose a package" in body
        except (OSError, asyncio.IncompleteReadError):  # reset or refused: counted, and a new connection
            seen.codes[0] += 1
            if connection:
                connection[1].close()
            connection = None
        if sum(seen.codes.values()) % 100 == 0:
            seen.open_files.append(_open_files(pid))
        if sum(seen.codes.values()) == VIEWS // 2:
            halfway.set()
    if connection:
        connection[1].close()


async def _views(base: str, count: int, pid: int, halfway: asyncio.Event) -> Views:
    url = httpx.URL(base)
    paths = ["/?lang=en" if i % 2 else "/" for i in range(count)]
    seen = Views()
    share = [paths[i::CONCURRENCY] for i in range(CONCURRENCY)]
    await asyncio.gather(*(_visitor(url.host, url.port or 80, mine, pid, seen, halfway) for mine in share))
    return seen


async def _load_with_a_callback(base: str, pid: int, callback: tuple[bytes, dict[str, str]]):
    halfway = asyncio.Event()
    views = asyncio.create_task(_views(base, VIEWS, pid, halfway))
    await asyncio.wait([views, asyncio.create_task(halfway.wait())], return_when=asyncio.FIRST_COMPLETED)
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        paid = await client.post("/callback/tripay", content=callback[0], headers=callback[1])
    return await views, paid


@pytest.mark.slow
def test_1500_anonymous_views_leave_files_and_redis_flat_and_a_callback_lands(shop) -> None:
    stack, client, prefix = shop
    pid = stack.process("app").popen.pid
    pool = f"anon-{secrets.token_hex(3)}"
    product = make_product(slug=f"anon-{secrets.token_hex(3)}", pool=pool)
    make_account(max_seats=5, pool=pool)
    order = _pending_order(product, pool)
    key = stack.credentials["TRIPAY_PRIVATE_KEY"]
    raw, headers = tripay_callback(
        reference=order.provider_reference or "",
        merchant_ref=order.code,
        amount=order.amount_idr,
        key=key,
        paid_at=int(time.time()),
    )

    # warm up: the database pool, the catalogue cache and the first English page are made once
    asyncio.run(_views(stack.app_url, 200, pid, asyncio.Event()))
    time.sleep(1)
    files_before, keys_before = _open_files(pid), _keys(client, prefix)

    started = time.monotonic()
    seen, paid = asyncio.run(_load_with_a_callback(stack.app_url, pid, (raw, headers)))
    peak = max(seen.open_files)
    took = time.monotonic() - started
    time.sleep(1)  # what a view holds for a while would still be held now (NiceGUI kept it about 60 s)
    files_after, keys_after = _open_files(pid), _keys(client, prefix)
    print(
        f"\n{VIEWS} anonymous views in {took:.1f} s ({VIEWS / took:.0f}/s): open files {files_before} -> "
        f"{files_after} (peak {peak}), Redis keys {keys_before} -> {keys_after}, callback {paid.status_code}"
    )

    assert seen.codes == {200: VIEWS}, seen.codes
    assert seen.english == VIEWS // 2, "every ?lang=en view is in English"
    assert "session" not in seen.cookies, "no session is handed to an anonymous visitor"
    assert paid.status_code == 200 and paid.json() == {"success": True}, paid.text
    with db.read_session() as session:
        assert session.get(Order, order.id).status == "fulfilled"
    assert keys_after <= keys_before, f"Redis keys {keys_before} -> {keys_after}"
    assert files_after <= files_before + FD_NOISE, f"open files {files_before} -> {files_after}"
    assert peak <= files_before + CONCURRENCY + FD_NOISE, f"open files peaked at {peak}"
