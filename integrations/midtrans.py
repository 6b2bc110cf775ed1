"""Midtrans Snap over httpx: create, notification signature, status API (the fallback gateway).

Facts and vectors: ../shared/reference/payment-gateways.md part B."""

from __future__ import annotations

import hashlib
import hmac
import logging
from datetime import datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from typing import Any

import httpx

from domain.payments.gateway import (
    Checkout,
    CheckoutRequest,
    GatewayError,
    GatewayRejected,
    PaymentChannel,
    PaymentStatus,
    TransactionState,
)
from domain.shared.validation import unstorable
from integrations.http import call

log = logging.getLogger("aksesgpt.midtrans")
PROVIDER = "midtrans"
SNAP_URLS = {False: "https://app.sandbox.midtrans.com/", True: "https://app.midtrans.com/"}
API_URLS = {False: "https://api.sandbox.midtrans.com/", True: "https://api.midtrans.com/"}
WIB = timezone(timedelta(hours=7))
SNAP_CHANNEL = PaymentChannel(
    code="MIDTRANS", name="Midtrans (pilih metode di halaman pembayaran)", group="Midtrans", kind="redirect"
)
# a Tripay channel chosen by the customer narrows Snap to the same kind of payment on failover
_ENABLED_PAYMENTS = {
    "QRIS": ["other_qris", "gopay"],
    "BRIVA": ["bri_va"],
    "BNIVA": ["bni_va"],
    "BCAVA": ["bca_va"],
    "PERMATAVA": ["permata_va"],
    "MANDIRIVA": ["echannel"],
    "OVO": ["other_qris"],
    "DANA": ["other_qris"],
    "SHOPEEPAY": ["shopeepay"],
    "ALFAMART": ["alfamart"],
    "INDOMARET": ["indomaret"],
}


def notification_signature(order_id: str, status_code: str, gross_amount: str, server_key: str) -> str:
    """hex SHA-512 of order_id + status_code + gross_amount + server_key, over the exact strings sent."""
    # surrogatepass: a lone surrogate in a forged body must not raise (it simply cannot match)
    return hashlib.sha512(
        f"{order_id}{status_code}{gross_amount}{server_key}".encode("utf-8", "surrogatepass")
    ).hexdigest()


def verify_notification(data: Any, server_key: str) -> bool:
    if not server_key or not isinstance(data, dict):
        return False
    order_id, status_code, gross_amount, signature = (
        data.get(k) for k in ("order_id", "status_code", "gross_amount", "signature_key")
    )
    if not (
        isinstance(order_id, str)
        and isinstance(status_code, str)
        and isinstance(gross_amount, str)
        and isinstance(signature, str)
    ):
        return False
    expected = notification_signature(order_id, status_code, gross_amount, server_key)
    given = signature.strip().lower().encode("utf-8", "backslashreplace")  # bytes: non-ASCII must not raise
    return hmac.compare_digest(expected.encode(), given)


def map_status(transaction_status: str, fraud_status: str | None) -> PaymentStatus:
    """Midtrans' paid rule: settlement, or capture with fraud_status accept (or absent)."""
    status = (transaction_status or "").lower()
    if status == "settlement" or (status == "capture" and (fraud_status or "accept").lower() == "accept"):
        return PaymentStatus.PAID
    if status in ("pending", "authorize", "capture"):  # capture under challenge waits for a decision
        return PaymentStatus.UNPAID
    if status == "expire":
        return PaymentStatus.EXPIRED
    if status in ("deny", "cancel", "failure"):
        return PaymentStatus.FAILED
    if status in ("refund", "chargeback"):
        return PaymentStatus.REFUND
    raise GatewayRejected(f"Midtrans status {transaction_status!r} is not handled automatically")


def _amount(value: Any) -> int | None:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return int(amount) if amount == amount.to_integral_value() else None


def _wib_time(value: Any) -> datetime | None:
    try:
        return datetime.strptime(str(value), "%Y-%m-%d %H:%M:%S").replace(tzinfo=WIB)
    except ValueError:
        return None


def parse_notification(data: dict[str, Any]) -> TransactionState:
    """The state a (verified) notification or status response announces."""
    fraud = data.get("fraud_status")
    status = map_status(str(data.get("transaction_status") or ""), str(fraud) if fraud is not None else None)
    # the signature covers status_code, not transaction_status: the two must agree, or a genuine
    # "pending" notice could be replayed with its status edited
    code = str(data.get("status_code") or "")
    if (status in (PaymentStatus.PAID, PaymentStatus.REFUND) and code != "200") or (
        status in (PaymentStatus.EXPIRED, PaymentStatus.FAILED) and code == "201"
    ):
        raise GatewayRejected(f"status_code {code!r} does not confirm transaction_status {status.value}")
    if unstorable(data.get("order_id"), data.get("transaction_id"), data.get("gross_amount")):
        raise GatewayRejected("notification carries NUL characters or lone surrogates")
    return TransactionState(
        provider=PROVIDER,
        # we keep Snap transactions under their order_id (Snap has no transaction id until the customer pays)
        reference=str(data.get("order_id") or ""),
        merchant_ref=str(data.get("order_id") or ""),
        status=status,
        amount_idr=_amount(data.get("gross_amount")),
        paid_at=_wib_time(data.get("settlement_time") or data.get("transaction_time")) if status == "PAID" else None,
    )


class MidtransClient:
    """Snap for checkout, the Core API for status."""

    name = PROVIDER

    def __init__(
        self,
        *,
        server_key: str,
        is_production: bool = False,
        snap_url: str = "",
        api_url: str = "",
        notification_url: str = "",
        timeout: float = 10.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.server_key = server_key
        self.notification_url = notification_url
        auth = httpx.BasicAuth(server_key, "")
        common: dict[str, Any] = {
            "auth": auth,
            "headers": {"Accept": "application/json"},
            "timeout": httpx.Timeout(timeout, connect=5.0),
            "transport": transport,
        }
        self._snap = httpx.Client(base_url=(snap_url or SNAP_URLS[is_production]).rstrip("/") + "/", **common)
        self._api = httpx.Client(base_url=(api_url or API_URLS[is_production]).rstrip("/") + "/", **common)

    def close(self) -> None:
        self._snap.close()
        self._api.close()

    @staticmethod
    def _call(client: httpx.Client, method: str, path: str, **kwargs: Any) -> httpx.Response:
        response = call(client, "Midtrans", method, path, **kwargs)
        if response.status_code in (401, 403):
            raise GatewayError("Midtrans refused the server key (check MIDTRANS_SERVER_KEY and MIDTRANS_IS_PRODUCTION)")
        return response

    def channels(self) -> list[PaymentChannel]:
        return [SNAP_CHANNEL]

    def create_transaction(self, request: CheckoutRequest) -> Checkout:
        payload: dict[str, Any] = {
            "transaction_details": {"order_id": request.merchant_ref, "gross_amount": request.amount_idr},
            "item_details": [
                {"id": request.merchant_ref, "price": request.amount_idr, "quantity": 1, "name": request.item_name[:50]}
            ],
            "customer_details": {
                "first_name": request.customer_name,
                "email": request.customer_email,
                "phone": request.customer_phone,
            },
            "callbacks": {"finish": request.return_url},
            "expiry": {
                "start_time": datetime.now(WIB).strftime("%Y-%m-%d %H:%M:%S +0700"),
                "unit": "minute",
                "duration": max(1, int((request.expires_at - datetime.now(WIB)).total_seconds() // 60)),
            },
        }
        if request.method.upper() in _ENABLED_PAYMENTS:
            payload["enabled_payments"] = _ENABLED_PAYMENTS[request.method.upper()]
        headers = {"X-Override-Notification": self.notification_url} if self.notification_url else {}
        response = self._call(self._snap, "POST", "snap/v1/transactions", json=payload, headers=headers)
        try:
            body = response.json()
        except ValueError:
            raise GatewayError(f"Midtrans answered non-JSON (HTTP {response.status_code})") from None
        if response.status_code not in (200, 201) or "redirect_url" not in body:
            messages = "; ".join(body.get("error_messages") or []) if isinstance(body, dict) else ""
            raise GatewayRejected(f"Midtrans refused the transaction: {messages or response.status_code}")
        return Checkout(
            provider=PROVIDER,
            reference=request.merchant_ref,
            method="MIDTRANS",
            checkout_url=str(body["redirect_url"]),
            expires_at=request.expires_at,
        )

    def transaction_state(self, *, reference: str, merchant_ref: str = "") -> TransactionState:
        order_id = merchant_ref or reference
        response = self._call(self._api, "GET", f"v2/{order_id}/status")
        try:
            body = response.json()
        except ValueError:
            raise GatewayError(f"Midtrans status answered non-JSON (HTTP {response.status_code})") from None
        if response.status_code == 404 or str(body.get("status_code")) == "404":
            # Snap: no transaction until the customer picks a method; still unpaid
            return TransactionState(
                provider=PROVIDER, reference=reference, merchant_ref=order_id, status=PaymentStatus.UNPAID
            )
        state = parse_notification(body)
        return TransactionState(
            provider=PROVIDER,
            reference=reference,
            merchant_ref=order_id,
            status=state.status,
            amount_idr=state.amount_idr,
            paid_at=state.paid_at,
        )
