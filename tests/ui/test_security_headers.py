"""Trust #15: the pages carried no CSP / frame-ancestors, X-Content-Type-Options or Referrer-Policy; #4: no HSTS."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from nicegui.testing import User

from api.headers import SecurityHeaders


async def test_pages_forbid_framing_sniffing_and_leaking_order_links(user: User) -> None:
    for path in ("/", "/orders", "/admin/login"):
        response = await user.http_client.get(path)
        headers = response.headers
        assert "frame-ancestors 'none'" in headers["content-security-policy"], path
        assert headers["x-frame-options"] == "DENY"
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "same-origin"  # an order page's ?t= never reaches another site
        assert "strict-transport-security" not in headers, "development over plain HTTP: no HSTS"


def test_hsts_when_the_shop_is_served_over_https() -> None:
    app = FastAPI()
    app.get("/")(lambda: {"ok": True})
    app.add_middleware(SecurityHeaders, https=True)
    headers = TestClient(app).get("/").headers
    assert headers["strict-transport-security"].startswith("max-age=31536000")
