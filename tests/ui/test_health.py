"""The health check, served by the app that main.py wires."""

from __future__ import annotations

from nicegui.testing import User

from domain import db


async def test_healthz_reports_the_database(user: User) -> None:
    response = await user.http_client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["database"] == "ok"
    assert body["migrations"]["current"] == body["migrations"]["head"] != ""


async def test_healthz_says_503_when_the_database_is_down(user: User) -> None:
    db.configure("postgresql+psycopg://postgres@127.0.0.1:1/nowhere", connect_args={"connect_timeout": 1})
    response = await user.http_client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
