"""The payment_events log: one row per callback request, whatever became of it."""

from __future__ import annotations

import json

from sqlmodel import Session

from domain.payments.gateway import (
    TransactionState,
)
from domain.shared.models import EventOutcome, PaymentEvent
from infra.changes import announce
from infra.rows import insert_at_commit


def record_payment_event(
    *,
    session: Session,
    provider: str,
    raw_body: bytes,
    headers: dict[str, str],
    signature_valid: bool,
    outcome: EventOutcome,
    detail: str = "",
    latency_ms: float | None = None,
    order_id: int | None = None,
    state: TransactionState | None = None,
) -> None:
    """Keep one callback request, whatever became of it (written when the transaction commits)."""
    key = f"{provider}:{state.reference}:{state.status}" if state else _claimed_key(provider, raw_body)
    values = {
        "provider": provider,
        "event_key": _storable(key)[:160],
        "headers": {_storable(k): _storable(v) for k, v in headers.items()},
        "raw_body": _storable(raw_body.decode("utf-8", errors="replace")),
        "signature_valid": signature_valid,
        "outcome": outcome,
        "detail": _storable(detail)[:500],
        "latency_ms": latency_ms,
        "order_id": order_id,
    }
    insert_at_commit(session=session, model=PaymentEvent, values=values)
    announce(session=session, topics=("payment_event",))  # the admin's webhook log and overview follow it


def _claimed_key(provider: str, raw_body: bytes) -> str:
    """For a refused request: the transaction and status it claims, so forgeries show beside the real ones."""
    try:
        data = json.loads(raw_body)
    except (ValueError, RecursionError):
        return f"{provider}:?"
    if not isinstance(data, dict):
        return f"{provider}:?"
    reference = data.get("reference") or data.get("order_id") or "?"
    status = data.get("status") or data.get("transaction_status") or "?"
    return f"{provider}:{reference}:{status} (claimed)"


def _storable(text: str) -> str:
    """Text any database keeps: no NUL (PostgreSQL refuses it) and no lone surrogates (not encodable),
    both of which hostile bodies may carry."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8").replace("\x00", "\\u0000")
