"""Callbacks applied together in one transaction (group commit) end exactly as they would one by one."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from dataclasses import replace

import pytest
import sqlalchemy as sa
from sqlmodel import func, select

from domain.payments.callbacks import CallbackJob, CallbackOutcome, _may_join_batch, process_callback, process_callbacks
from domain.shared.audit import record_audit
from domain.shared.models import (
    AccountAssignment,
    AssignmentStatus,
    AuditLog,
    EmailOutbox,
    EventOutcome,
    Order,
    PaymentEvent,
)
from infra import db, db_errors
from infra.metrics import CALLBACK_BATCH_REPLAYS
from integrations import tripay
from runtime.callback_writer import CallbackWriter
from tests.helpers import checked_out, invariants, make_account, make_product


def _job(
    order: Order | None, status: str = "PAID", *, signed: bool = True, reference: str | None = None
) -> CallbackJob:
    raw = json.dumps(
        {
            "reference": reference or (order.provider_reference if order else "DEV-Tnobody"),
            "merchant_ref": order.code if order else "INV-NOBODY",
            "payment_method": "QRIS",
            "total_amount": order.amount_idr if order else 79_000,
            "status": status,
            "paid_at": 1764288000,
        },
        separators=(",", ":"),
    ).encode()
    return CallbackJob(
        provider="tripay",
        raw_body=raw,
        headers={"x-callback-event": "payment_status"},
        started=time.perf_counter(),
        signature_valid=signed,
        state=tripay.parse_callback(raw) if signed else None,
    )


def _story(prefix: str) -> tuple[dict[str, Order], list[CallbackJob]]:
    """Two pools: `prefix`-main with one 2-seat account and `prefix`-side with one seat; the notices
    cover a fulfilment, a duplicate, a full pool, a forgery, a stale EXPIRED, a refund that frees a seat
    for the order waiting, and a later payment that must queue behind it."""
    main = make_product(slug=f"{prefix}-main", pool=f"{prefix}-main")
    side = make_product(slug=f"{prefix}-side", pool=f"{prefix}-side")
    make_account(max_seats=2, pool=f"{prefix}-main")
    make_account(max_seats=1, pool=f"{prefix}-side")
    orders = {name: checked_out(main) for name in ("d0", "d1", "d2", "d3", "d4")} | {"s0": checked_out(side)}
    jobs = [
        _job(orders["d0"]),
        _job(orders["d0"]),  # the gateway delivered twice
        _job(orders["d1"]),  # the pool is now full
        _job(orders["d2"]),  # waits for stock
        _job(orders["d3"], signed=False),  # forged: changes nothing
        _job(orders["s0"]),
        _job(orders["d1"], "EXPIRED"),  # stale news of a paid order
        _job(orders["d0"], "REFUND"),  # frees a seat: the waiting d2 is served
        _job(orders["d3"]),  # paid now: the pool is full again, so it waits
        _job(orders["d4"]),  # and this one waits behind it
    ]
    return orders, jobs


def _statuses(orders: dict[str, Order]) -> dict[str, str]:
    with db.read_session() as s:
        return {name: str(s.get(Order, order.id).status) for name, order in orders.items()}  # type: ignore[union-attr]


def _count(model, *conditions) -> int:
    with db.read_session() as s:
        return int(s.exec(select(func.count()).select_from(model).where(*conditions)).one())


def test_a_batch_ends_as_the_same_callbacks_one_by_one(engine):
    one_orders, one_jobs = _story("one")
    one_by_one = [process_callback(job) for job in one_jobs]
    batch_orders, batch_jobs = _story("batch")
    events_before = _count(PaymentEvent)

    batched = process_callbacks(batch_jobs)

    assert [(r.outcome, r.verdict) for r in batched] == [(r.outcome, r.verdict) for r in one_by_one]  # type: ignore[union-attr]
    assert _statuses(batch_orders) == _statuses(one_orders)
    assert _statuses(batch_orders) == {
        "d0": "refunded",
        "d1": "fulfilled",
        "d2": "fulfilled",
        "d3": "pending_stock",
        "d4": "pending_stock",
        "s0": "fulfilled",
    }
    assert _count(PaymentEvent) == events_before + len(batch_jobs)  # every request leaves its row
    for name in ("d1", "d2", "s0"):  # one access e-mail each, never two
        order_id = batch_orders[name].id
        assert _count(EmailOutbox, EmailOutbox.order_id == order_id, EmailOutbox.kind == "access_ready") == 1
        assert _count(AccountAssignment, AccountAssignment.order_id == order_id) == 1
    assert _count(AccountAssignment, AccountAssignment.order_id == batch_orders["d0"].id) == 1
    assert (
        _count(
            AccountAssignment,
            AccountAssignment.order_id == batch_orders["d0"].id,
            AccountAssignment.status == AssignmentStatus.ACTIVE,
        )
        == 0
    )
    assert invariants() == []


def test_a_notice_for_no_order_of_ours_inside_a_batch_is_applied_alone_and_the_others_still_apply(engine):
    product = make_product(slug="replay", pool="replay")
    make_account(max_seats=5, pool="replay")
    first, second = checked_out(product), checked_out(product)
    unknown = _job(None)  # authentic, but for no order of this shop: answered alone, after the batch
    events_before = _count(PaymentEvent)

    outcomes = process_callbacks([_job(first), unknown, _job(second), _job(first)])

    assert [(o.outcome, o.verdict) for o in outcomes] == [  # type: ignore[union-attr]
        ("applied", "processed"),
        ("ignored", "unknown_order"),
        ("applied", "processed"),
        ("duplicate", "processed"),
    ]
    assert _statuses({"first": first, "second": second}) == {"first": "fulfilled", "second": "fulfilled"}
    assert _count(PaymentEvent) == events_before + 4
    assert _count(EmailOutbox, EmailOutbox.kind == "access_ready", EmailOutbox.order_id == first.id) == 1
    assert invariants() == []


def test_the_writer_answers_every_waiting_route_and_groups_what_arrives_together(engine):
    product = make_product(slug="writer", pool="writer")
    make_account(max_seats=10, pool="writer")
    orders = [checked_out(product) for _ in range(12)]
    writer = CallbackWriter(max_batch=4)

    async def burst() -> list[CallbackOutcome]:
        return await asyncio.gather(*(writer.submit(_job(order)) for order in orders + orders[:3]))

    outcomes = asyncio.run(burst())

    # the queue is first come, first served: the first ten get the seats, the last two wait
    assert [o.outcome for o in outcomes] == ["applied"] * 12 + ["duplicate"] * 3
    assert [o.order_code for o in outcomes] == [o.code for o in orders + orders[:3]]
    assert (
        list(_statuses({str(i): o for i, o in enumerate(orders)}).values())
        == ["fulfilled"] * 10 + ["pending_stock"] * 2
    )
    assert writer.callbacks == 15
    assert writer.batches < 15  # requests queued together went in shared transactions (at most 4 each)
    assert invariants() == []


def test_a_broken_applier_fails_every_waiting_route_instead_of_leaving_it_hanging():
    def broken(jobs):
        raise RuntimeError("bug")

    writer = CallbackWriter(apply=broken)

    async def two() -> list[object]:
        return await asyncio.gather(writer.submit(_job(None)), writer.submit(_job(None)), return_exceptions=True)

    results = asyncio.run(asyncio.wait_for(two(), timeout=30))

    assert [type(r) for r in results] == [RuntimeError, RuntimeError]


@pytest.mark.parametrize("size", [1, 3])
def test_a_forged_callback_alone_or_in_a_batch_changes_no_order(engine, size):
    product = make_product(slug=f"forged-{size}", pool=f"forged-{size}")
    make_account(max_seats=3, pool=f"forged-{size}")
    orders = [checked_out(product) for _ in range(size)]

    outcomes = process_callbacks([_job(order, signed=False) for order in orders])

    assert [o.verdict for o in outcomes] == ["forged"] * size  # type: ignore[union-attr]
    assert set(_statuses({str(i): o for i, o in enumerate(orders)}).values()) == {"pending_payment"}


def test_refunds_and_notices_without_our_order_code_go_in_transactions_of_their_own(engine):
    # a batch takes its locks up front; a REFUND (assignment, perhaps another pool) and a notice found by
    # the gateway's reference would lock after them, out of the order every other writer uses
    product = make_product(slug="apart", pool="apart")
    make_account(max_seats=3, pool="apart")
    first, second = checked_out(product), checked_out(product)
    by_reference = _job(second)
    by_reference = replace(by_reference, state=replace(by_reference.state, merchant_ref=""))
    jobs = [_job(first), _job(first, "REFUND"), by_reference, _job(None), _job(second)]
    assert [_may_join_batch(job) for job in jobs] == [True, False, False, True, True]
    replays_before = CALLBACK_BATCH_REPLAYS._value.get()

    outcomes = process_callbacks(jobs)

    assert [(o.outcome, o.verdict) for o in outcomes] == [  # type: ignore[union-attr]
        ("applied", "processed"),
        ("applied", "processed"),
        ("applied", "processed"),
        ("ignored", "unknown_order"),  # applied alone after its batch, which is not rolled back for it
        ("duplicate", "processed"),
    ]
    assert CALLBACK_BATCH_REPLAYS._value.get() == replays_before
    assert _statuses({"first": first, "second": second}) == {"first": "refunded", "second": "fulfilled"}
    assert invariants() == []


def test_a_domain_refusal_inside_a_batch_rolls_it_back_and_replays_each_alone(engine):
    product = make_product(slug="refused", pool="refused")
    make_account(max_seats=3, pool="refused")
    first, second, third = (checked_out(product) for _ in range(3))
    no_amount = _job(second)
    no_amount = replace(no_amount, state=replace(no_amount.state, amount_idr=None))  # a PAID that cannot be applied
    replays_before = CALLBACK_BATCH_REPLAYS._value.get()
    events_before = _count(PaymentEvent)

    outcomes = process_callbacks([_job(first), no_amount, _job(third)])

    assert [(o.outcome, o.verdict) for o in outcomes] == [  # type: ignore[union-attr]
        ("applied", "processed"),
        ("rejected", "invalid"),
        ("applied", "processed"),
    ]
    assert CALLBACK_BATCH_REPLAYS._value.get() == replays_before + 1
    assert _statuses({"1": first, "2": second, "3": third}) == {
        "1": "fulfilled",
        "2": "pending_payment",
        "3": "fulfilled",
    }
    assert _count(PaymentEvent) == events_before + 3  # the rolled-back batch left no rows of its own
    assert _count(EmailOutbox, EmailOutbox.kind == "access_ready") == 2
    assert invariants() == []


def test_rows_written_at_commit_survive_a_rolled_back_savepoint_and_those_inside_it_do_not(engine):
    def work(session):
        record_audit(session=session, actor="test", action="before", entity="savepoint", entity_id=None)
        nested = session.begin_nested()
        record_audit(session=session, actor="test", action="inside", entity="savepoint", entity_id=None)
        nested.rollback()
        record_audit(session=session, actor="test", action="after", entity="savepoint", entity_id=None)

    db.in_transaction(work)

    with db.read_session() as s:
        actions = s.exec(select(AuditLog.action).where(AuditLog.entity == "savepoint")).all()
    assert sorted(actions) == ["after", "before"]


def test_a_route_waiting_too_long_gets_a_timeout_and_the_writer_goes_on():
    release = threading.Event()

    def slow(jobs):
        release.wait(30)
        return [CallbackOutcome(EventOutcome.APPLIED, "processed")] * len(jobs)

    writer = CallbackWriter(apply=slow)

    async def two() -> CallbackOutcome:
        with pytest.raises(TimeoutError):
            await writer.submit(_job(None), timeout=0.2)
        release.set()
        return await writer.submit(_job(None), timeout=30)

    assert asyncio.run(two()).verdict == "processed"


def test_a_writer_whose_applier_miscounts_fails_every_waiting_route():
    writer = CallbackWriter(apply=lambda jobs: [])

    async def one() -> object:
        return await asyncio.gather(writer.submit(_job(None), timeout=30), return_exceptions=True)

    [result] = asyncio.run(one())  # type: ignore[misc]
    assert isinstance(result, RuntimeError)


def test_a_callback_stuck_behind_a_held_order_lock_fails_instead_of_waiting(engine):
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite's writers wait at most its busy timeout; lock_timeout is PostgreSQL's")
    product = make_product(slug="held", pool="held")
    make_account(max_seats=1, pool="held")
    order = checked_out(product)
    events_before = _count(PaymentEvent)

    with engine.connect() as other, other.begin():
        other.execute(sa.select(Order.id).where(Order.id == order.id).with_for_update())
        [outcome] = process_callbacks([_job(order)])
        assert isinstance(outcome, sa.exc.OperationalError)
        assert outcome.orig.sqlstate == "55P03"  # lock_not_available: the route answers 500, the gateway retries
        assert not db_errors.is_database_error(outcome)  # a busy lock, not a database failure to alert on

    assert _statuses({"o": order}) == {"o": "pending_payment"}
    assert _count(PaymentEvent) == events_before + 1  # the failed request is on record
    [again] = process_callbacks([_job(order)])  # the gateway's next delivery goes through
    assert again.outcome == "applied"  # type: ignore[union-attr]
    assert invariants() == []
