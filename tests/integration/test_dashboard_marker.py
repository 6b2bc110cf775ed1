"""The overview's change marker: it moves with every change the overview shows, whatever wrote it."""

from __future__ import annotations

from domain.admin.dashboard import change_marker
from domain.payments.events import record_payment_event
from domain.shared.models import EventOutcome
from infra import db
from tests.helpers import make_account, make_order, make_product, pay


def _marker() -> tuple[int, int]:
    with db.read_session() as session:
        return change_marker(session=session)


def test_the_marker_moves_with_a_payment_and_with_a_refused_callback(engine) -> None:
    product = make_product()
    make_account(max_seats=2)
    order = make_order(product)
    before = _marker()
    assert _marker() == before  # reading changes nothing
    pay(order)
    after_payment = _marker()
    assert after_payment[0] > before[0]
    db.in_transaction(
        lambda s: record_payment_event(
            session=s,
            provider="tripay",
            raw_body=b"{}",
            headers={},
            signature_valid=False,
            outcome=EventOutcome.REJECTED,
            detail="invalid signature",
            latency_ms=1.0,
        )
    )
    assert _marker()[1] > after_payment[1]
