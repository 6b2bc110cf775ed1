"""In-process counters (failovers, webhook outcomes) that the metrics endpoint will export."""

from __future__ import annotations

import threading
from collections import Counter


class Counters:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values: Counter[tuple[str, tuple[tuple[str, str], ...]]] = Counter()

    def increment(self, name: str, amount: int = 1, **labels: str) -> None:
        with self._lock:
            self._values[(name, tuple(sorted(labels.items())))] += amount

    def value(self, name: str, **labels: str) -> int:
        with self._lock:
            return self._values[(name, tuple(sorted(labels.items())))]

    def total(self, name: str) -> int:
        with self._lock:
            return sum(v for (n, _), v in self._values.items() if n == name)


counters = Counters()
