"""The shop's page frame (header, navigation, language switch, footer), written once."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from html import escape

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


def _nav_html(lang: str) -> str:
    return (
        f'<div class="flex items-center gap-3 text-sm"><a href="/#paket" class="no-underline text-slate-700 '
        f'max-sm:hidden">{tr("nav.packages", lang)}</a><a href="/orders" class="no-underline text-slate-700">'
        f"{tr('nav.lookup', lang)}</a></div>"
    )


def _footer_html(lang: str, contact: str) -> str:
    support = escape(tr("footer.support", lang, contact=contact) if contact else tr("footer.no_support", lang))
    return (
        f'<div class="flex flex-wrap gap-4 items-center justify-center"><span>{support}</span>'
        f'<a href="/terms" class="text-slate-600">{tr("nav.terms", lang)}</a>'
        f'<a href="/privacy" class="text-slate-600">{tr("nav.privacy", lang)}</a></div>'
    )


@contextmanager
def shop_frame(lang: str) -> Iterator[ui.column]:
    """Header with navigation and the language switch; yields the page's main column. Static parts are
    HTML blocks: NiceGUI's cost per page grows with its number of elements."""
    with ui.header().classes("bg-white text-slate-900 shadow-sm px-4 py-2 items-center justify-between"):
        ui.html(
            '<div class="flex items-center justify-between gap-3"><a href="/" class="text-xl font-bold '
            f'no-underline text-blue-700">AksesGPT</a>{_nav_html(lang)}</div>',
            sanitize=False,
        ).classes("grow")
        ui.button(tr("nav.language", lang), on_click=lambda: switch_language(lang)).props(
            "flat dense no-caps size=sm"
        ).classes("text-blue-700").mark("language-switch")
    with ui.column().classes("w-full max-w-4xl mx-auto p-4 gap-6") as main:
        yield main
    with ui.footer(fixed=False).classes("bg-white text-slate-600 text-sm px-4 py-3 border-t justify-center"):
        ui.html(_footer_html(lang, app.state.settings.SUPPORT_CONTACT), sanitize=False)
