"""Invariants under real threads racing on one database (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlmodel import func, select

from domain import db
from domain.models import AccountAssignment, AssignmentStatus, ChatGPTAccount, EventOutcome, Order, OrderStatus
from tests.helpers import invariants, make_account, make_order, make_product, pay

# 30 accounts holding exactly 100 seats: 10 single-customer, 10 with 3 seats, 10 with 6
CAPACITIES = [None] * 10 + [3] * 10 + [6] * 10


def _race(calls: list, workers: int) -> list:
    barrier = threading.Barrier(workers)

    def run(call):
        try:
            barrier.wait(timeout=30)
        except threading.BrokenBarrierError:
            pass
        return call()

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(run, calls))


@pytest.mark.slow
def test_150_paid_orders_race_for_100_seats(engine) -> None:
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
