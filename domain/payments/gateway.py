"""The protocol the payment integrations implement; the domain sees gateways only through it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from domain.shared.errors import DomainError


class GatewayError(DomainError):
    """A gateway call failed for a reason that is not the customer's (timeout, 5xx, outage):
    another gateway may succeed."""

    code = "gateway_unavailable"


class GatewayRejected(DomainError):
    """The gateway refused the request because of its content (bad channel, amount out of range)."""

    code = "gateway_rejected"


class PaymentStatus(StrEnum):
    """A gateway's word on a transaction, mapped onto one vocabulary."""

    UNPAID = "UNPAID"
    PAID = "PAID"
    EXPIRED = "EXPIRED"
    FAILED = "FAILED"
    REFUND = "REFUND"


@dataclass(frozen=True)
class PaymentChannel:
    code: str
    name: str
    group: str  # QRIS, Virtual Account, E-Wallet, Convenience Store
    kind: str  # direct (pay code / QR) or redirect (e-wallet page)
    fee_customer_idr: int = 0
    minimum_amount: int = 0
    maximum_amount: int = 0
    icon_url: str = ""


@dataclass(frozen=True)
class CheckoutRequest:
    merchant_ref: str
    amount_idr: int
    method: str
    customer_name: str
    customer_email: str
    customer_phone: str
    item_name: str
    return_url: str
    expires_at: datetime


@dataclass(frozen=True)
class Checkout:
    provider: str
    reference: str
    method: str
    checkout_url: str
    pay_code: str | None = None
    qr_string: str | None = None
    expires_at: datetime | None = None
    instructions: list[dict] = field(default_factory=list)
    fee_customer_idr: int | None = None  # the channel's fee the customer pays on top (None: the gateway says none)


@dataclass(frozen=True)
class TransactionState:
    """What the gateway says of one transaction (a callback, or a status query)."""

    provider: str
    reference: str
    merchant_ref: str
    status: PaymentStatus
    amount_idr: int | None = None
    paid_at: datetime | None = None
    fee_idr: int | None = None  # what the gateway keeps (Tripay's fee_merchant); Midtrans says none


class CustomerFees(Protocol):
    """A gateway that can say what each channel costs the customer for an amount (Tripay's fee calculator)."""

    def customer_fees(self, *, amount_idr: int) -> dict[str, int]: ...


class PaymentGateway(Protocol):
    name: str

    def channels(self) -> list[PaymentChannel]: ...

    def create_transaction(self, request: CheckoutRequest) -> Checkout: ...

    def transaction_state(self, *, reference: str, merchant_ref: str) -> TransactionState: ...
