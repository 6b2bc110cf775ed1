"""Terms and privacy: plain pages whose text the owner writes on the admin's Toko page, or, until then, edits
in content/<page>.<lang>.md."""

from __future__ import annotations

import re
from pathlib import Path

from nicegui import app, ui

from pages.shop.frame import shop_config, shop_frame


def owner_text(name: str) -> str:
    """The text the owner saved for "terms" or "privacy" (one text for both languages), or empty."""
    config = shop_config()
    return config.terms_text if name == "terms" else config.privacy_text


def content(name: str, lang: str) -> str:
    folder = Path(app.state.settings.CONTENT_DIR)
    for candidate in (folder / f"{name}.{lang}.md", folder / f"{name}.id.md"):
        if candidate.exists():  # the owner's notes to self (HTML comments) stay out of the page
            return re.sub(r"<!--.*?-->", "", candidate.read_text(encoding="utf-8"), flags=re.S)
    return ""


def legal_ui(text: str, lang: str) -> None:
    with shop_frame(lang):
        ui.markdown(text).classes("w-full prose")
