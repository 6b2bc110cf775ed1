"""Authorisation sweep over every route the app serves, enumerated from the app itself so a new route
cannot escape: admin pages, the admin API and order links refuse no credentials, a wrong token, another
order's token, and the session of a disabled, locked-out or expired admin. Nothing changes meanwhile."""

from __future__ import annotations

import base64
import re
from datetime import timedelta

import pytest
from nicegui import app
from nicegui.testing import User
from sqlmodel import select
from starlette.routing import Mount, Route

from domain.admin.admins import SESSION_MAX_AGE, create_admin
from domain.admin.api_tokens import issue_token, revoke_token
from domain.orders.orders import create_order, record_payment
from domain.shared.links import access_token
from domain.shared.models import AdminApiToken, AdminUser
from infra import db
from infra.types import utcnow
from tests.helpers import fingerprint
from tests.ui.test_admin import EMAIL, PASSWORD, _login

# what anyone may reach; every other route must be in the admin or order sweep below
PUBLIC = {
    ("GET", "/"),
    ("GET", "/checkout/{slug}"),
    ("GET", "/orders"),
    ("GET", "/terms"),
    ("GET", "/privacy"),
    ("GET", "/admin/login"),
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("GET", "/metrics"),  # METRICS_TOKEN, open in development (tests/integration/test_health.py)
    ("POST", "/api/orders"),
    ("GET", "/api/packages"),
    ("POST", "/api/promo-codes/check"),  # a checkout preview, rate-limited (tests/integration/test_promos.py)
    ("GET", "/api/payment-channels"),
    ("POST", "/callback/tripay"),  # signed (tests/integration/test_callback_routes.py)
    ("POST", "/callback/midtrans"),
    ("POST", "/callback/ping"),
    ("GET", "/favicon.ico"),
}
WRITE_BODY = {
    "email": "sweep-new@example.com",
    "password": "Sweep-Password-1",
    "pool": "default",
    "status": "SUSPENDED",
    "note": "sweep",
    "days": 30,
    "reason": "sweep",
    "max_seats": 5,
}
CUSTOMER = "Korban Sapuan"


def app_routes() -> list[tuple[str, str]]:
    """(method, path) of every route, routers included (FastAPI keeps included routers as branches)."""
    found: list[tuple[str, str]] = []

    def walk(routes: list, prefix: str) -> None:
        for route in routes:
            if hasattr(route, "original_router"):
                walk(route.original_router.routes, prefix + (getattr(route.include_context, "prefix", "") or ""))
            elif isinstance(route, Route) and not isinstance(route, Mount):
                found.extend((m, prefix + route.path) for m in sorted(route.methods or ()) if m != "HEAD")

    walk(app.routes, "")
    return found


def is_admin(path: str) -> bool:
    return path == "/admin" or path.startswith(("/admin/", "/api/admin/"))


def is_order_link(path: str) -> bool:
    return path.startswith(("/order/", "/api/orders/"))


def surface(kind) -> list[tuple[str, str]]:
    routes = [(m, p) for m, p in app_routes() if not p.startswith("/_nicegui")]
    unclassified = [r for r in routes if r not in PUBLIC and not is_admin(r[1]) and not is_order_link(r[1])]
    assert unclassified == [], f"classify these routes in the sweep: {unclassified}"
    chosen = [r for r in routes if kind(r[1]) and r != ("GET", "/admin/login")]
    assert chosen, "the sweep found routes to try"
    return chosen


@pytest.fixture
def world(user: User):
    """An owner with an API token, a disabled admin with one, a revoked token, and two paid orders."""

    def work(s):
        owner = create_admin(session=s, email=EMAIL, password=PASSWORD)
        gone = create_admin(session=s, email="gone@example.com", password="gone-password-1", role="staff")
        gone.is_active = False
        tokens = {
            "owner": issue_token(session=s, admin_id=owner.id, name="bot", actor="test"),
            "disabled admin": issue_token(session=s, admin_id=gone.id, name="bot", actor="test"),
            "revoked": issue_token(session=s, admin_id=owner.id, name="old", actor="test"),
        }
        orders = []
        for i in range(2):
            order, _ = create_order(
                session=s,
                product_slug="paket-30-hari",
                email=f"korban{i}@example.com",
                name=CUSTOMER,
                phone="081234567890",
            )
            orders.append(record_payment(session=s, order_id=order.id, amount_idr=order.amount_idr, actor="test"))
        return tokens, orders

    tokens, paid = db.in_transaction(work)
    with db.read_session() as s:
        revoked_id = max(t.id for t in s.exec(select(AdminApiToken)))
    db.in_transaction(lambda s: revoke_token(session=s, token_id=revoked_id, actor="test"))
    order, other = paid[0].order, paid[1].order
    return {
        "tokens": tokens,
        "order": order,
        "other": other,
        "params": {
            "code": order.code,
            "order_id": order.code,
            "account_id": str(paid[0].assignment.chatgpt_account_id),
            "assignment_id": str(paid[0].assignment.id),
        },
    }


def concrete(path: str, params: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)(:\w+)?\}", lambda m: params.get(m.group(1), "1"), path)


async def test_admin_routes_refuse_anonymous_forged_and_foreign_credentials(user: User, world) -> None:
    before = fingerprint(db.get_engine())
    tokens, params = world["tokens"], world["params"]
    wrong = {
        "none": {},
        "wrong token": {"Authorization": "Bearer agt_wrong"},
        "basic": {"Authorization": "Basic " + base64.b64encode(f"{EMAIL}:{PASSWORD}".encode()).decode()},
        "revoked token": {"Authorization": f"Bearer {tokens['revoked']}"},
        "disabled admin's token": {"Authorization": f"Bearer {tokens['disabled admin']}"},
        "an order's link token": {"Authorization": f"Bearer {access_token(world['order'].code)}"},
    }
    tried = 0
    for method, path in surface(is_admin):
        url = concrete(path, params)
        for name, headers in wrong.items():
            for cookie in ({}, {"Cookie": "session=forged-session-cookie"}):
                user.http_client.cookies.clear()
                reply = await user.http_client.request(
                    method, url, headers=headers | cookie, json=WRITE_BODY, follow_redirects=False
                )
                tried += 1
                if path.startswith("/api/"):
                    assert reply.status_code == 401, (method, url, name, reply.text)
                else:
                    assert reply.status_code == 303, (method, url, name)
                    assert reply.headers["location"].startswith("/admin/login"), (method, url, name)
    assert fingerprint(db.get_engine()) == before, "a refused request changed something"
    assert tried == len(surface(is_admin)) * len(wrong) * 2
    # the owner's token works: the sweep can tell a refusal from a route that refuses everyone
    reply = await user.http_client.get("/api/admin/orders", headers={"Authorization": f"Bearer {tokens['owner']}"})
    assert reply.status_code == 200


async def test_order_links_refuse_missing_wrong_and_another_orders_token(user: User, world) -> None:
    before = fingerprint(db.get_engine())
    order, other = world["order"], world["other"]
    tokens = {"none": None, "wrong": "x" * 32, "another order's": access_token(other.code), "empty": ""}
    for method, path in surface(is_order_link):
        url = concrete(path, world["params"])
        for name, token in tokens.items():
            target = url if token is None else f"{url}?t={token}"
            reply = await user.http_client.request(method, target)
            if path.startswith("/api/"):
                assert reply.status_code == 404, (url, name)
            else:
                assert "Pesanan tidak ditemukan" in reply.text, (url, name)
            assert order.email not in reply.text and CUSTOMER not in reply.text, (url, name)
        own = await user.http_client.request(method, f"{url}?t={access_token(order.code)}")
        if method == "POST" and path.endswith("/login-code"):  # the right link, but this seat's account has no TOTP
            assert own.status_code == 409, url
            continue
        if method == "POST":  # (a renewal, placed from the link: without a body it asks for its fields)
            assert own.status_code == 400 and "package_id" in own.json()["errors"], url
            continue
        assert own.status_code == 200 and "Pesanan tidak ditemukan" not in own.text, url
    assert fingerprint(db.get_engine()) == before


@pytest.mark.parametrize("state", ["disabled", "locked out", "expired", "from before expiry existed"])
async def test_admin_session_of_a_disabled_locked_or_expired_admin_is_refused(user: User, world, state) -> None:
    await _login(user)
    await user.open("/admin")  # this task's request now carries the session id renewed at sign-in

    def change(s):
        admin = s.exec(select(AdminUser).where(AdminUser.email == EMAIL)).one()
        if state == "disabled":
            admin.is_active = False
        elif state == "locked out":
            admin.locked_until = utcnow() + timedelta(minutes=15)
        s.add(admin)

    db.in_transaction(change)
    with user:
        session = dict(app.storage.user["admin"])
        if state == "expired":
            session["since"] = (utcnow() - SESSION_MAX_AGE - timedelta(minutes=1)).isoformat()
        elif state == "from before expiry existed":
            session.pop("since")
        app.storage.user["admin"] = session
    before = fingerprint(db.get_engine())
    for _method, path in [r for r in surface(is_admin) if not r[1].startswith("/api/")]:
        await user.open(concrete(path, world["params"]))
        await user.should_see(marker="login-submit")
        await user.should_not_see(marker="logout")
    assert fingerprint(db.get_engine()) == before
