"""The shop's front page: packages with live availability, how it works, questions."""

from __future__ import annotations

from nicegui import run, ui

from domain import db
from domain.i18n import format_idr
from domain.i18n import t as tr
from domain.products import CatalogueItem, catalogue
from pages.shop.frame import current_lang, shop_frame


def load_catalogue() -> list[CatalogueItem]:
    with db.read_session() as session:
        return catalogue(session=session)


def package_card(item: CatalogueItem, lang: str) -> None:
    """One package: name, duration, price, what it includes, availability, buy button."""
    product = item.product
    with ui.card().classes("w-full sm:w-72 gap-2").props("flat bordered"):
        with ui.row().classes("items-center justify-between w-full no-wrap"):
            ui.label(product.name).classes("text-lg font-semibold")
            if product.is_popular:
                ui.badge(tr("home.popular", lang), color="orange")
        ui.label(tr("home.days", lang, days=product.duration_days)).classes("text-sm text-slate-600")
        ui.label(format_idr(product.price_idr)).classes("text-2xl font-bold text-blue-700")
        ui.label(product.description or tr("home.includes", lang, days=product.duration_days)).classes("text-sm")
        if item.in_stock:
            ui.label(tr("home.in_stock", lang)).classes("text-sm text-green-700")
        else:
            ui.label(tr("home.restocking", lang)).classes("text-sm text-amber-700")
        ui.button(tr("home.buy", lang), on_click=lambda: ui.navigate.to(f"/checkout/{product.slug}")).classes(
            "w-full"
        ).mark(f"buy-{product.slug}")


def register() -> None:
    @ui.page("/", title="AksesGPT — akses ChatGPT Plus")
    async def home(lang: str | None = None) -> None:
        lang = current_lang(lang)
        items = await run.io_bound(load_catalogue)
        with shop_frame(lang):
            ui.label(tr("brand.tagline", lang)).classes("text-lg text-slate-700")
            ui.label(tr("home.title", lang)).classes("text-2xl font-bold").props("id=paket")
            container = ui.row().classes("w-full gap-4 flex-wrap")

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
            ui.label(tr("home.how", lang)).classes("text-2xl font-bold")
            with ui.row().classes("w-full gap-4 flex-wrap"):
                for number, key in enumerate(("home.step1", "home.step2", "home.step3"), start=1):
                    with ui.card().classes("w-full sm:w-64").props("flat bordered"):
                        ui.label(str(number)).classes("text-2xl font-bold text-blue-700")
                        ui.label(tr(key, lang))
            ui.label(tr("home.faq", lang)).classes("text-2xl font-bold")
            with ui.column().classes("w-full gap-1"):
                for n in (1, 2, 3):
                    with ui.expansion(tr(f"faq.q{n}", lang)).classes("w-full bg-white"):
                        ui.label(tr(f"faq.a{n}", lang)).classes("text-slate-700")
