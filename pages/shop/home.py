"""The shop's front page: the packages on sale, with live seat availability."""

from __future__ import annotations

from nicegui import run, ui

from domain import db
from domain.products import CatalogueItem, catalogue
from pages.format import format_idr

IN_STOCK = "Tersedia"
RESTOCKING = "Stok sedang diisi ulang — pesanan tetap diproses otomatis begitu ada kursi"


def load_catalogue() -> list[CatalogueItem]:
    with db.read_session() as session:
        return catalogue(session=session)


def package_card(item: CatalogueItem) -> None:
    """One package: name, duration, price, availability."""
    product = item.product
    with ui.card().classes("w-full sm:w-72 gap-2").props("flat bordered"):
        with ui.row().classes("items-center justify-between w-full"):
            ui.label(product.name).classes("text-lg font-semibold")
            if product.is_popular:
                ui.badge("Populer", color="orange")
        ui.label(f"{product.duration_days} hari").classes("text-sm text-gray-600")
        ui.label(format_idr(product.price_idr)).classes("text-2xl font-bold text-primary")
        if product.description:
            ui.label(product.description).classes("text-sm")
        if item.in_stock:
            ui.label(IN_STOCK).classes("text-sm text-green-700")
        else:
            ui.label(RESTOCKING).classes("text-sm text-amber-700")


def register() -> None:
    @ui.page("/", title="AksesGPT — akses ChatGPT Plus")
    async def home() -> None:
        ui.label("AksesGPT").classes("text-3xl font-bold")
        ui.label("Akses ChatGPT Plus bersama, aktif otomatis setelah pembayaran.").classes("text-gray-700")
        container = ui.row().classes("w-full gap-4 flex-wrap")

        async def refresh() -> None:
            items = await run.io_bound(load_catalogue)
            container.clear()
            with container:
                if not items:
                    ui.label("Belum ada paket yang dijual.").classes("text-gray-600")
                for item in items:
                    package_card(item)

        await refresh()
        ui.timer(15, refresh)  # availability changes as seats are taken and freed
