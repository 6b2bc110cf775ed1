"""The front page and the health check, served by the app that main.py wires."""

from __future__ import annotations

from nicegui.testing import User

from domain import db
from domain.pool import list_accounts, suspend_account
from tests.helpers import ADMIN


async def test_demo_shop_shows_its_packages_with_prices(user: User) -> None:
    await user.open("/")
    await user.should_see("ChatGPT Plus 7 Hari")
    await user.should_see("Rp 25.000")
    await user.should_see("Rp 79.000")
    await user.should_see("Populer")
    await user.should_see("Tersedia")


async def test_sold_out_pool_says_it_is_restocking(user: User) -> None:
    with db.write_session() as s:
        for account in list_accounts(session=s):
            suspend_account(session=s, actor=ADMIN, account_id=account.id, reason="test")
    await user.open("/")
    await user.should_see("Stok sedang diisi ulang")
    await user.should_not_see("Tersedia")


async def test_healthz_reports_the_database(user: User) -> None:
    response = await user.http_client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


async def test_healthz_says_503_when_the_database_is_down(user: User) -> None:
    db.configure("postgresql+psycopg://postgres@127.0.0.1:1/nowhere", connect_args={"connect_timeout": 1})
    response = await user.http_client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
