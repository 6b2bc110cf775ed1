"""Open pages follow the change feed (runtime/feed.py) instead of polling: a page re-reads when a change names
one of its topics, and otherwise costs nothing while it stays open."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Iterable

from nicegui import Client, background_tasks

from infra.changes import Change
from runtime.feed import FEED, Subscription

log = logging.getLogger("aksesgpt.live")


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
        client.on_connect(self._connected)
        client.on_delete(self.stop)

    def _connected(self) -> None:
        if self.subscription is None:
            self.subscription = FEED.subscribe(self.topics, self.heard)
            self._arm_safety()
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
        if self.client.is_deleted:
            return
        self._dirty = True
        if self._task is None:
            self._task = background_tasks.create(self._run(), name="page refresh")

    async def _run(self) -> None:
        try:
            while self._dirty and not self.client.is_deleted:
                self._dirty = False
                try:
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
        if self.safety is None or self.client.is_deleted:
            return
        delay = self.safety * random.uniform(0.8, 1.2)  # noqa: S311  spreading reads, not a secret
        self._safety = asyncio.get_running_loop().call_later(delay, self._safety_due)

    def _safety_due(self) -> None:
        self.trigger()
        self._arm_safety()

    def stop(self) -> None:
        if self.subscription is not None:
            self.subscription.close()
        if self._safety is not None:
            self._safety.cancel()
            self._safety = None
        self._dirty = False
