"""The change feed: what a committed transaction changed reaches this process's subscribers at once and, on
PostgreSQL, another process's LISTEN connection, which loses nothing when that connection drops."""

from __future__ import annotations

import asyncio
import subprocess
import sys

import pytest
import sqlalchemy as sa

from infra import db
from infra.changes import Change, add_local_sink, announce, change_events
from runtime.feed import Feed
from tests.helpers import make_account, make_order, make_product, pay

WRITE_ELSEWHERE = """
import sys
from infra import db
from infra.changes import announce
db.configure(sys.argv[1])
for topic in sys.argv[2:]:
    db.in_transaction(lambda s, topic=topic: announce(session=s, topics=[topic]))
"""


def _written() -> list[str]:
    with db.get_engine().connect() as conn:
        return [row.topics for row in conn.execute(sa.select(change_events.c.topics).order_by(change_events.c.id))]


def test_a_payment_announces_its_order_and_seat_once_committed_and_a_rollback_announces_nothing(engine) -> None:
    heard: list[Change] = []
    remove = add_local_sink(heard.append)
    try:
        product = make_product()
        make_account(max_seats=2)
        order = make_order(product)
        heard.clear()
        result = pay(order)
        assert len(heard) == 1, "one change per committed transaction"
        topics = heard[0].topics
        assert {f"order:{order.id}", f"assignment:{result.assignment.id}", "order", "assignment"} <= topics
        assert _written()[-1] == " ".join(sorted(topics))

        def fails(session) -> None:
            announce(session=session, topics=["order:999"])
            raise RuntimeError("rolled back")

        with pytest.raises(RuntimeError):
            db.in_transaction(fails)
        assert len(heard) == 1 and "order:999" not in " ".join(_written())
    finally:
        remove()


async def test_a_subscriber_hears_only_its_own_topics_and_each_change_once(engine) -> None:
    feed = Feed()
    mine: list[int] = []
    everything: list[int] = []
    feed.subscribe(["order:1"], lambda c: mine.append(c.id))
    feed.subscribe(["*"], lambda c: everything.append(c.id))
    feed.deliver(Change(id=1, topics=frozenset({"order", "order:2"})))  # another order's change
    feed.deliver(Change(id=2, topics=frozenset({"order", "order:1"})))
    feed.deliver(Change(id=2, topics=frozenset({"order", "order:1"})))  # heard twice (local, then NOTIFY)
    assert mine == [2]
    assert everything == [1, 2]
    sub = feed.subscribe(["order:3"], lambda c: mine.append(c.id))
    sub.follow(["order:4"])  # the page now shows something else
    feed.deliver(Change(id=3, topics=frozenset({"order:3"})))
    feed.deliver(Change(id=4, topics=frozenset({"order:4"})))
    sub.close()
    feed.deliver(Change(id=5, topics=frozenset({"order:4"})))
    assert mine == [2, 4]


def _write_elsewhere(url: str, *topics: str) -> None:
    """Commit changes from another process (another app process, the CLI)."""
    subprocess.run([sys.executable, "-c", WRITE_ELSEWHERE, url, *topics], check=True, timeout=60)


async def _until(condition, seconds: float = 15.0) -> None:
    for _ in range(int(seconds * 20)):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("not heard in time")


async def test_another_processs_changes_are_heard_and_none_is_lost_while_the_listen_connection_is_down(
    engine, db_url: str
) -> None:
    feed = Feed()
    heard: list[str] = []
    feed.start()
    feed.subscribe(["order:1", "order:2", "order:3"], lambda c: heard.extend(sorted(c.topics)))
    try:
        await asyncio.wait_for(feed.connected.wait(), 15)
        await asyncio.to_thread(_write_elsewhere, db_url, "order:1")
        await _until(lambda: "order:1" in heard)
        if engine.dialect.name != "postgresql":
            return  # (SQLite: one read every 2 s per process; nothing to drop)
        pid = feed.listener_pid
        assert pid is not None
        with engine.connect() as conn:  # the listener's connection dies (a restart, a network cut)
            conn.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        await _until(lambda: not feed.connected.is_set(), 5)
        await asyncio.to_thread(_write_elsewhere, db_url, "order:2", "order:3")  # committed while nobody listens
        await asyncio.wait_for(feed.connected.wait(), 15)
        await _until(lambda: "order:2" in heard and "order:3" in heard)
        assert feed.listener_pid not in (None, pid)
        assert heard.count("order:2") == 1 and heard.count("order:3") == 1
    finally:
        await feed.stop()


def test_changes_older_than_a_day_are_pruned(engine) -> None:
    from datetime import timedelta

    from infra.types import utcnow
    from runtime.feed import prune_old_changes

    db.in_transaction(lambda s: announce(session=s, topics=["order:1"]))
    db.in_transaction(lambda s: announce(session=s, topics=["order:2"]))
    assert prune_old_changes() == "pruned 0"
    assert prune_old_changes(now=utcnow() + timedelta(days=1, minutes=1)) == "pruned 1"
    assert _written() == ["order:2"]  # the newest stays: SQLite would number the next change from 1 again
