"""Terms and privacy: plain pages whose text the owner edits in content/<page>.<lang>.md."""

from __future__ import annotations

import re
from pathlib import Path

from nicegui import app, ui

from pages.shop.frame import shop_frame


def content(name: str, lang: str) -> str:
    folder = Path(app.state.settings.CONTENT_DIR)
    for candidate in (folder / f"{name}.{lang}.md", folder / f"{name}.id.md"):
        if candidate.exists():  # the owner's notes to self (HTML comments) stay out of the page
            return re.sub(r"<!--.*?-->", "", candidate.read_text(encoding="utf-8"), flags=re.S)
    return ""


def legal_ui(text: str, lang: str) -> None:
    with shop_frame(lang):
        ui.markdown(text).classes("w-full prose")
