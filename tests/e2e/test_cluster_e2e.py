"""The production shape: two app processes on one PostgreSQL, NiceGUI storage in Redis, behind nginx
serving deploy/nginx/aksesgpt-locations.conf (pages sticky, callbacks and APIs spread)."""

from __future__ import annotations

import json
import os
import re
import secrets
import time
from urllib.parse import urlsplit

import httpx
import pytest
import redis
from playwright.sync_api import Page, expect
from sqlmodel import col, select

from domain.shared.models import Order
from infra import db
from integrations.tripay import callback_signature
from tests.e2e.conftest import ADMIN, place_order, sign_in
from tests.helpers import invariants
from tests.live import NGINX, start_nginx, start_stack

pytestmark = [
    pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="the cluster runs on PostgreSQL"),
    pytest.mark.skipif(not NGINX, reason="nginx is not installed (apt-get install nginx-light)"),
]


@pytest.fixture(scope="module")
def cluster(pg_schemas, tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("cluster")
    url = pg_schemas.new()
    redis_prefix = f"aksesgpt-test-{secrets.token_hex(4)}:"
    shared = {"NICEGUI_REDIS_URL": "redis://127.0.0.1:6379/0", "NICEGUI_REDIS_KEY_PREFIX": redis_prefix}
    # each process keeps NiceGUI's file storage apart, as on two machines: only Redis is shared
    stack = start_stack(
        url,
        folder,
        midtrans=False,
        extra_env={
            "DEMO_DATA": "1",
            "ADMIN_EMAIL": ADMIN[0],
            "ADMIN_PASSWORD": ADMIN[1],
            "NICEGUI_STORAGE_PATH": str(folder / "storage-a"),
            **shared,
        },
    )
    second_url, _ = stack.add_app("app-b", NICEGUI_STORAGE_PATH=str(folder / "storage-b"))
    proxy_url, proxy = start_nginx(folder, [stack.app_url, second_url])
    previous = db.get_engine().url.render_as_string(hide_password=False)  # the other e2e tests' shop
    db.configure(url)
    try:
        yield {"stack": stack, "a": stack.app_url, "b": second_url, "nginx": proxy_url}
    finally:
        proxy.stop()
        stack.stop()
        db.configure(previous)
        client = redis.Redis.from_url(shared["NICEGUI_REDIS_URL"])
        for key in client.scan_iter(f"{redis_prefix}*"):
            client.delete(key)
        client.close()


def _pay(base: str, order: dict, key: str) -> httpx.Response:
    raw = json.dumps(
        {
            "reference": order["reference"],
            "merchant_ref": order["order_id"],
            "payment_method": "QRIS",
            "payment_method_code": "QRIS",
            "total_amount": order["amount"],
            "status": "PAID",
            "paid_at": int(time.time()),
            "is_closed_payment": 1,
        }
    ).encode()
    headers = {"X-Callback-Event": "payment_status", "X-Callback-Signature": callback_signature(key, raw)}
    return httpx.post(f"{base}/callback/tripay", content=raw, headers=headers, timeout=30)


def test_callbacks_through_nginx_land_on_both_processes_and_each_applies_once(cluster) -> None:
    stack, key = cluster["stack"], cluster["stack"].credentials["TRIPAY_PRIVATE_KEY"]
    orders = [place_order(cluster["nginx"], f"spread-{i}@example.com") for i in range(12)]
    for order in orders:
        for _ in range(2):  # every PAID delivered twice: the second is a duplicate wherever it lands
            response = _pay(cluster["nginx"], order, key)
            assert response.json() == {"success": True}
    with db.read_session() as session:
        codes = [o["order_id"] for o in orders]
        statuses = list(session.exec(select(Order.status).where(col(Order.code).in_(codes))))
    assert len(statuses) == len(orders) and set(statuses) <= {"fulfilled", "pending_stock"}
    assert invariants() == []
    logs = [p.output() for p in stack.processes if p.name.startswith("app")]
    served = [len(re.findall(r"webhook provider=tripay order=", text)) for text in logs]
    assert len(served) == 2 and all(count > 0 for count in served), served  # round robin reached both
    assert sum(served) == 2 * len(orders)


def test_an_admin_signed_in_on_one_process_is_signed_in_on_the_other(cluster, page: Page, shoot) -> None:
    sign_in(page, cluster["a"])
    page.goto(f"{cluster['b']}/admin/orders")  # same browser session, other process: storage in Redis
    expect(page).to_have_url(re.compile(r"/admin/orders$"))
    expect(page.get_by_text("Pesanan").first).to_be_visible()
    shoot(page, "signed-in-on-b")


def test_the_overview_on_one_process_shows_a_payment_landing_on_the_other(cluster, page: Page, shoot) -> None:
    key = cluster["stack"].credentials["TRIPAY_PRIVATE_KEY"]
    sign_in(page, cluster["a"])
    used = page.get_by_text(re.compile(r"\d+ dari \d+ kursi"))
    expect(used).to_be_visible()
    before = used.inner_text()
    order = place_order(cluster["b"], "cross-process@example.com")
    assert _pay(cluster["b"], order, key).json() == {"success": True}
    expect(used).not_to_have_text(before, timeout=10_000)  # bench/cluster.py measures how soon
    shoot(page, "overview-on-a-after-payment-on-b")


def test_an_order_page_open_on_one_process_shows_the_seat_when_the_payment_lands_on_the_other(
    cluster, page: Page, shoot
) -> None:
    """The change feed across processes: process B commits the payment, its NOTIFY reaches process A's LISTEN
    connection, and only then does the open page on A read its order again (it no longer polls)."""
    key = cluster["stack"].credentials["TRIPAY_PRIVATE_KEY"]
    order = place_order(cluster["b"], "page-on-a@example.com")
    link = urlsplit(order["status_url"])
    page.goto(f"{cluster['a']}{link.path}?{link.query}")
    expect(page.get_by_text("Menunggu pembayaran").first).to_be_visible()
    page.wait_for_timeout(500)  # the page's socket is connected and following its order
    assert _pay(cluster["b"], order, key).json() == {"success": True}
    expect(page.get_by_text("Pembayaran diterima").first).to_be_visible(timeout=10_000)
    shoot(page, "order-page-on-a-after-payment-on-b")
