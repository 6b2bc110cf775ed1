"""Text that outsiders wrote (callback bodies and headers, customer fields in audit details and e-mails), shown
as text: a label keeps its line breaks with `white-space: pre-wrap` and the browser never parses it as HTML.
Never ui.markdown, ui.html or ui.code (which renders through ui.markdown) for such text: a body that closes the
code fence would become HTML, and sanitising stops scripts, not a fake sign-in overlay or remote images."""

from __future__ import annotations

import json
from typing import Any

from nicegui import ui

PRE_STYLE = "white-space: pre-wrap; overflow-wrap: anywhere"


def preformatted(text: str) -> ui.label:
    """A block of monospaced text, line breaks kept, inert."""
    return (
        ui.label(text)
        .classes("w-full font-mono text-xs bg-slate-100 rounded p-2 max-h-[50vh] overflow-auto")
        .style(PRE_STYLE)
    )


def as_json(value: Any) -> str:
    """A value as indented JSON for reading (not for parsing back)."""
    return json.dumps(value, indent=1, ensure_ascii=False, default=str)
