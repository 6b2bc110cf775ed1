"""Signatures and parsing against the vendors' published vectors (../shared/reference/payment-gateways.md)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from domain.payments.gateway import GatewayRejected, PaymentStatus
from integrations import midtrans, tripay

# Tripay's documentation sample key: a public example value, not a secret.
DOC_PRIVATE_KEY = "ytf6ooi2gmlNPfpchd94jDOk8hRWOu"
DOC_CALLBACK = (
    b'{"reference":"T0001000023000XXXXX","merchant_ref":"INV123456","payment_method":"BCA Virtual Account",'
    b'"payment_method_code":"BCAVA","total_amount":200000,"fee_merchant":2000,"fee_customer":0,"total_fee":2000,'
    b'"amount_received":198000,"is_closed_payment":1,"status":"PAID","paid_at":1608133017,"note":null}'
)
MIDTRANS_DOC_KEY = "askvnoibnosifnboseofinbofinfgbiufglnbfg"  # Midtrans docs' sample key


def test_tripay_create_signature_matches_the_official_vector() -> None:
    assert tripay.create_signature(DOC_PRIVATE_KEY, "T0001", "INV55567", 1500000) == (
        "9f167eba844d1fcb369404e2bda53702e2f78f7aa12e91da6715414e65b8c86a"
    )


def test_tripay_callback_signature_is_over_the_raw_bytes() -> None:
    assert tripay.callback_signature(DOC_PRIVATE_KEY, DOC_CALLBACK) == (
        "e121a11a737e7828da392bee3767ebd61ffbe268cc09b31580a61274316a6e60"
    )
    reserialised = json.dumps(json.loads(DOC_CALLBACK)).encode()
    assert reserialised != DOC_CALLBACK
    assert tripay.callback_signature(DOC_PRIVATE_KEY, reserialised) == (
        "9f3b3698f19aacaedf59b9a17a5754c484a4a54fef9624964914d32a251a81cc"
    )
    good = "e121a11a737e7828da392bee3767ebd61ffbe268cc09b31580a61274316a6e60"
    assert tripay.verify_callback(DOC_PRIVATE_KEY, DOC_CALLBACK, good, "payment_status")
    assert tripay.verify_callback(DOC_PRIVATE_KEY, DOC_CALLBACK, good.upper(), "payment_status")
    assert not tripay.verify_callback(DOC_PRIVATE_KEY, reserialised, good, "payment_status"), "bytes differ"
    assert not tripay.verify_callback(DOC_PRIVATE_KEY, DOC_CALLBACK, good, None), "event header required"
    assert not tripay.verify_callback(DOC_PRIVATE_KEY, DOC_CALLBACK, good, "payment_other")
    assert not tripay.verify_callback("", DOC_CALLBACK, good, "payment_status")
    assert not tripay.verify_callback(DOC_PRIVATE_KEY, DOC_CALLBACK, None, "payment_status")


def test_tripay_callback_parsing_tolerates_type_quirks() -> None:
    state = tripay.parse_callback(DOC_CALLBACK)
    assert (state.reference, state.merchant_ref, state.status, state.amount_idr) == (
        "T0001000023000XXXXX",
        "INV123456",
        PaymentStatus.PAID,
        200000,
    )
    assert state.paid_at == datetime.fromtimestamp(1608133017, tz=UTC)
    as_string = DOC_CALLBACK.replace(b'"paid_at":1608133017', b'"paid_at":"1608133017"')
    assert tripay.parse_callback(as_string).paid_at == state.paid_at
    unpaid = DOC_CALLBACK.replace(b'"paid_at":1608133017', b'"paid_at":null').replace(b'"PAID"', b'"EXPIRED"')
    assert tripay.parse_callback(unpaid).paid_at is None
    with pytest.raises(ValueError):
        tripay.parse_callback(b'{"status":"PAID"}')
    with pytest.raises(ValueError):
        tripay.parse_callback(b"[1,2]")
    with pytest.raises(GatewayRejected):
        tripay.parse_callback(DOC_CALLBACK.replace(b'"PAID"', b'"WEIRD"'))


def test_midtrans_signature_uses_the_exact_gross_amount_string() -> None:
    assert midtrans.notification_signature("1111", "200", "100000.00", MIDTRANS_DOC_KEY) == (
        "edc076b21793ebe3e17926350f5b8ae67d902fe657b3d0aa31b932d5c127e2375d308a2bc94f3265ac2d80a1f181a79b997ac178a2"
        "36fcff35af263fc4d4c231"
    )
    assert midtrans.notification_signature("1111", "200", "100000", MIDTRANS_DOC_KEY) == (
        "5f363520e86c10c2ea14074cd09dc1d67299633558abe291ded95a16908f9ec5071e982c289c3333bcbcfe62dd8e78ae4c3d3bd921"
        "91707ba2e91f7169d8411a"
    )
    body = {
        "order_id": "1111",
        "status_code": "200",
        "gross_amount": "100000.00",
        "signature_key": midtrans.notification_signature("1111", "200", "100000.00", MIDTRANS_DOC_KEY),
    }
    assert midtrans.verify_notification(body, MIDTRANS_DOC_KEY)
    assert not midtrans.verify_notification(body | {"gross_amount": "100000"}, MIDTRANS_DOC_KEY)
    assert not midtrans.verify_notification(body | {"status_code": 200}, MIDTRANS_DOC_KEY)
    assert not midtrans.verify_notification(body, "")
    assert not midtrans.verify_notification(["not", "a", "dict"], MIDTRANS_DOC_KEY)


@pytest.mark.parametrize(
    ("status", "fraud", "expected"),
    [
        ("settlement", None, PaymentStatus.PAID),
        ("capture", "accept", PaymentStatus.PAID),
        ("capture", None, PaymentStatus.PAID),
        ("capture", "challenge", PaymentStatus.UNPAID),
        ("pending", None, PaymentStatus.UNPAID),
        ("expire", None, PaymentStatus.EXPIRED),
        ("deny", None, PaymentStatus.FAILED),
        ("cancel", None, PaymentStatus.FAILED),
        ("refund", None, PaymentStatus.REFUND),
    ],
)
def test_midtrans_paid_rule(status, fraud, expected) -> None:
    assert midtrans.map_status(status, fraud) == expected


def test_midtrans_partial_refund_is_left_to_a_person() -> None:
    with pytest.raises(GatewayRejected):
        midtrans.map_status("partial_refund", None)
    state = midtrans.parse_notification(
        {
            "order_id": "AG-1",
            "transaction_id": "abc",
            "transaction_status": "settlement",
            "gross_amount": "79000.00",
            "status_code": "200",
            "settlement_time": "2026-11-28 10:00:00",
        }
    )
    assert state.amount_idr == 79000 and state.paid_at == datetime(2026, 11, 28, 3, 0, tzinfo=UTC)
    assert (
        midtrans.parse_notification(
            {"order_id": "AG-1", "transaction_status": "settlement", "gross_amount": "79000.50", "status_code": "200"}
        ).amount_idr
        is None
    )


def test_midtrans_status_must_agree_with_the_signed_status_code() -> None:
    """The signature covers status_code only: a pending notice (201) edited to settlement is refused."""
    edited = {"order_id": "AG-1", "transaction_status": "settlement", "gross_amount": "79000.00", "status_code": "201"}
    with pytest.raises(GatewayRejected, match="does not confirm"):
        midtrans.parse_notification(edited)
    with pytest.raises(GatewayRejected):
        midtrans.parse_notification(edited | {"transaction_status": "expire"})
    assert midtrans.parse_notification(edited | {"transaction_status": "pending"}).status == PaymentStatus.UNPAID
