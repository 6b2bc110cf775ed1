"""A small in-process sliding-window rate limit per client address (one app process's view)."""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque


class RateLimit:
    def __init__(self, limit: int, per_seconds: float) -> None:
        self.limit, self.window = limit, per_seconds
        self._hits: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        now = time.monotonic()
        with self._lock:
            hits = self._hits[key]
            while hits and now - hits[0] > self.window:
                hits.popleft()
            if len(hits) >= self.limit:
                return False
            hits.append(now)
            if len(self._hits) > 10_000:  # forget idle clients so the map stays small
                for idle in [k for k, v in self._hits.items() if not v or now - v[-1] > self.window]:
                    del self._hits[idle]
            return True

    def configure(self, *, limit: int, per_seconds: float) -> None:
        with self._lock:
            self.limit, self.window = limit, per_seconds
            self._hits.clear()

    def reset(self) -> None:
        with self._lock:
            self._hits.clear()
