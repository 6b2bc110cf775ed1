"""The admin JSON API: bearer tokens, the original endpoints, each action audited with its owner."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import select

from api.admin import router
from domain.admin.admins import create_admin
from domain.admin.api_tokens import bootstrap_token, issue_token, revoke_token
from domain.shared.models import AccountAssignment, AuditLog, ChatGPTAccount
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


ACCESS = "at-" + "A1b2C3d4" * 6  # what a JWT looks like to a log: long, no spaces
SESSION = "st-" + "Z9y8X7w6" * 6
NEW_ACCESS = "at-" + "N3wT0k3n" * 6


def _automated(**extra) -> dict:
    return {
        "email": "team1@example.com",
        "delivery": "INVITE",
        "driver": "chatgpt",
        "workspace_id": "ws-team-1",
        "access_token": ACCESS,
        "session_token": SESSION,
        "allow_list": ["Boss@Example.com", "partner@example.com"],
        "max_seats": 5,
        "pool": "team",
    } | extra


def _leaks(text: str, *tokens: str) -> list[str]:
    """The tokens (or a 12-character piece of one) found in `text`."""
    return [t for t in tokens if any(t[i : i + 12] in text for i in range(0, len(t) - 11, 6))]


def test_an_automated_account_takes_its_workspace_fields_and_answers_only_whether_tokens_are_stored(api) -> None:
    created = api.post("/api/admin/chatgpt-accounts", json=_automated())
    assert created.status_code == 201, created.text
    account = created.json()["account"]
    assert _leaks(created.text, ACCESS, SESSION) == []
    assert {k: account[k] for k in ("driver", "workspace_id", "access_token_set", "session_token_set")} == {
        "driver": "chatgpt",
        "workspace_id": "ws-team-1",
        "access_token_set": True,
        "session_token_set": True,
    }
    assert account["allow_list"] == ["boss@example.com", "partner@example.com"]
    assert {k: account[k] for k in ("health", "last_sync_at", "last_error", "subscription_expires_at")} == {
        "health": "OK",
        "last_sync_at": None,
        "last_error": "",
        "subscription_expires_at": None,
    }
    assert (account["members_count"], account["invites_count"], account["strangers_count"]) == (None, None, None)
    assert not {"access_token", "session_token", "access_token_enc", "session_token_enc"} & set(account)

    listed = api.get("/api/admin/chatgpt-accounts", params={"health": "OK", "pool": "team"})
    assert listed.json()["items"][0]["access_token_set"] is True and _leaks(listed.text, ACCESS, SESSION) == []
    assert api.get("/api/admin/chatgpt-accounts", params={"health": "BANNED"}).json()["total"] == 0
    manual = api.post("/api/admin/chatgpt-accounts", json={"email": "plain@example.com", "password": "pw-1"})
    assert manual.json()["account"]["driver"] == "manual"
    assert manual.json()["account"]["access_token_set"] is False


def test_tokens_are_stored_encrypted_kept_when_empty_and_replaced_when_given(api) -> None:
    from domain.shared.crypto import decrypt_secret

    account_id = api.post("/api/admin/chatgpt-accounts", json=_automated()).json()["account"]["id"]

    def stored() -> tuple[str, str]:
        with db.read_session() as s:
            row = s.get(ChatGPTAccount, account_id)
            return row.access_token_enc, row.session_token_enc

    access_enc, session_enc = stored()
    assert _leaks(access_enc + session_enc, ACCESS, SESSION) == []  # encrypted at rest
    assert (decrypt_secret(access_enc), decrypt_secret(session_enc)) == (ACCESS, SESSION)
    url = f"/api/admin/chatgpt-accounts/{account_id}"
    kept = api.put(url, json={"access_token": "", "session_token": None, "note": "Tim A"})
    assert kept.status_code == 200, kept.text
    assert [decrypt_secret(v) for v in stored()] == [ACCESS, SESSION]
    assert kept.json()["account"]["note"] == "Tim A" and kept.json()["account"]["driver"] == "chatgpt"
    changed = api.put(url, json={"access_token": NEW_ACCESS, "allow_list": []})
    assert changed.status_code == 200 and _leaks(changed.text, NEW_ACCESS, SESSION) == []
    assert [decrypt_secret(v) for v in stored()] == [NEW_ACCESS, SESSION]
    assert changed.json()["account"]["allow_list"] == []


def test_automated_fields_are_refused_with_the_field_named(api) -> None:
    cases = [
        (_automated(workspace_id=""), "workspace_id"),
        (_automated(access_token=""), "access_token"),
        (_automated(delivery="CREDENTIALS", password="pw"), "driver"),
        (_automated(driver="robot"), "driver"),
        (_automated(access_token="has spaces in it"), "access_token"),
        (_automated(allow_list=["not-an-address"]), "allow_list"),
    ]
    for body, field in cases:
        answer = api.post("/api/admin/chatgpt-accounts", json=body)
        assert answer.status_code == 422, (field, answer.text)
        assert answer.json()["success"] is False and answer.json()["field"] == field, answer.text
        assert _leaks(answer.text, ACCESS, SESSION) == []


def test_a_body_that_cannot_be_read_does_not_quote_the_tokens_back(api) -> None:
    for body in (
        _automated(access_token=12345678901234567890, session_token={"value": SESSION}),
        [ACCESS, SESSION],
        _automated(max_seats="many") | {"session_token": ["x", SESSION]},
    ):
        answer = api.post("/api/admin/chatgpt-accounts", json=body)
        assert answer.status_code == 422, answer.text
        assert "12345678901234567890" not in answer.text and _leaks(answer.text, ACCESS, SESSION) == []
        assert {"type", "loc", "msg"} <= set(answer.json()["detail"][0])  # FastAPI's shape, without "input"


def test_tokens_are_never_in_the_audit_log_or_the_logs(api, caplog) -> None:
    import json
    import logging

    caplog.set_level(logging.DEBUG)
    account_id = api.post("/api/admin/chatgpt-accounts", json=_automated()).json()["account"]["id"]
    api.put(f"/api/admin/chatgpt-accounts/{account_id}", json={"access_token": NEW_ACCESS, "session_token": SESSION})
    api.post("/api/admin/chatgpt-accounts", json=_automated(email="team2@example.com", workspace_id="bad id!"))
    api.get("/api/admin/audit-logs", params={"entity": "account"})
    with db.read_session() as s:
        entries = list(s.exec(select(AuditLog).where(AuditLog.entity == "account")))
    actions = [e.action for e in entries]
    assert actions.count("account.create") == 1 and "account.update" in actions
    update = next(e for e in entries if e.action == "account.update")
    assert update.details["tokens_changed"] is True  # that they changed is recorded; what they are is not
    dumped = json.dumps([e.details for e in entries])
    assert _leaks(dumped, ACCESS, SESSION, NEW_ACCESS) == []
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert caplog.records and _leaks(logged, ACCESS, SESSION, NEW_ACCESS) == []


def test_the_csv_preview_and_its_audit_entry_never_echo_a_token(engine) -> None:
    from domain.catalog.pool import import_accounts_csv

    text = (
        "email,delivery,driver,workspace_id,access_token,session_token\n"
        f"ok@example.com,INVITE,chatgpt,ws-1,{ACCESS},{SESSION}\n"
        f"shifted@example.com,INVITE,{ACCESS},ws-2,,{SESSION}\n"  # the token typed one column early
        f"spaced@example.com,INVITE,chatgpt,{SESSION} x,{ACCESS},\n"
    )
    preview = db.in_transaction(lambda s: import_accounts_csv(session=s, actor="admin:t", text=text, dry_run=True))
    assert [r.error is None for r in preview.rows] == [True, False, False]
    shown = "\n".join(f"{r.email} {r.error}" for r in preview.rows)
    assert _leaks(shown, ACCESS, SESSION) == [], shown
    report = db.in_transaction(lambda s: import_accounts_csv(session=s, actor="admin:t", text=text))
    assert len(report.ok) == 1
    with db.read_session() as s:
        entry = s.exec(select(AuditLog).where(AuditLog.action == "account.import")).one()
        created = s.exec(select(ChatGPTAccount).where(ChatGPTAccount.email == "ok@example.com")).one()
    assert _leaks(str(entry.details), ACCESS, SESSION) == [] and entry.details["imported"] == 1
    assert created.automated and created.access_token_enc and ACCESS not in created.access_token_enc
