"""This process's end of the change feed (infra/changes.py): who is interested in which topics, and the
changes of every app process delivered to them on the event loop.

- A change committed in this process arrives right after its commit (a local sink, handed over to the loop).
- On PostgreSQL one LISTEN connection per process hears the other processes' changes (its own arrive too and
  are dropped by id). When the connection drops, it reconnects on its own and first reads the `change_events`
  rows written since shortly before it lost the connection, so a change committed meanwhile is not lost.
- On SQLite (one app process) a read of the newest rows every few seconds picks up the writes of other
  processes on the same file (the CLI, a worker): one query per process, however many pages are open.

Subscribers are plain callables on the event loop; they must be quick (mark something dirty, start a task).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

import psycopg
import sqlalchemy as sa

from infra import db
from infra.changes import (
    Change,
    add_local_sink,
    changes_since,
    listen_channel,
    newest_change_id,
    parse_topics,
    prune_changes,
)
from infra.types import utcnow

log = logging.getLogger("aksesgpt.feed")
EVERYTHING = "*"  # the topic of a subscriber that hears every change
SEEN_KEEP = 20_000  # change ids remembered to drop a change heard twice (local and NOTIFY, or a catch-up)
CATCH_UP_MARGIN = timedelta(seconds=30)  # a transaction that commits later than this after writing its row
# (a change's id comes from a sequence before its commit) may be missed by a catch-up; pages' slow refresh has it
SQLITE_POLL_SECONDS = 5.0  # (the CLI's or a worker's changes on the same SQLite file show within this)
LIVENESS_SECONDS = 30.0  # a silent LISTEN connection is asked a question this often (a dead one is noticed)
RETRY_SECONDS = (0.2, 0.5, 1.0, 2.0, 5.0)

Callback = Callable[[Change], None]


class Subscription:
    """One subscriber's interest: `topics` may change (`follow`); `close` ends it."""

    def __init__(self, feed: Feed, topics: Iterable[str], callback: Callback, *, process: bool = False) -> None:
        self.feed, self.callback, self.topics = feed, callback, frozenset(topics)
        self.process = process  # the process's own (a shared cache), not a page's: kept when a new app starts
        self.closed = False
        feed._add(self)

    def follow(self, topics: Iterable[str]) -> None:
        topics = frozenset(topics)
        if topics != self.topics and not self.closed:
            self.feed._remove(self)
            self.topics = topics
            self.feed._add(self)

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.feed._remove(self)


class Feed:
    def __init__(self) -> None:
        self._by_topic: dict[str, set[Subscription]] = {}
        self._seen: OrderedDict[int, None] = OrderedDict()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._remove_sink: Callable[[], None] | None = None
        self._task: asyncio.Task[None] | None = None
        self.delivered = 0  # changes delivered (for tests and the bench)
        self.connected = asyncio.Event()  # the LISTEN connection is up (PostgreSQL) / the poller runs (SQLite)
        self.listener_pid: int | None = None  # the LISTEN connection's backend (tests end it to see a reconnect)
        self._on_start: list[Callable[[], None]] = []
        self._alive_at: datetime | None = None

    def on_start(self, reset: Callable[[], None]) -> None:
        """`reset()` each time an app starts with this feed (in tests, a new app on a new database)."""
        self._on_start.append(reset)

    # subscribers
    def subscribe(self, topics: Iterable[str], callback: Callback, *, process: bool = False) -> Subscription:
        """`callback(change)` for each change naming one of `topics` (EVERYTHING: each change); `process`: a
        subscriber of the whole process (a shared cache) rather than of one page."""
        return Subscription(self, topics, callback, process=process)

    def _add(self, sub: Subscription) -> None:
        for topic in sub.topics:
            self._by_topic.setdefault(topic, set()).add(sub)

    def _remove(self, sub: Subscription) -> None:
        for topic in sub.topics:
            subs = self._by_topic.get(topic)
            if subs is not None:
                subs.discard(sub)
                if not subs:
                    del self._by_topic[topic]

    def subscribers(self) -> int:
        return len({sub for subs in self._by_topic.values() for sub in subs})

    # delivery, on the loop
    def deliver(self, change: Change) -> None:
        if change.id in self._seen:
            return
        self._seen[change.id] = None
        while len(self._seen) > SEEN_KEEP:
            self._seen.popitem(last=False)
        self.delivered += 1
        interested: set[Subscription] = set(self._by_topic.get(EVERYTHING, ()))
        for topic in change.topics:
            interested.update(self._by_topic.get(topic, ()))
        for sub in interested:
            if sub.closed:
                continue
            try:
                sub.callback(change)
            except Exception:
                log.exception("change %s: a subscriber failed", change.id)

    def _from_thread(self, change: Change) -> None:
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self.deliver, change)

    # running
    def start(self) -> None:
        """On the app's event loop (app.on_startup): hear this process's commits, and the others'."""
        self._loop = asyncio.get_running_loop()
        self.connected = asyncio.Event()
        self._seen.clear()  # (a new database, in tests, numbers its changes from 1 again)
        for sub in {sub for subs in self._by_topic.values() for sub in subs if not sub.process}:
            sub.close()  # (in tests: the pages of an app that stopped)
        for reset in self._on_start:
            reset()
        if self._remove_sink is None:
            self._remove_sink = add_local_sink(self._from_thread)
        if self._task is not None and not self._task.done():  # (started again: one listener per process)
            self._task.cancel()
        engine = db.get_engine()
        run = self._listen(engine) if engine.dialect.name == "postgresql" else self._poll(engine)
        self._task = asyncio.create_task(run, name="change feed")

    async def stop(self) -> None:
        if self._remove_sink is not None:
            self._remove_sink()
            self._remove_sink = None
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except (asyncio.CancelledError, Exception):
                pass
            self._task = None

    async def _read(self, **kwargs: object) -> list[Change]:
        def read() -> list[Change]:
            with db.get_engine().connect() as connection:
                return changes_since(connection, **kwargs)  # type: ignore[arg-type]

        return await asyncio.to_thread(read)

    async def _poll(self, engine: sa.Engine) -> None:
        def newest() -> int:
            with engine.connect() as connection:
                return newest_change_id(connection)

        high = await asyncio.to_thread(newest)
        self.connected.set()
        while True:
            await asyncio.sleep(SQLITE_POLL_SECONDS)
            try:
                for change in await self._read(after_id=high):
                    high = max(high, change.id)
                    self.deliver(change)
            except Exception as exc:  # the database is away: the next read catches up
                log.warning("change feed: read failed: %s: %s", type(exc).__name__, exc)

    async def _listen(self, engine: sa.Engine) -> None:
        dsn = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        lost_at = None  # when the connection was last lost (None: never connected, nothing to catch up)
        self._alive_at = None  # when the connection last answered (a notification, a liveness check)
        attempt = 0
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(
                    dsn, autocommit=True, application_name="aksesgpt-feed", connect_timeout=5
                ) as conn:
                    schema = await (await conn.execute("SELECT current_schema()")).fetchone()
                    await conn.execute(f"LISTEN {listen_channel(str(schema[0] if schema else 'public'))}")
                    self.listener_pid = conn.info.backend_pid
                    if lost_at is not None:  # what committed while we were away (and just before)
                        for change in await self._read(since=lost_at - CATCH_UP_MARGIN):
                            self.deliver(change)
                        log.info("change feed: listening again after %.1f s", (utcnow() - lost_at).total_seconds())
                    attempt = 0
                    self._alive_at = utcnow()
                    self.connected.set()
                    await self._hear(conn)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("change feed: LISTEN connection lost: %s: %s", type(exc).__name__, exc)
            self.connected.clear()
            self.listener_pid = None
            # a connection can die without a word: what it missed began when it was last heard, not when noticed
            lost_at = lost_at if lost_at is not None and attempt else (self._alive_at or utcnow())
            await asyncio.sleep(RETRY_SECONDS[min(attempt, len(RETRY_SECONDS) - 1)])
            attempt += 1

    async def _hear(self, conn: psycopg.AsyncConnection[object]) -> None:
        while True:
            last = time.monotonic()
            async for notify in conn.notifies(timeout=LIVENESS_SECONDS):
                self._alive_at = utcnow()
                await self._on_notify(notify.payload)
                last = time.monotonic()
            if time.monotonic() - last >= LIVENESS_SECONDS * 0.9:
                await self._still_there(conn)
                self._alive_at = utcnow()

    async def _still_there(self, conn: psycopg.AsyncConnection[object]) -> None:
        """Raise unless the connection answers: one that died with a word raises at once; one that went silent
        (a network cut without RST, a stuck proxy) never answers, and is dropped without asking it anything more
        (cancelling the query would wait on the same silence)."""
        check = asyncio.ensure_future(conn.execute("SELECT 1"))
        done, _ = await asyncio.wait({check}, timeout=min(LIVENESS_SECONDS, 10.0))
        if not done:
            conn.pgconn.finish()
            check.cancel()
            raise ConnectionError("the LISTEN connection went silent")
        check.result()

    async def _on_notify(self, payload: str) -> None:
        head, _, rest = payload.partition(" ")
        try:
            change_id = int(head)
        except ValueError:
            log.warning("change feed: a notification that is not ours: %.80s", payload)
            return
        if change_id in self._seen:
            return
        if rest:
            self.deliver(Change(id=change_id, topics=parse_topics(rest)))
            return
        # too long to travel in the notification: read the row
        for change in await self._read(after_id=change_id - 1, until_id=change_id):
            self.deliver(change)


KEEP_CHANGES = timedelta(days=1)  # nobody catches up further back than a lost connection's 30 s


def prune_old_changes(now: datetime | None = None) -> str:
    """The hourly job: the change feed's rows older than a day go."""
    cutoff = (now or utcnow()) - KEEP_CHANGES
    with db.get_engine().begin() as connection:
        return f"pruned {prune_changes(connection, before=cutoff)}"


FEED = Feed()
