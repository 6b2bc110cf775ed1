"""Terms and privacy: plain pages whose text the owner edits in content/<page>.<lang>.md."""

from __future__ import annotations

import re
from pathlib import Path

from nicegui import app, ui

from pages.shop.frame import current_lang, shop_frame


def content(name: str, lang: str) -> str:
    folder = Path(app.state.settings.CONTENT_DIR)
    for candidate in (folder / f"{name}.{lang}.md", folder / f"{name}.id.md"):
        if candidate.exists():  # the owner's notes to self (HTML comments) stay out of the page
            return re.sub(r"<!--.*?-->", "", candidate.read_text(encoding="utf-8"), flags=re.S)
    return ""


def register() -> None:
    for name, title in (("terms", "Syarat & ketentuan"), ("privacy", "Privasi")):

        def page(lang: str | None = None, name: str = name) -> None:
            lang = current_lang(lang)
            with shop_frame(lang):
                ui.markdown(content(name, lang)).classes("w-full prose")

        ui.page(f"/{name}", title=f"{title} — AksesGPT")(page)
