"""kill -9 the app while 250 signed PAID callbacks are in flight, restart it on the same port: the
simulator re-delivers what was never acknowledged (Tripay's retry rule, interval shortened) and the
shop converges: every paid order fulfilled or pending_stock, none twice, every e-mail once. (It was 500:
the crash lands among 48 callbacks at a time either way, and the other 170-odd still meet the dead app.)"""

from __future__ import annotations

import asyncio
import secrets

import httpx
import pytest

from tests.helpers import invariants, make_account, make_product
from tests.live import start_stack
from tests.reliability.faults import deliveries_settled, order_statuses, paid_end_state, place_orders, wait_until

ORDERS = 250
CAPACITIES = [10] * 17 + [None] * 30  # 200 seats for 250 orders: 50 wait for stock
KILL_AFTER = 75  # acknowledged callbacks before the crash


async def pay_all_and_crash(stack, references: list[str], concurrency: int = 48) -> dict[str, int]:
    """Ask the simulator to pay every transaction; kill -9 the app once KILL_AFTER were acknowledged."""
    app = stack.process("app")
    limit = asyncio.Semaphore(concurrency)
    seen = {"acknowledged": 0, "before_crash": 0, "unacknowledged": 0}

    async with httpx.AsyncClient(base_url=stack.sandbox_url, timeout=60) as client:

        async def pay(reference: str) -> None:
            async with limit:
                response = await client.post(f"/_control/transactions/{reference}/pay", json={})
            delivery = response.json()["deliveries"][0]
            seen["acknowledged" if delivery["ok"] else "unacknowledged"] += 1
            if seen["acknowledged"] >= KILL_AFTER and app.popen.poll() is None:
                seen["before_crash"] = seen["acknowledged"]
                app.crash()

        await asyncio.gather(*(pay(r) for r in references))
    return seen


@pytest.mark.slow
def test_kill_9_during_250_paid_callbacks_converges(engine, db_url, tmp_path) -> None:
    slug = f"crash-{secrets.token_hex(3)}"
    make_product(slug=slug, pool="crash")
    for capacity in CAPACITIES:
        make_account(max_seats=capacity, pool="crash")
    stack = start_stack(db_url, tmp_path, midtrans=False, retry_interval=0.5, max_retries=240)
    try:
        placed = asyncio.run(place_orders(stack.app_url, slug, ORDERS))
        codes = [p["order_id"] for p in placed]
        seen = asyncio.run(pay_all_and_crash(stack, [p["reference"] for p in placed]))
        assert stack.process("app").popen.returncode == -9, "the app was killed mid-load"
        assert seen["unacknowledged"] > 0, "some callbacks hit the dead app"
        stack.restart("app")
        wait_until("every paid order served", lambda: "pending_payment" not in order_statuses(codes))
        wait_until("every callback acknowledged", lambda: deliveries_settled(stack.sandbox_url))
        state = paid_end_state(codes)
    finally:
        stack.stop()

    print(f"crash: {seen}, end state {state}")
    assert state["statuses"] == {"fulfilled": 200, "pending_stock": 50}
    assert state["orders_with_two_seats"] == [] and state["seats"] == 200
    assert state["applied"] == ORDERS, "each payment applied exactly once; re-deliveries are duplicates"
    assert state["orders_with_wrong_mail"] == [], "every e-mail exactly once in the outbox"
    assert invariants() == []
