"""Invariants under real threads racing on one database (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlmodel import func, select

from domain.shared.models import AccountAssignment, AssignmentStatus, ChatGPTAccount, EventOutcome, Order, OrderStatus
from infra import db
from tests.helpers import invariants, make_account, make_order, make_product, pay

# 30 accounts holding exactly 100 seats: 10 single-customer, 10 with 3 seats, 10 with 6
CAPACITIES = [None] * 10 + [3] * 10 + [6] * 10


def _race(calls: list, workers: int) -> list:
    """Run the calls on `workers` threads, all released at the same moment."""
    go = threading.Event()

    def run(call):
        go.wait(timeout=30)
        return call()

    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(run, call) for call in calls]
        go.set()
        return [f.result() for f in futures]


@pytest.mark.slow
def test_150_paid_orders_race_for_100_seats(engine, caplog) -> None:
    product = make_product()
    accounts = [make_account(max_seats=c) for c in CAPACITIES]
    orders = [make_order(product) for _ in range(150)]

    results = _race([lambda o=o: pay(o) for o in orders], workers=50)

    assert Counter(r.outcome for r in results) == {EventOutcome.APPLIED: 150}
    with db.read_session() as s:
        statuses = Counter(s.exec(select(Order.status)).all())
        active = s.exec(select(func.count()).where(AccountAssignment.status == AssignmentStatus.ACTIVE)).one()
        pool = {a.id: a for a in s.exec(select(ChatGPTAccount))}
    assert statuses == {OrderStatus.FULFILLED: 100, OrderStatus.PENDING_STOCK: 50}
    assert active == 100
    assert all(a.seats_used == a.capacity for a in pool.values()), "every seat should be taken"
    assert len(pool) == len(accounts)
    assert invariants() == []
    assert "transaction retry" not in caplog.text, "the lock order should leave no deadlock to retry"


@pytest.mark.slow
def test_20_threads_paying_one_order_make_one_assignment(engine) -> None:
    product = make_product()
    make_account(max_seats=5)
    order = make_order(product)

    results = _race([lambda: pay(order)] * 20, workers=20)

    assert Counter(r.outcome for r in results) == {EventOutcome.APPLIED: 1, EventOutcome.DUPLICATE: 19}
    with db.read_session() as s:
        count = s.exec(select(func.count()).where(AccountAssignment.order_id == order.id)).one()
    assert count == 1
    assert invariants() == []


@pytest.mark.slow
def test_payments_revokes_expiries_and_new_accounts_racing_keep_the_invariants(engine) -> None:
    """Seats freed and added while payments land: nothing over-fills, nothing is lost, the queue drains."""
    from datetime import timedelta

    from domain.seats.allocation import serve_pending_stock
    from domain.seats.assignments import release_expired_assignments, revoke_assignment
    from domain.shared.errors import Conflict
    from infra.types import utcnow
    from tests.helpers import ADMIN

    product = make_product()
    for capacity in [None, 3, 6] * 3:  # 30 seats
        make_account(max_seats=capacity)
    holders = [make_order(product) for _ in range(30)]
    for order in holders:
        pay(order)
    with db.read_session() as s:
        seats = list(s.exec(select(AccountAssignment.id).where(AccountAssignment.status == AssignmentStatus.ACTIVE)))
    newcomers = [make_order(product) for _ in range(40)]

    calls = [lambda o=o: pay(o) for o in newcomers]

    def revoke(assignment_id: int) -> None:
        try:
            db.in_transaction(
                lambda s: revoke_assignment(session=s, assignment_id=assignment_id, actor=ADMIN, reason="race")
            )
        except Conflict:
            pass  # the expiry job got there first: refused, nothing changed

    calls += [lambda a=a: revoke(a) for a in seats[:10]]
    later = utcnow() + timedelta(days=365)
    calls += [lambda: db.in_transaction(lambda s: release_expired_assignments(session=s, now=later, limit=3))] * 4
    calls += [lambda: make_account(max_seats=2)] * 5  # 10 more seats
    results = _race(calls, workers=30)
    assert len(results) == len(calls)

    db.in_transaction(lambda s: serve_pending_stock(session=s, actor="scheduler"))
    assert invariants() == []
    with db.read_session() as s:
        paid = s.exec(
            select(func.count()).where(Order.status.in_([OrderStatus.FULFILLED, OrderStatus.PENDING_STOCK]))
        ).one()
        active = s.exec(select(func.count()).where(AccountAssignment.status == AssignmentStatus.ACTIVE)).one()
        free = sum(a.capacity - a.seats_used for a in s.exec(select(ChatGPTAccount)))
    assert paid == 70, "every paid order is fulfilled or waiting"
    assert active + free == 40, "every seat is either held or free"
