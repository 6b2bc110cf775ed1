"""The shop's front page: packages with live availability, how it works, questions."""

from __future__ import annotations

from html import escape

from nicegui import run, ui

from domain import db
from domain.i18n import format_idr
from domain.i18n import t as tr
from domain.products import CatalogueItem, catalogue
from pages.shop.frame import current_lang, shop_frame


def load_catalogue() -> list[CatalogueItem]:
    with db.read_session() as session:
        return catalogue(session=session)


def card_html(item: CatalogueItem, lang: str) -> str:
    """A package's text as one HTML block (NiceGUI's cost grows with the number of elements on a page)."""
    product = item.product
    badge = (
        f'<span class="bg-orange-500 text-white text-xs rounded px-2 py-0.5">{tr("home.popular", lang)}</span>'
        if product.is_popular
        else ""
    )
    stock = (
        f'<div class="text-sm text-green-700">{tr("home.in_stock", lang)}</div>'
        if item.in_stock
        else f'<div class="text-sm text-amber-700">{tr("home.restocking", lang)}</div>'
    )
    about = escape(product.description or tr("home.includes", lang, days=product.duration_days))
    return (
        f'<div class="flex items-center justify-between gap-2"><div class="text-lg font-semibold">'
        f"{escape(product.name)}</div>{badge}</div>"
        f'<div class="text-sm text-slate-600">{tr("home.days", lang, days=product.duration_days)}</div>'
        f'<div class="text-2xl font-bold text-blue-700 my-1">{format_idr(product.price_idr)}</div>'
        f'<div class="text-sm mb-1">{about}</div>{stock}'
    )


def package_card(item: CatalogueItem, lang: str) -> None:
    """One package: its text, and the buy button."""
    slug = item.product.slug
    with ui.card().classes("w-full gap-2 justify-between").props("flat bordered"):
        ui.html(card_html(item, lang), sanitize=False).classes("w-full")
        ui.button(tr("home.buy", lang), on_click=lambda: ui.navigate.to(f"/checkout/{slug}")).classes("w-full").mark(
            f"buy-{slug}"
        )


BOX = "bg-white border border-slate-200 rounded"


def how_and_faq_html(lang: str) -> str:
    steps = "".join(
        f'<div class="{BOX} p-4"><div class="text-2xl font-bold text-blue-700">{n}</div>'
        f"<div>{tr(key, lang)}</div></div>"
        for n, key in enumerate(("home.step1", "home.step2", "home.step3"), start=1)
    )
    faq = "".join(
        f'<details class="{BOX} px-4 py-3"><summary class="cursor-pointer font-medium">'
        f'{tr(f"faq.q{n}", lang)}</summary><div class="text-slate-700 mt-2">{tr(f"faq.a{n}", lang)}</div></details>'
        for n in (1, 2, 3)
    )
    return (
        f'<h2 class="text-2xl font-bold mb-3">{tr("home.how", lang)}</h2>'
        f'<div class="grid gap-4 sm:grid-cols-3 mb-6">{steps}</div>'
        f'<h2 class="text-2xl font-bold mb-3">{tr("home.faq", lang)}</h2><div class="grid gap-2">{faq}</div>'
    )


def register() -> None:
    @ui.page("/", title="AksesGPT — akses ChatGPT Plus")
    async def home(lang: str | None = None) -> None:
        lang = current_lang(lang)
        items = await run.io_bound(load_catalogue)
        with shop_frame(lang):
            ui.label(tr("brand.tagline", lang)).classes("text-lg text-slate-700")
            ui.label(tr("home.title", lang)).classes("text-2xl font-bold").props("id=paket")
            container = ui.element("div").classes("w-full grid gap-4 sm:grid-cols-2 md:grid-cols-3")

            def draw(entries: list[CatalogueItem]) -> None:
                container.clear()
                with container:
                    if not entries:
                        ui.label(tr("home.empty", lang)).classes("text-slate-600")
                    for entry in entries:
                        package_card(entry, lang)

            draw(items)

            async def refresh() -> None:  # availability changes as seats are taken and freed
                draw(await run.io_bound(load_catalogue))

            ui.timer(15, refresh)
            ui.html(how_and_faq_html(lang), sanitize=False).classes("w-full")
