"""pages/quiet_outbox.py: NiceGUI's outbox waits without a timeout, and the patch refuses a NiceGUI it was not
read for."""

from __future__ import annotations

import asyncio

import pytest
from nicegui import outbox

from pages import quiet_outbox


def test_it_refuses_a_nicegui_it_was_not_read_for(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(outbox, "asyncio", asyncio)
    monkeypatch.setattr(quiet_outbox, "__version__", "9.9.9")
    with pytest.raises(RuntimeError, match="9.9.9 is not the 3.18.0"):
        quiet_outbox.install()
    assert outbox.asyncio is asyncio


async def test_the_outbox_waits_for_its_event_without_waking_and_the_rest_is_asyncio(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(outbox, "asyncio", asyncio)
    quiet_outbox.install()
    quiet_outbox.install()  # (once only)
    shim = outbox.asyncio
    assert shim is not asyncio and shim.Event is asyncio.Event and shim.sleep is asyncio.sleep
    event = asyncio.Event()
    waiting = asyncio.ensure_future(shim.wait_for(event.wait(), timeout=0.01))
    await asyncio.sleep(0.1)  # far past the timeout it was given: still waiting, no TimeoutError
    assert not waiting.done()
    event.set()  # what every message, and Outbox.stop(), does
    assert await asyncio.wait_for(waiting, 1) is True
