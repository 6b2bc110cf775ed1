"""The shop's page frame (header, navigation, language switch, footer), written once."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from nicegui import app, ui

from domain.i18n import language
from domain.i18n import t as tr


def current_lang(requested: str | None = None) -> str:
    """The customer's language: ?lang= when given (and remembered), else the remembered one, else Indonesian."""
    if requested:
        app.storage.user["lang"] = language(requested)
    return language(app.storage.user.get("lang"))


def switch_language(lang: str) -> None:
    app.storage.user["lang"] = "en" if lang == "id" else "id"
    ui.navigate.reload()


@contextmanager
def shop_frame(lang: str) -> Iterator[ui.column]:
    """Header with navigation and the language switch; yields the page's main column."""
    ui.query("body").classes("bg-slate-50")
    with ui.header().classes("bg-white text-slate-900 shadow-sm px-4 py-2 items-center justify-between"):
        ui.link("AksesGPT", "/").classes("text-xl font-bold no-underline text-blue-700")
        with ui.row().classes("items-center gap-3 text-sm"):
            ui.link(tr("nav.packages", lang), "/#paket").classes("no-underline text-slate-700 max-sm:hidden")
            ui.link(tr("nav.lookup", lang), "/orders").classes("no-underline text-slate-700")
            ui.button(tr("nav.language", lang), on_click=lambda: switch_language(lang)).props(
                "flat dense no-caps size=sm"
            ).classes("text-blue-700").mark("language-switch")
    with ui.column().classes("w-full max-w-4xl mx-auto p-4 gap-6") as main:
        yield main
    settings = app.state.settings
    with ui.footer(fixed=False).classes("bg-white text-slate-600 text-sm px-4 py-3 border-t justify-center"):
        with ui.row().classes("gap-4 items-center justify-center flex-wrap"):
            contact = settings.SUPPORT_CONTACT
            ui.label(tr("footer.support", lang, contact=contact) if contact else tr("footer.no_support", lang))
            ui.link(tr("nav.terms", lang), "/terms").classes("text-slate-600")
            ui.link(tr("nav.privacy", lang), "/privacy").classes("text-slate-600")
