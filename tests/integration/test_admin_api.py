"""The admin JSON API: bearer tokens, the original endpoints, each action audited with its owner."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import select

from api.admin import router
from domain.admin.admins import create_admin
from domain.admin.api_tokens import bootstrap_token, issue_token, revoke_token
from domain.shared.models import AccountAssignment, AuditLog
from infra import db
from tests.helpers import make_account, make_order, make_product, pay

ENDPOINTS = [
    ("GET", "/api/admin/chatgpt-accounts"),
    ("POST", "/api/admin/chatgpt-accounts"),
    ("PUT", "/api/admin/chatgpt-accounts/1"),
    ("GET", "/api/admin/account-assignments"),
    ("POST", "/api/admin/account-assignments/1/extend"),
    ("POST", "/api/admin/account-assignments/1/revoke"),
    ("GET", "/api/admin/audit-logs"),
    ("GET", "/api/admin/orders"),
]


@pytest.fixture
def api(engine):
    admin = db.in_transaction(lambda s: create_admin(session=s, email="ops@example.com", password="ops-password-1"))
    token = db.in_transaction(lambda s: issue_token(session=s, admin_id=admin.id, name="bot", actor="test"))
    app = FastAPI()
    app.include_router(router)
    client = TestClient(app)
    client.headers["Authorization"] = f"Bearer {token}"
    client.token_id = admin.id  # type: ignore[attr-defined]
    return client


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_every_endpoint_refuses_a_missing_or_wrong_token(api, method: str, path: str) -> None:
    for headers in ({"Authorization": ""}, {"Authorization": "Bearer agt_wrong"}, {"Authorization": "Basic x"}):
        response = api.request(method, path, headers=headers, json={})
        assert response.status_code == 401, (method, path, headers)


def test_revoked_tokens_stop_working(api) -> None:
    with db.read_session() as s:
        from domain.shared.models import AdminApiToken

        token_id = s.exec(select(AdminApiToken)).one().id
    db.in_transaction(lambda s: revoke_token(session=s, token_id=token_id, actor="test"))
    assert api.get("/api/admin/orders").status_code == 401


def test_accounts_create_list_duplicate_and_update(api) -> None:
    created = api.post(
        "/api/admin/chatgpt-accounts",
        json={
            "email": "account1@chatgpt.com",
            "password": "pw-1",
            "note": "Primary account",
            "status": "AVAILABLE",
            "max_seats": None,
        },
    )
    assert created.status_code == 201, created.text
    account = created.json()["account"]
    assert account["capacity"] == 1 and "password" not in account and "password_enc" not in account
    assert (
        api.post("/api/admin/chatgpt-accounts", json={"email": "ACCOUNT1@chatgpt.com", "password": "x"}).status_code
        == 409
    )
    assert api.post("/api/admin/chatgpt-accounts", json={"email": "bad", "password": "x"}).status_code == 422
    listed = api.get("/api/admin/chatgpt-accounts", params={"search": "account1"}).json()
    assert listed["total"] == 1 and listed["items"][0]["note"] == "Primary account"
    changed = api.put(f"/api/admin/chatgpt-accounts/{account['id']}", json={"max_seats": 4, "status": "SUSPENDED"})
    assert changed.status_code == 200 and changed.json()["account"]["status"] == "SUSPENDED"
    assert changed.json()["account"]["max_seats"] == 4
    with db.read_session() as s:
        actions = [e.action for e in s.exec(select(AuditLog).where(AuditLog.actor == "admin:ops@example.com"))]
    assert actions == ["account.create", "account.update", "account.suspend"]


def test_assignments_extend_and_revoke_with_validation(api) -> None:
    product = make_product()
    make_account(max_seats=2)
    seat = pay(make_order(product)).assignment
    listed = api.get("/api/admin/account-assignments", params={"status": "ACTIVE"}).json()
    assert [row["id"] for row in listed["items"]] == [seat.id]
    assert set(listed["items"][0]) >= {
        "id",
        "order_id",
        "chatgpt_account_id",
        "customer_email",
        "status",
        "start_at",
        "end_at",
    }
    assert api.post(f"/api/admin/account-assignments/{seat.id}/extend", json={"additional_days": 0}).status_code == 422
    assert api.post(f"/api/admin/account-assignments/{seat.id}/extend", json={}).status_code == 422
    extended = api.post(f"/api/admin/account-assignments/{seat.id}/extend", json={"additional_days": 5})
    assert extended.status_code == 200
    assert api.post(f"/api/admin/account-assignments/{seat.id}/revoke", json={}).status_code == 422
    assert (
        api.post(f"/api/admin/account-assignments/{seat.id}/revoke", json={"reason": "chargeback"}).status_code == 200
    )
    assert api.post(f"/api/admin/account-assignments/{seat.id}/revoke", json={"reason": "again"}).status_code == 409
    assert api.post("/api/admin/account-assignments/9999/extend", json={"additional_days": 1}).status_code == 404
    with db.read_session() as s:
        assert s.get(AccountAssignment, seat.id).status == "REVOKED"
        by_ops = {e.action for e in s.exec(select(AuditLog).where(AuditLog.actor == "admin:ops@example.com"))}
    assert {"assignment.extend", "assignment.revoke"} <= by_ops
    audit = api.get("/api/admin/audit-logs", params={"action": "assignment."}).json()
    assert audit["total"] >= 3
    assert api.get("/api/admin/orders").json()["items"][0]["status"] == "fulfilled"


def test_admin_api_token_setting_bootstraps_a_token(engine) -> None:
    assert db.in_transaction(lambda s: bootstrap_token(session=s, value="agt_from_settings")) is False  # no admin
    db.in_transaction(lambda s: create_admin(session=s, email="boss@example.com", password="boss-password-1"))
    assert db.in_transaction(lambda s: bootstrap_token(session=s, value="agt_from_settings")) is True
    assert db.in_transaction(lambda s: bootstrap_token(session=s, value="agt_from_settings")) is False  # once
    app = FastAPI()
    app.include_router(router)
    client = TestClient(app)
    assert client.get("/api/admin/orders", headers={"Authorization": "Bearer agt_from_settings"}).status_code == 200
