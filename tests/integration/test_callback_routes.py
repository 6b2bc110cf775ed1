"""The callback routes in-process: every refusal is recorded and changes nothing; fuzzing never 500s."""

from __future__ import annotations

import hashlib
import json
import secrets
from types import SimpleNamespace

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import func, select

from api.callbacks import router
from domain.payments.checkout import attach_checkout
from domain.payments.gateway import Checkout
from domain.shared.models import AccountAssignment, Order, PaymentEvent
from infra import db
from integrations.gateways import Gateways
from integrations.midtrans import notification_signature
from integrations.tripay import callback_signature
from tests.helpers import checked_out, make_account, make_order, make_product

TRIPAY_KEY = "test-private-key-" + secrets.token_hex(4)
MIDTRANS_KEY = "SB-Mid-server-test-" + secrets.token_hex(4)


def _client(callback_ips: str = "") -> TestClient:
    app = FastAPI()
    app.include_router(router)
    app.state.gateways = Gateways(chain=[], tripay_private_key=TRIPAY_KEY, midtrans_server_key=MIDTRANS_KEY)
    app.state.settings = SimpleNamespace(callback_ips={ip for ip in callback_ips.split(",") if ip})
    return TestClient(app)


@pytest.fixture
def order(engine):
    product = make_product()
    make_account(max_seats=3)
    return checked_out(product)


def _tripay_body(order: Order, status: str = "PAID", amount: int | None = None) -> bytes:
    return json.dumps(
        {
            "reference": order.provider_reference,
            "merchant_ref": order.code,
            "payment_method": "QRIS",
            "payment_method_code": "QRIS",
            "total_amount": amount or order.amount_idr,
            "fee_merchant": 1300,
            "fee_customer": 0,
            "total_fee": 1300,
            "amount_received": (amount or order.amount_idr) - 1300,
            "is_closed_payment": 1,
            "status": status,
            "paid_at": 1764288000,
            "note": None,
        },
        separators=(",", ":"),
    ).encode()


def _post_tripay(client: TestClient, raw: bytes, key: str = TRIPAY_KEY, event: str = "payment_status"):
    return client.post(
        "/callback/tripay",
        content=raw,
        headers={
            "Content-Type": "application/json",
            "X-Callback-Event": event,
            "X-Callback-Signature": callback_signature(key, raw),
        },
    )


def _state(order: Order) -> tuple:
    with db.read_session() as s:
        current = s.get(Order, order.id)
        seats = s.exec(select(func.count()).select_from(AccountAssignment)).one()
        events = s.exec(select(func.count()).select_from(PaymentEvent)).one()
    return current.status, seats, events


def test_valid_callback_applies_and_duplicate_is_acknowledged(order) -> None:
    client = _client()
    first = _post_tripay(client, _tripay_body(order))
    assert first.status_code == 200 and first.json() == {"success": True}
    again = _post_tripay(client, _tripay_body(order))
    assert again.status_code == 200 and again.json() == {"success": True}
    assert _state(order) == ("fulfilled", 1, 2)
    with db.read_session() as s:
        events = s.exec(select(PaymentEvent).order_by(PaymentEvent.id)).all()
    assert [e.outcome for e in events] == ["applied", "duplicate"]
    assert events[0].event_key == f"tripay:{order.provider_reference}:PAID"
    assert events[0].latency_ms is not None and events[0].order_id == order.id


def test_forged_signature_is_401_recorded_and_changes_nothing(order) -> None:
    client = _client()
    response = _post_tripay(client, _tripay_body(order), key="guessed-key")
    assert response.status_code == 401 and response.json()["success"] is False
    assert _state(order) == ("pending_payment", 0, 1)
    missing_event = _post_tripay(client, _tripay_body(order), event="")
    assert missing_event.status_code == 401
    with db.read_session() as s:
        assert {e.outcome for e in s.exec(select(PaymentEvent))} == {"rejected"}


def test_malformed_body_with_valid_signature_is_400(order) -> None:
    client = _client()
    for raw in (b"{not json", b'{"reference": 5}', b'{"reference":"x","status":"PAID"}'):
        assert _post_tripay(client, raw).status_code == 400
    assert _state(order) == ("pending_payment", 0, 3)


def test_oversized_body_is_refused(order) -> None:
    client = _client()
    response = client.post(
        "/callback/tripay", content=b"x" * (64 * 1024 + 1), headers={"X-Callback-Event": "payment_status"}
    )
    assert response.status_code == 413
    assert _state(order)[0] == "pending_payment"


def test_source_ip_allow_list(order) -> None:
    client = _client(callback_ips="95.111.200.230")  # TestClient calls from "testclient"
    response = _post_tripay(client, _tripay_body(order))
    assert response.status_code == 401
    assert _state(order)[:2] == ("pending_payment", 0)


def test_unknown_order_is_404_and_recorded(order) -> None:
    raw = (
        _tripay_body(order)
        .replace(order.code.encode(), b"AG-NOTOURS01")
        .replace(order.provider_reference.encode(), b"DEV-T000")
    )
    response = _post_tripay(_client(), raw)
    assert response.status_code == 404
    with db.read_session() as s:
        assert s.exec(select(PaymentEvent)).one().outcome == "ignored"


def _midtrans_body(order: Order, status: str = "settlement", code: str = "200", **extra: str) -> dict:
    """A Midtrans notification for the order, signed with the test's server key."""
    body = {
        "order_id": order.code,
        "status_code": code,
        "gross_amount": f"{order.amount_idr}.00",
        "transaction_status": status,
        "fraud_status": "accept",
        **extra,
    }
    body["signature_key"] = notification_signature(order.code, code, body["gross_amount"], MIDTRANS_KEY)
    return body


def test_midtrans_settlement_and_bad_signature(order) -> None:
    client = _client()
    body = {
        "order_id": order.code,
        "status_code": "200",
        "gross_amount": f"{order.amount_idr}.00",
        "transaction_status": "settlement",
        "transaction_id": "mt-1",
        "fraud_status": "accept",
    }
    forged = client.post("/callback/midtrans", json=body | {"signature_key": "0" * 128})
    assert forged.status_code == 401 and _state(order)[0] == "pending_payment"
    signed = body | {"signature_key": notification_signature(order.code, "200", body["gross_amount"], MIDTRANS_KEY)}
    assert client.post("/callback/midtrans", json=signed).status_code == 200
    assert _state(order)[0] == "fulfilled"
    partial = body | {"transaction_status": "partial_refund"}
    partial["signature_key"] = notification_signature(order.code, "200", body["gross_amount"], MIDTRANS_KEY)
    assert client.post("/callback/midtrans", json=partial).status_code == 200
    assert _state(order)[0] == "fulfilled"
    assert client.post("/callback/midtrans", content=b"[oops").status_code == 400


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
)
callback_fields = st.fixed_dictionaries(
    {},
    optional={
        "reference": json_values,
        "merchant_ref": json_values,
        "status": st.sampled_from(["PAID", "EXPIRED", "FAILED", "REFUND", "UNPAID", "paid", ""]) | json_values,
        "total_amount": json_values,
        "fee_customer": json_values,
        "paid_at": json_values,
        "order_id": json_values,
        "status_code": json_values,
        "gross_amount": json_values,
        "transaction_status": json_values,
        "signature_key": json_values,
    },
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    raw=st.binary(max_size=300) | callback_fields.map(lambda d: json.dumps(d).encode()),
    sign=st.sampled_from(["none", "valid", "random"]),
    event=st.sampled_from(["payment_status", "", "other"]),
    route=st.sampled_from(["/callback/tripay", "/callback/midtrans"]),
)
def test_fuzzed_callbacks_never_500_and_never_change_an_order(order, raw, sign, event, route) -> None:
    client = _client()
    before = _state(order)[:2]
    headers = {"Content-Type": "application/json", "X-Callback-Event": event}
    if sign == "valid":
        headers["X-Callback-Signature"] = callback_signature(TRIPAY_KEY, raw)
    elif sign == "random":
        headers["X-Callback-Signature"] = hashlib.sha256(raw).hexdigest()
    response = client.post(route, content=raw, headers=headers)
    assert response.status_code < 500
    assert _state(order)[:2] == before


def test_nul_characters_are_refused_and_still_recorded(order) -> None:
    """Found by the fuzz test: PostgreSQL text refuses NUL, which used to turn these into 500s."""
    client = _client()
    assert _post_tripay(client, b"\x00").status_code == 400
    nul_ref = _tripay_body(order).replace(order.provider_reference.encode(), b"DEV\\u0000T")
    assert _post_tripay(client, nul_ref).status_code == 400
    assert (
        client.post(
            "/callback/tripay",
            content=b"\x00",
            headers={"X-Callback-Event": "payment_status", "X-Callback-Signature": "x"},
        ).status_code
        == 401
    )
    assert _state(order) == ("pending_payment", 0, 3)


def test_hostile_bodies_and_signatures_are_refused_not_500(order) -> None:
    """Found in review: non-ASCII signatures, deep nesting and lone surrogates used to give 500s."""
    client = _client()
    body = _tripay_body(order)
    non_ascii = client.post(
        "/callback/tripay",
        content=body,
        headers={"X-Callback-Event": "payment_status", "X-Callback-Signature": "é".encode("latin-1") * 64},
    )
    assert non_ascii.status_code == 401
    deep = b"[" * 60000 + b"]" * 60000
    assert (
        client.post(
            "/callback/tripay",
            content=deep[:64000],
            headers={"X-Callback-Event": "payment_status", "X-Callback-Signature": "x"},
        ).status_code
        == 401
    )
    assert client.post("/callback/midtrans", content=deep[:64000]).status_code == 400
    surrogate = b'{"reference":"\\ud800","status":"PAID"}'
    assert (
        client.post(
            "/callback/tripay",
            content=surrogate,
            headers={"X-Callback-Event": "payment_status", "X-Callback-Signature": "x"},
        ).status_code
        == 401
    )
    midtrans_non_ascii = {
        "order_id": order.code,
        "status_code": "200",
        "gross_amount": "79000.00",
        "transaction_status": "settlement",
        "signature_key": "é",
    }
    assert client.post("/callback/midtrans", json=midtrans_non_ascii).status_code == 401
    assert _state(order) == ("pending_payment", 0, 5)


@pytest.mark.parametrize("field", ["order_id", "status_code", "gross_amount"])
def test_a_lone_surrogate_in_a_midtrans_notice_is_refused_and_recorded(order, field: str) -> None:
    """Trust #9: a lone surrogate in order_id, status_code or gross_amount answered 500 and left no event row."""
    body = _midtrans_body(order)
    raw = json.dumps(body).replace(json.dumps(body[field]), json.dumps(body[field])[:-1] + '\\ud800"', 1)
    response = _client().post("/callback/midtrans", content=raw.encode(), headers={"Content-Type": "application/json"})
    assert response.status_code == 401, response.text  # its signature cannot match any more
    assert _state(order) == ("pending_payment", 0, 1)  # one event row, nothing else
    with db.read_session() as s:
        event = s.exec(select(PaymentEvent)).one()
    assert event.outcome == "rejected" and "\\ud800" in event.raw_body


def test_a_lone_surrogate_in_a_signed_tripay_callback_is_refused_and_recorded(order) -> None:
    """Trust #9: a signed Tripay body carrying one answered 500."""
    raw = _tripay_body(order).replace(order.code.encode(), order.code.encode() + b"\\ud800")
    response = _post_tripay(_client(), raw)
    assert response.status_code == 400, response.text
    assert _state(order) == ("pending_payment", 0, 1)  # one event row, nothing else
    with db.read_session() as s:
        event = s.exec(select(PaymentEvent)).one()
    assert event.outcome == "rejected" and "surrogate" in event.detail


def test_midtrans_refund_after_settlement_frees_the_seat(engine) -> None:
    """Found in review: Midtrans notices carried transaction_id as the reference, so only PAID was applied."""
    product = make_product()
    make_account(max_seats=3)
    order = make_order(product)
    checkout = Checkout(provider="midtrans", reference=order.code, method="MIDTRANS", checkout_url="http://snap")
    db.in_transaction(lambda s: attach_checkout(session=s, order_id=order.id, checkout=checkout, actor="test"))
    client = _client()

    def notify(status: str, code: str) -> int:
        body = _midtrans_body(order, status, code, transaction_id="c0ffee-1234")
        return client.post("/callback/midtrans", json=body).status_code

    assert notify("settlement", "200") == 200
    assert notify("refund", "200") == 200
    with db.read_session() as s:
        assert s.get(Order, order.id).status == "refunded"
        assert s.exec(select(AccountAssignment)).one().status == "REVOKED"
        outcomes = [e.outcome for e in s.exec(select(PaymentEvent).order_by(PaymentEvent.id))]
    assert outcomes == ["applied", "applied"]


def test_a_second_payment_on_another_transaction_alerts_the_admins(order) -> None:
    """Found in review: paying twice (e.g. before and after a failover) was filed as a plain duplicate."""
    client = _client()
    assert _post_tripay(client, _tripay_body(order)).status_code == 200
    assert client.post("/callback/midtrans", json=_midtrans_body(order)).status_code == 200
    with db.read_session() as s:
        from domain.shared.models import AdminAlert

        alert = s.exec(select(AdminAlert).where(AdminAlert.kind == "double_payment")).one()
        last = s.exec(select(PaymentEvent).order_by(PaymentEvent.id.desc())).first()
    assert order.code in alert.message and last.outcome == "duplicate"
    assert _state(order)[:2] == ("fulfilled", 1)


def test_callbacks_are_counted_for_prometheus(order) -> None:
    from domain.admin.shop_state import render

    def count(outcome: str) -> float:
        for line in render().decode().splitlines():
            if (
                line.startswith("aksesgpt_webhook_requests_total")
                and f'outcome="{outcome}"' in line
                and 'provider="tripay"' in line
            ):
                return float(line.split()[-1])
        return 0.0

    applied, rejected = count("applied"), count("rejected")
    client = _client()
    _post_tripay(client, _tripay_body(order))
    _post_tripay(client, _tripay_body(order), key="wrong")
    assert count("applied") == applied + 1 and count("rejected") == rejected + 1
