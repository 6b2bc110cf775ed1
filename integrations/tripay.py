"""Tripay (tripay.co.id) over httpx: channels, fees, closed transactions, status, callback signatures.

Facts and vectors: ../shared/reference/payment-gateways.md part A."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import threading
import time
from datetime import UTC, datetime
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

log = logging.getLogger("aksesgpt.tripay")
PROVIDER = "tripay"
CALLBACK_EVENT = "payment_status"
# merchant-side failures: another gateway can still take the order
_NOT_CUSTOMERS_FAULT = ("invalid api key", "unauthorized ip", "credential mismatch", "invalid signature", "maintenance")
_GROUPS = {"virtual account": "Virtual Account", "e-wallet": "E-Wallet", "convenience store": "Convenience Store"}


def create_signature(private_key: str, merchant_code: str, merchant_ref: str, amount: int) -> str:
    """hex HMAC-SHA256(private_key, merchant_code + merchant_ref + amount) for transaction/create."""
    message = f"{merchant_code}{merchant_ref}{int(amount)}".encode()
    return hmac.new(private_key.encode(), message, hashlib.sha256).hexdigest()


def callback_signature(private_key: str, raw_body: bytes) -> str:
    """hex HMAC-SHA256 of the callback's raw body bytes (never of a re-serialisation)."""
    return hmac.new(private_key.encode(), raw_body, hashlib.sha256).hexdigest()


def verify_callback(private_key: str, raw_body: bytes, signature: str | None, event: str | None) -> bool:
    if not private_key or not signature or event != CALLBACK_EVENT:
        return False
    # bytes, not str: compare_digest refuses non-ASCII text, and the header is the caller's to choose
    given = signature.strip().lower().encode("utf-8", "backslashreplace")
    return hmac.compare_digest(callback_signature(private_key, raw_body).encode(), given)


def _timestamp(value: Any) -> datetime | None:
    """Tripay sends paid_at as an int in callbacks and as a digit string in transaction/detail."""
    if value in (None, "", 0, "0"):
        return None
    try:
        return datetime.fromtimestamp(int(value), tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def _status(value: Any) -> PaymentStatus:
    try:
        return PaymentStatus(str(value).upper())
    except ValueError:
        raise GatewayRejected(f"unknown Tripay status {value!r}") from None


def parse_callback(raw_body: bytes) -> TransactionState:
    """The transaction state a (verified) callback body announces; ValueError when malformed."""
    try:
        data = json.loads(raw_body)
    except RecursionError:
        raise ValueError("callback body nests too deeply") from None
    if not isinstance(data, dict) or not isinstance(data.get("reference"), str):
        raise ValueError("callback body lacks a reference")
    try:
        amount = int(data["total_amount"]) - int(data.get("fee_customer") or 0)
    except (KeyError, TypeError, ValueError):
        raise ValueError("callback body lacks a whole total_amount") from None
    merchant_ref = data.get("merchant_ref")
    if unstorable(data["reference"], merchant_ref):
        raise ValueError("callback body carries NUL characters or lone surrogates")
    return TransactionState(
        provider=PROVIDER,
        reference=data["reference"],
        merchant_ref=str(merchant_ref) if merchant_ref is not None else "",
        status=_status(data.get("status")),
        amount_idr=amount,
        paid_at=_timestamp(data.get("paid_at")),
        fee_idr=_merchant_fee(data),
    )


def _merchant_fee(data: dict[str, Any]) -> int | None:
    """What Tripay keeps of a paid callback: fee_merchant, or total_fee less fee_customer; None when unsaid."""
    try:
        if data.get("fee_merchant") is not None:
            fee = int(data["fee_merchant"])
        elif data.get("total_fee") is not None:
            fee = int(data["total_fee"]) - int(data.get("fee_customer") or 0)
        else:
            return None
    except (TypeError, ValueError):
        return None
    return fee if fee >= 0 else None


class TripayClient:
    """A Tripay merchant API client (sandbox or production by base URL)."""

    name = PROVIDER

    def __init__(
        self,
        *,
        base_url: str,
        merchant_code: str,
        api_key: str,
        private_key: str,
        callback_url: str = "",
        timeout: float = 10.0,
        channel_ttl: float = 300.0,
        fee_ttl: float = 120.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.merchant_code = merchant_code
        self.private_key = private_key
        self.callback_url = callback_url
        self._http = httpx.Client(
            base_url=base_url.rstrip("/") + "/",
            headers={"Authorization": f"Bearer {api_key}", "Accept": "application/json"},
            timeout=httpx.Timeout(timeout, connect=5.0),
            transport=transport,
        )
        self._channel_ttl = channel_ttl
        self._channels: tuple[float, list[PaymentChannel]] | None = None
        self._fee_ttl = fee_ttl
        self._fees: dict[int, tuple[float, dict[str, int]]] = {}  # by amount: (when asked, customer fee by channel)
        self._lock = threading.Lock()

    def close(self) -> None:
        self._http.close()

    def _request(self, method: str, path: str, **kwargs: Any) -> Any:
        """One call with one retry on a connect error; returns `data` of a successful envelope."""
        response = call(self._http, "Tripay", method, path, **kwargs)
        try:
            body = response.json()
        except ValueError:
            raise GatewayError(f"Tripay answered non-JSON (HTTP {response.status_code}) on {path}") from None
        if not isinstance(body, dict) or body.get("success") is not True:
            message = str(body.get("message") if isinstance(body, dict) else "") or f"HTTP {response.status_code}"
            if response.status_code in (401, 403) or any(m in message.lower() for m in _NOT_CUSTOMERS_FAULT):
                raise GatewayError(f"Tripay refused the merchant: {message}")
            raise GatewayRejected(f"Tripay refused the request: {message}")
        return body.get("data")

    def channels(self) -> list[PaymentChannel]:
        """Active payment channels, cached for `channel_ttl` seconds."""
        with self._lock:
            if self._channels and time.monotonic() - self._channels[0] < self._channel_ttl:
                return self._channels[1]
        items = self._request("GET", "merchant/payment-channel") or []
        channels = [
            PaymentChannel(
                code=str(item["code"]),
                name=str(item.get("name") or item["code"]),
                group="QRIS"
                if "QRIS" in str(item["code"]).upper()
                else _GROUPS.get(str(item.get("group", "")).lower(), str(item.get("group") or "Lainnya")),
                kind=str(item.get("type") or "direct").lower(),
                fee_customer_idr=_flat_fee(item.get("fee_customer")),
                minimum_amount=int(item.get("minimum_amount") or 0),
                maximum_amount=int(item.get("maximum_amount") or 0),
                icon_url=str(item.get("icon_url") or ""),
            )
            for item in items
            if item.get("active", True)
        ]
        with self._lock:
            self._channels = (time.monotonic(), channels)
        return channels

    def fee(self, *, amount_idr: int, code: str) -> dict[str, int]:
        """What the fee calculator says one channel costs: {'merchant': …, 'customer': …}."""
        data = self._request("GET", "merchant/fee-calculator", params={"amount": amount_idr, "code": code}) or []
        item = data[0] if isinstance(data, list) and data else {}
        total = item.get("total_fee") or {}
        return {"merchant": int(total.get("merchant") or 0), "customer": int(total.get("customer") or 0)}

    def customer_fees(self, *, amount_idr: int) -> dict[str, int]:
        """What each channel costs the customer on top of `amount_idr` (the fee calculator asked for every channel
        at once), remembered per amount for `fee_ttl` seconds: a checkout page costs one call, not one per channel."""
        now = time.monotonic()
        with self._lock:
            hit = self._fees.get(amount_idr)
            if hit and now - hit[0] < self._fee_ttl:
                return hit[1]
        data = self._request("GET", "merchant/fee-calculator", params={"amount": amount_idr}) or []
        fees: dict[str, int] = {}
        for item in data if isinstance(data, list) else []:
            try:
                fees[str(item["code"])] = max(0, int((item.get("total_fee") or {}).get("customer") or 0))
            except (KeyError, TypeError, ValueError, AttributeError):
                continue
        with self._lock:
            if len(self._fees) > 256:  # a handful of package prices: never a growing map
                self._fees.clear()
            self._fees[amount_idr] = (now, fees)
        return fees

    def create_transaction(self, request: CheckoutRequest) -> Checkout:
        payload = {
            "method": request.method,
            "merchant_ref": request.merchant_ref,
            "amount": request.amount_idr,
            "customer_name": request.customer_name,
            "customer_email": request.customer_email,
            "customer_phone": request.customer_phone,
            "order_items": [
                {"sku": request.merchant_ref, "name": request.item_name, "price": request.amount_idr, "quantity": 1}
            ],
            "return_url": request.return_url,
            "expired_time": int(request.expires_at.timestamp()),
            "signature": create_signature(
                self.private_key, self.merchant_code, request.merchant_ref, request.amount_idr
            ),
        }
        if self.callback_url:
            payload["callback_url"] = self.callback_url
        data = self._request("POST", "transaction/create", json=payload)
        pay_code = data.get("pay_code")
        return Checkout(
            provider=PROVIDER,
            reference=str(data["reference"]),
            method=str(data.get("payment_method") or request.method),
            checkout_url=str(data.get("pay_url") or data.get("checkout_url") or ""),
            pay_code=str(pay_code) if pay_code not in (None, "") else None,
            qr_string=data.get("qr_string") or None,
            expires_at=_timestamp(data.get("expired_time")),
            instructions=list(data.get("instructions") or []),
            fee_customer_idr=_whole(data.get("fee_customer")),
        )

    def transaction_state(self, *, reference: str, merchant_ref: str = "") -> TransactionState:
        data = self._request("GET", "transaction/detail", params={"reference": reference})
        amount = data.get("amount")
        return TransactionState(
            provider=PROVIDER,
            reference=str(data.get("reference") or reference),
            merchant_ref=str(data.get("merchant_ref") or merchant_ref),
            status=_status(data.get("status")),
            amount_idr=int(amount) - int(data.get("fee_customer") or 0) if amount is not None else None,
            paid_at=_timestamp(data.get("paid_at")),
        )


def _whole(value: Any) -> int | None:
    try:
        return max(0, int(value)) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _flat_fee(fee: Any) -> int:
    """The flat part of a fee object ({flat, percent}); percentages are shown by the fee calculator."""
    if isinstance(fee, dict):
        try:
            return int(fee.get("flat") or 0)
        except (TypeError, ValueError):
            return 0
    return 0
