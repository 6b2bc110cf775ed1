"""Rate limits per client address with the `limits` library: a moving window kept in this process's memory, or in
Redis when one is configured, so that every app process behind the proxy counts the same hits."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from limits import RateLimitItem, RateLimitItemPerSecond
from limits.storage import MemoryStorage, Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

log = logging.getLogger("aksesgpt.ratelimit")


class _Counter:
    """The storage every limit of the process counts in (memory, or Redis shared with the other processes)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.use("")

    def use(self, url: str) -> None:
        storage = storage_from_string(url) if url else MemoryStorage()
        assert isinstance(storage, Storage), "a synchronous storage (redis://, not async+redis://)"
        with self._lock:
            self.storage, self.limiter, self.url = storage, MovingWindowRateLimiter(storage), url


_counter = _Counter()


def use_storage(url: str) -> None:
    """Count in Redis (`redis://host:port/db`, shared by every process) or, with "", in this process only."""
    _counter.use(url)


class RateLimit:
    """At most `limit` hits per `per_seconds` for one key (a client address), under a name of its own."""

    def __init__(self, name: str, *, limit: int, per_seconds: int) -> None:
        self.name = name
        self.item: RateLimitItem = RateLimitItemPerSecond(limit, per_seconds)

    def allow(self, key: str) -> bool:
        try:
            return _counter.limiter.hit(self.item, self.name, key)
        except Exception as exc:  # Redis away: a shop that cannot count still sells (the gateway limits abuse)
            log.warning("rate limit %s not counted (%s): allowed", self.name, type(exc).__name__)
            return True

    def configure(self, *, limit: int, per_seconds: int) -> None:
        self.item = RateLimitItemPerSecond(limit, per_seconds)

    def reset(self) -> None:
        """Forget every counted hit, of every limit (tests; after an owner changed the limits)."""
        _counter.storage.reset()


class Throttle:
    """Failures counted in tiers (say 5 a minute, 10 a quarter hour, 20 an hour): each tier a key exhausts makes
    it wait longer, and a success clears its count. Counted where the rate limits count."""

    def __init__(self, name: str, tiers: list[tuple[int, int]]) -> None:
        self.name = name
        self.items = [RateLimitItemPerSecond(limit, seconds) for limit, seconds in tiers]

    def wait(self, key: str) -> float:
        """Seconds `key` must wait before its next attempt counts (0: it may try now)."""
        try:
            exhausted = [i for i in self.items if not _counter.limiter.test(i, self.name, key)]
            if not exhausted:
                return 0.0
            resets = [_counter.limiter.get_window_stats(i, self.name, key).reset_time for i in exhausted]
        except Exception as exc:  # Redis away: the password check still stands
            log.warning("throttle %s not read (%s)", self.name, type(exc).__name__)
            return 0.0
        return max(0.0, max(resets) - time.time())

    def fail(self, key: str) -> None:
        self._each(key, _counter.limiter.hit, "counted")

    def clear(self, key: str) -> None:
        self._each(key, _counter.limiter.clear, "cleared")

    def _each(self, key: str, step: Callable[..., object], done: str) -> None:
        try:
            for item in self.items:
                step(item, self.name, key)
        except Exception as exc:  # Redis away: the password check still stands
            log.warning("throttle %s not %s (%s)", self.name, done, type(exc).__name__)


# the shop's limits: placing an order (the API and the checkout page count together) and looking orders up
order_limit = RateLimit("orders", limit=10, per_seconds=60)
lookup_limit = RateLimit("lookup", limit=5, per_seconds=300)
# the login-code API per address, before any reading: wrong links cost nothing beyond this (the per-order limit
# counts only after the link and the seat are checked)
login_code_ip_limit = RateLimit("login_code_ip", limit=60, per_seconds=600)
