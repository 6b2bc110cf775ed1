"""Open pages follow the change feed (runtime/feed.py) instead of polling: a page re-reads when a change names
one of its topics, and otherwise costs nothing while it stays open."""

from __future__ import annotations

import asyncio
import contextvars
import logging
import random
import weakref
from collections.abc import Awaitable, Callable, Coroutine, Iterable

from nicegui import Client

from infra.changes import Change
from runtime.feed import FEED, Subscription

log = logging.getLogger("aksesgpt.live")


_followers: weakref.WeakKeyDictionary[Client, list[Follower]] = weakref.WeakKeyDictionary()


def stop_following(client: Client) -> None:
    """The page stops for good (its admin session ended): it hears no more changes."""
    for follower in _followers.pop(client, []):
        follower.stop()


def in_page_context(context: contextvars.Context, work: Coroutine[object, object, None]) -> asyncio.Task[None]:
    """Run `work` as a task in (a copy of) a page's context, as NiceGUI's own timers run: `app.storage.user` is
    the page's browser session there. The task is kept until done (the loop holds tasks weakly)."""
    task = asyncio.get_running_loop().create_task(work, context=context.copy())
    _running.add(task)
    task.add_done_callback(_running.discard)
    return task


_running: set[asyncio.Task[None]] = set()


class Follower:
    """Runs `refresh` when a change names one of `topics` (once for any number of changes heard while it runs, then
    once more), and every `safety` seconds (with some jitter, so pages opened together don't read together).

    It starts when the browser connects (a page view that never connects costs nothing) and ends when NiceGUI
    deletes the client (the tab closed and did not come back). After a reconnect it refreshes once: a change may
    have been heard while the browser was away."""

    def __init__(
        self,
        client: Client,
        topics: Iterable[str],
        refresh: Callable[[], Awaitable[object]],
        *,
        safety: float | None = None,
        min_gap: float = 0.0,
    ) -> None:
        self.client, self.refresh, self.safety, self.min_gap = client, refresh, safety, min_gap
        self.topics = frozenset(topics)
        self.subscription: Subscription | None = None
        self._dirty = False
        self._task: asyncio.Task[None] | None = None
        self._safety: asyncio.TimerHandle | None = None
        self.refreshes = 0
        self._context = contextvars.copy_context()  # the page's request: its refreshes read the admin session by it
        self._delivered_at_read = FEED.delivered  # changes that go by before the socket connects are not heard
        self.stopped = False
        client.on_connect(self._connected)
        client.on_delete(self.stop)
        _followers.setdefault(client, []).append(self)

    def _connected(self) -> None:
        if self.stopped:
            return
        if self.subscription is None:
            self.subscription = FEED.subscribe(self.topics, self.heard)
            self._arm_safety()
            if FEED.delivered != self._delivered_at_read:  # a change went by since the page was read: read again
                self.trigger()
        else:  # the same page came back after a lost connection
            self.trigger()

    def follow(self, topics: Iterable[str]) -> None:
        """The page now shows other rows (a seat was taken, say): hear their changes instead."""
        self.topics = frozenset(topics)
        if self.subscription is not None:
            self.subscription.follow(self.topics)

    def heard(self, _change: Change | None = None) -> None:
        self.trigger()

    def trigger(self) -> None:
        if self.client.is_deleted or self.stopped:
            return
        self._dirty = True
        if self._task is None:
            self._task = in_page_context(self._context, self._run())

    async def _run(self) -> None:
        try:
            while self._dirty and not self.client.is_deleted:
                self._dirty = False
                try:
                    with self.client:  # (the page's elements are where new ones go, and whose client answers)
                        await self.refresh()
                    self.refreshes += 1
                except asyncio.CancelledError:
                    raise
                except Exception:  # the database did not answer: the next change or the safety refresh retries
                    log.exception("page refresh failed")
                if self.min_gap:
                    await asyncio.sleep(self.min_gap)
        finally:
            self._task = None

    def _arm_safety(self) -> None:
        if self.safety is None or self.client.is_deleted or self.stopped:
            return
        delay = self.safety * random.uniform(0.8, 1.2)  # noqa: S311  spreading reads, not a secret
        self._safety = asyncio.get_running_loop().call_later(delay, self._safety_due)

    def _safety_due(self) -> None:
        self.trigger()
        self._arm_safety()

    def stop(self) -> None:
        self.stopped = True
        mine = _followers.get(self.client)  # (the registry's entry holds the client: it must go with the page)
        if mine is not None and self in mine:
            mine.remove(self)
            if not mine:
                _followers.pop(self.client, None)
        if self.subscription is not None:
            self.subscription.close()
        if self._safety is not None:
            self._safety.cancel()
            self._safety = None
        self._dirty = False
