"""An open page that nothing happens to costs the server nothing a second.

What NiceGUI 3.18 does (nicegui/outbox.py): every client's outbox loop waits for its next message with
`asyncio.wait_for(event.wait(), timeout=1.0)`, so each open page wakes the event loop once a second (a timer, a
task and a TimeoutError) only to find nothing to send. The timeout serves no purpose there: `Outbox.stop()` sets
the same event to end the loop, and every enqueue sets it. With 1,000 order pages open those wake-ups were most of
the idle app's CPU (bench/live_pages.py).

What this module does: NiceGUI's outbox module sees an `asyncio` whose `wait_for` waits without the timeout;
everything else is the real asyncio. Nothing else in NiceGUI is touched. `install()` refuses to start when the
outbox is not the one read for this (a NiceGUI upgrade): read it again, then update `REVIEWED`.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable
from types import ModuleType
from typing import Any, TypeVar

from nicegui import __version__, outbox

REVIEWED = "3.18.0"  # the NiceGUI whose Outbox.loop was read for this
EXPECTED = "await asyncio.wait_for(self._enqueue_event.wait(), timeout=1.0)"
T = TypeVar("T")


class _Untimed(ModuleType):
    """asyncio, but `wait_for` waits for as long as it takes."""

    def __init__(self) -> None:
        super().__init__("asyncio")

    def __getattr__(self, name: str) -> Any:
        return getattr(asyncio, name)

    @staticmethod
    async def wait_for(awaitable: Awaitable[T], timeout: float | None = None) -> T:  # noqa: ARG004  (ignored)
        return await awaitable


def install() -> None:
    if isinstance(outbox.asyncio, _Untimed):
        return
    if __version__ != REVIEWED:
        raise RuntimeError(
            f"NiceGUI {__version__} is not the {REVIEWED} whose outbox pages/quiet_outbox.py adjusts: read "
            "nicegui/outbox.py again, then update REVIEWED"
        )
    source = inspect.getsource(outbox.Outbox.loop)
    if (
        source.count("asyncio.wait_for(") != 1
        or EXPECTED not in source
        or "self._set_enqueue_event()" not in (inspect.getsource(outbox.Outbox.stop))
    ):
        raise RuntimeError("NiceGUI's outbox loop changed: pages/quiet_outbox.py needs a look")
    outbox.asyncio = _Untimed()  # type: ignore[attr-defined]
