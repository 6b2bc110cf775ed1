"""The admin API's `totp_secret` (issue #19 item 1): accepted on create and change, kept encrypted, never
answered (only `has_totp`), cleared with "", and a bad one refused with 422 and nothing changed."""

from __future__ import annotations

import pyotp
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import select

from api.orders import router as orders_router
from domain.catalog.login_help import totp_code
from domain.orders.login_code import REVEALS_PER_WINDOW
from domain.seats.assignments import revoke_assignment
from domain.shared.links import access_token
from domain.shared.models import AuditLog, ChatGPTAccount
from infra import db
from infra.types import utcnow
from tests.helpers import ADMIN, make_account, make_order, make_product, pay
from tests.integration.test_admin_api import api  # noqa: F401  (the fixture: an admin API client with a token)
from tests.integration.test_login_help import seated_order, store_secret

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def stored(account_id: int) -> ChatGPTAccount:
    with db.read_session() as s:
        account = s.get(ChatGPTAccount, account_id)
        assert account is not None
        return account


def test_totp_secret_is_accepted_and_never_answered(api) -> None:  # noqa: F811
    created = api.post(
        "/api/admin/chatgpt-accounts",
        json={"email": "shared-1@example.com", "password": "pw-123456", "max_seats": 3, "totp_secret": SECRET},
    )
    assert created.status_code == 201, created.text
    assert SECRET not in created.text and created.json()["account"]["has_totp"] is True
    account_id = created.json()["account"]["id"]
    now = utcnow()
    code = totp_code(stored(account_id), now)
    assert code is not None and code.code == pyotp.TOTP(SECRET).at(now)

    listed = api.get("/api/admin/chatgpt-accounts")
    assert SECRET not in listed.text and listed.json()["items"][0]["has_totp"] is True

    other = pyotp.random_base32()
    changed = api.put(f"/api/admin/chatgpt-accounts/{account_id}", json={"totp_secret": other})
    assert changed.status_code == 200 and other not in changed.text
    assert totp_code(stored(account_id), now).code == pyotp.TOTP(other).at(now)  # type: ignore[union-attr]

    kept = api.put(f"/api/admin/chatgpt-accounts/{account_id}", json={"note": "x", "totp_secret": None})
    assert kept.json()["account"]["has_totp"] is True

    cleared = api.put(f"/api/admin/chatgpt-accounts/{account_id}", json={"totp_secret": ""})
    assert cleared.json()["account"]["has_totp"] is False and stored(account_id).totp_secret_enc == ""

    with db.read_session() as s:
        actions = [row.action for row in s.exec(select(AuditLog).where(AuditLog.entity_id == account_id))]
        details = repr([row.details for row in s.exec(select(AuditLog))])
    assert actions.count("account.totp_set") == 2 and actions.count("account.totp_cleared") == 1
    assert SECRET not in details and other not in details


def accounts_and_audits() -> str:
    """The accounts and the audit trail as rows (the API token's last use changes on every call)."""
    with db.read_session() as s:
        return repr([a.model_dump() for a in s.exec(select(ChatGPTAccount))] + [a.id for a in s.exec(select(AuditLog))])


def test_a_bad_totp_secret_is_refused_and_nothing_changes(api) -> None:  # noqa: F811
    before = accounts_and_audits()
    refused = api.post(
        "/api/admin/chatgpt-accounts",
        json={"email": "shared-2@example.com", "password": "pw-123456", "totp_secret": "not base32 at all!"},
    )
    assert refused.status_code == 422 and refused.json()["field"] == "totp_secret"
    assert accounts_and_audits() == before

    account_id = api.post(
        "/api/admin/chatgpt-accounts", json={"email": "shared-3@example.com", "password": "pw-123456"}
    ).json()["account"]["id"]
    before = accounts_and_audits()
    refused = api.put(f"/api/admin/chatgpt-accounts/{account_id}", json={"note": "changed", "totp_secret": "1234"})
    assert refused.status_code == 422 and refused.json()["field"] == "totp_secret"
    assert accounts_and_audits() == before and stored(account_id).note == ""


def test_the_order_api_answers_the_seat_holders_code_until_the_seat_ends(engine) -> None:
    app = FastAPI()
    app.include_router(orders_router)
    client = TestClient(app)
    account = make_account(max_seats=2)
    store_secret(account, SECRET)
    order, seat = seated_order(account, make_product())
    url = f"/api/orders/{order.code}/login-code?t={access_token(order.code)}"

    before = utcnow()
    answer = client.post(url)
    after = utcnow()
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["code"] in {pyotp.TOTP(SECRET).at(before), pyotp.TOTP(SECRET).at(after)}
    assert 0 <= body["expires_in"] <= 30 and SECRET not in answer.text
    assert client.post(f"/api/orders/{order.code}/login-code?t=wrong").status_code == 404
    stranger = make_order(make_product("paket-lain"))
    pay(stranger)  # a seat on the same account: its own link answers its own seat, never this order's
    assert client.post(f"/api/orders/{order.code}/login-code?t={access_token(stranger.code)}").status_code == 404

    for _ in range(REVEALS_PER_WINDOW - 1):
        assert client.post(url).status_code == 200
    limited = client.post(url)
    assert limited.status_code == 429 and "10 minutes" in limited.json()["message"]

    db.in_transaction(lambda s: revoke_assignment(session=s, assignment_id=seat.id, actor=ADMIN, reason="refund"))
    refused = client.post(url)
    assert refused.status_code == 409 and "code" not in refused.json()


def test_wrong_links_from_one_address_are_limited_before_any_reading(engine) -> None:
    """The per-order limit counts only after the link and the seat are checked; an address sending wrong links
    is stopped by its own limit (60 in 10 minutes), and a wrong link never writes (nothing audited)."""
    app = FastAPI()
    app.include_router(orders_router)
    client = TestClient(app)
    order = make_order(make_product())
    answers = [client.post(f"/api/orders/{order.code}/login-code?t=wrong-{i}").status_code for i in range(61)]
    assert answers[:60] == [404] * 60 and answers[60] == 429
    with db.read_session() as s:
        assert s.exec(select(AuditLog).where(AuditLog.action == "order.login_code_shown")).all() == []
