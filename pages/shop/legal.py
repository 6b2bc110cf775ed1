"""Terms and privacy: plain pages whose text the owner edits in content/<page>.<lang>.md."""

from __future__ import annotations

import re
from pathlib import Path

from nicegui import app, ui

from pages.shop.frame import current_lang, shop_frame
from pages.threads import io_bound


def content(name: str, lang: str) -> str:
    folder = Path(app.state.settings.CONTENT_DIR)
    for candidate in (folder / f"{name}.{lang}.md", folder / f"{name}.id.md"):
        if candidate.exists():  # the owner's notes to self (HTML comments) stay out of the page
            return re.sub(r"<!--.*?-->", "", candidate.read_text(encoding="utf-8"), flags=re.S)
    return ""


def legal_ui(text: str, lang: str) -> None:
    with shop_frame(lang):
        ui.markdown(text).classes("w-full prose")


def register() -> None:
    for name, title in (("terms", "Syarat & ketentuan"), ("privacy", "Privasi")):

        async def page(lang: str | None = None, name: str = name) -> None:
            lang = current_lang(lang)
            legal_ui(await io_bound(content, name, lang), lang)

        ui.page(f"/{name}", title=f"{title} — AksesGPT")(page)
