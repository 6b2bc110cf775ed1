"""Helpers the fault tests share: orders placed through the running app, waiting for convergence,
and the end-state checks every fault must leave true."""

from __future__ import annotations

import asyncio
import time
from collections import Counter, defaultdict
from collections.abc import Callable

import httpx
from sqlmodel import select

from domain.shared.models import AccountAssignment, EmailOutbox, Order, PaymentEvent
from infra import db


async def place_orders(app_url: str, slug: str, count: int, concurrency: int = 16, prefix: str = "buyer") -> list[dict]:
    """`count` orders through POST /api/orders (each opens a real transaction on the simulator)."""
    limit = asyncio.Semaphore(concurrency)
    async with httpx.AsyncClient(base_url=app_url, timeout=60) as client:

        async def one(i: int) -> dict:
            async with limit:
                response = await client.post(
                    "/api/orders",
                    json={
                        "customer_email": f"{prefix}{i}@example.com",
                        "package_id": slug,
                        "full_name": f"Pembeli {i}",
                        "phone_number": "081234567890",
                        "payment_method": "QRIS",
                    },
                )
            assert response.status_code == 201, response.text
            return response.json()

        return await asyncio.gather(*(one(i) for i in range(count)))


def wait_until(what: str, condition: Callable[[], bool], timeout: float = 120, every: float = 0.5) -> None:
    """Poll `condition` until it holds; fail naming `what` if it never does (a bound, not a timing assertion)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(every)
    raise AssertionError(f"never converged: {what}")


def order_statuses(codes: list[str]) -> Counter[str]:
    with db.read_session() as s:
        return Counter(s.exec(select(Order.status).where(Order.code.in_(codes))))  # type: ignore[attr-defined]


def deliveries_settled(sandbox_url: str) -> bool:
    """Every transaction the simulator paid has had its last callback acknowledged (no retry pending)."""
    txns = httpx.get(f"{sandbox_url}/_control/transactions", timeout=30).json()
    paid = [t for t in txns if t["status"] == "PAID"]
    return bool(paid) and all(t["deliveries"] and t["deliveries"][-1]["ok"] for t in paid)


def paid_end_state(codes: list[str]) -> dict[str, object]:
    """What the faults must never break, for the given paid orders: seats, events and e-mails per order."""
    with db.read_session() as s:
        orders = {o.id: o for o in s.exec(select(Order).where(Order.code.in_(codes)))}  # type: ignore[attr-defined]
        seats = Counter(a.order_id for a in s.exec(select(AccountAssignment)) if a.order_id in orders)
        events = Counter(e.outcome for e in s.exec(select(PaymentEvent)) if e.order_id in orders)
        mails: dict[int, Counter[str]] = defaultdict(Counter)
        for row in s.exec(select(EmailOutbox)):
            if row.order_id in orders:
                mails[row.order_id][row.kind] += 1
    expected = {"fulfilled": "access_ready", "pending_stock": "pending_stock"}
    wrong_mail = [
        orders[oid].code
        for oid in orders
        if mails[oid] != Counter({"order_created": 1, expected.get(orders[oid].status, "?"): 1})
    ]
    return {
        "statuses": Counter(o.status for o in orders.values()),
        "orders_with_two_seats": [orders[oid].code for oid, n in seats.items() if n > 1],
        "seats": sum(seats.values()),
        "applied": events["applied"],
        "events": events,
        "orders_with_wrong_mail": wrong_mail,
    }
