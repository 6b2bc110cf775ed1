"""Work a page waits for (database reads and writes, gateway calls) runs in a thread, off the event loop."""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from nicegui import run

P = ParamSpec("P")
R = TypeVar("R")


async def io_bound(work: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """`run.io_bound` with the answer typed as `work`'s own. NiceGUI 3 answers None instead of a result when the
    app is stopping or the call was cancelled (4.0 raises CancelledError then); this raises it already, so a
    None from `work` itself ("not found") stays a real answer and a page never draws from a missing one."""
    context = contextvars.copy_context()  # the page's request goes along: words read the admin's language by it
    answer = await run.io_bound(lambda: (context.run(work, *args, **kwargs),))
    if answer is None:
        raise asyncio.CancelledError
    return answer[0]


# how long a page's builder may take before NiceGUI answers an error page instead (its default is 3 s): under a
# burst of views on a two-core machine the front page's reads sometimes queued past 3 s and a visitor got a 500
PAGE_BUILD_SECONDS = 15.0
