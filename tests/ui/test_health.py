"""The health check, served by the app that main.py wires."""

from __future__ import annotations

from nicegui.testing import User

from infra import db


async def test_healthz_reports_the_database(user: User) -> None:
    response = await user.http_client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    ready = await user.http_client.get("/readyz")
    assert ready.status_code == 200
    body = ready.json()
    assert body["status"] == "ok" and body["migrations"]["current"] == body["migrations"]["head"] != ""


async def test_healthz_says_503_when_the_database_is_down(user: User) -> None:
    db.configure("postgresql+psycopg://postgres@127.0.0.1:1/nowhere", connect_args={"connect_timeout": 1})
    response = await user.http_client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    metrics = await user.http_client.get("/metrics")  # still scraped, and saying why
    assert metrics.status_code == 200 and "aksesgpt_database_up 0.0" in metrics.text
    assert 'aksesgpt_database_errors_total{place="query"}' in metrics.text


async def test_metrics_show_the_pool_and_orders(user: User) -> None:
    response = await user.http_client.get("/metrics")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert "aksesgpt_database_up 1.0" in text
    assert 'aksesgpt_pool_seats{state="total"} 14.0' in text
    assert 'aksesgpt_accounts{status="AVAILABLE"} 4.0' in text
    assert "aksesgpt_webhook_latency_seconds" in text and "aksesgpt_allocation_latency_seconds" in text


async def test_metrics_need_the_token_when_one_is_set(user: User) -> None:
    from nicegui import app

    app.state.settings.METRICS_TOKEN = "scrape-me-please"
    try:
        assert (await user.http_client.get("/metrics")).status_code == 401
        assert (await user.http_client.get("/metrics", headers={"Authorization": "Bearer nope"})).status_code == 401
        ok = await user.http_client.get("/metrics", headers={"Authorization": "Bearer scrape-me-please"})
        assert ok.status_code == 200
    finally:
        app.state.settings.METRICS_TOKEN = ""
