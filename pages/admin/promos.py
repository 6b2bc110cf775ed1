"""Promo codes (/admin/promos): every code with its uses, and the owner's create, edit and deactivate. Other
admins see the table only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from nicegui import ui
from sqlmodel import Session

from domain.catalog.products import list_products
from domain.payments.promos import PromoRow, check_promo_fields, deactivate_promo, promo_rows, save_promo
from domain.shared.errors import ValidationFailed
from domain.shared.i18n import WIB, format_idr
from domain.shared.models import Product, PromoCode, PromoKind
from infra import db
from pages.admin.error_words import as_raised
from pages.admin.frame import Refused, SignedIn, act, attempt, client_ip, fetch, live
from pages.admin.table import Cards, RowAction
from pages.admin.words import column_words, say

READ_ONLY = "Hanya pemilik (owner) yang bisa membuat atau mengubah kode promo."
READ_ONLY_EN = "Only the owner can create or change promo codes."
COLUMNS = [
    {"name": "code", "label": "Kode", "field": "code", "align": "left"},
    {"name": "uses", "label": "Dipakai", "field": "uses", "align": "right"},
    {"name": "discount", "label": "Potongan", "field": "discount", "align": "left"},
    {"name": "minimum", "label": "Min. beli", "field": "minimum", "align": "right"},
    {"name": "per_customer", "label": "Per pelanggan", "field": "per_customer", "align": "right"},
    {"name": "given", "label": "Diskon diberikan", "field": "given", "align": "right"},
    {"name": "window", "label": "Berlaku", "field": "window", "align": "left"},
    {"name": "packages", "label": "Paket", "field": "packages", "align": "left"},
    {"name": "state", "label": "Status", "field": "state", "align": "left"},
]
ACTIONS = [RowAction("edit", "Ubah"), RowAction("deactivate", "Nonaktifkan", "props.row.active", colour="red-9")]


@dataclass(frozen=True)
class PromosView:
    rows: list[PromoRow]
    products: dict[int, str]  # id -> name, every package (inactive ones too: a code may name one)


def load_view() -> PromosView:
    with db.read_session() as session:
        products: list[Product] = list_products(session=session, active_only=False)
        return PromosView(promo_rows(session=session), {p.id: p.name for p in products if p.id is not None})


def wib_text(moment: datetime | None) -> str:
    return moment.astimezone(WIB).strftime("%Y-%m-%d %H:%M") if moment else ""


def discount_text(promo: PromoCode) -> str:
    return f"{promo.value}%" if promo.kind == PromoKind.PERCENT else format_idr(promo.value)


def table_row(row: PromoRow, products: dict[int, str]) -> dict[str, Any]:
    promo = row.promo
    window = " – ".join(
        (
            wib_text(promo.valid_from) or say("sekarang", "now"),
            wib_text(promo.valid_until) or say("seterusnya", "onwards"),
        )
    )
    return {
        "id": promo.id,
        "code": promo.code,
        "discount": discount_text(promo),
        "minimum": format_idr(promo.min_amount_idr) if promo.min_amount_idr else "-",
        "uses": f"{row.uses} / {promo.max_uses}" if promo.max_uses else str(row.uses),
        "per_customer": str(promo.max_uses_per_customer or "-"),
        "given": format_idr(row.discount_idr),
        "window": window,
        "packages": ", ".join(products.get(p, f"#{p}") for p in promo.product_ids)
        or say("Semua paket", "All packages"),
        "state": say("Aktif", "Active") if promo.is_active else say("Nonaktif", "Inactive"),
        "active": promo.is_active,
    }


def promo_dialog(admin: SignedIn, view: PromosView, promo: PromoCode | None, done: Any) -> None:
    """Create (promo None) or edit a code; a refused field keeps the dialog open with the reason."""
    with ui.dialog() as dialog, ui.card().classes("w-full max-w-lg gap-2"):
        title = (
            say(f"Ubah kode {promo.code}", f"Edit code {promo.code}")
            if promo
            else say("Kode promo baru", "New promo code")
        )
        ui.label(title).classes("text-lg font-bold")
        code = ui.input(say("Kode", "Code"), value=promo.code if promo else "").props("maxlength=32").classes("w-full")
        kind = ui.toggle(
            {PromoKind.PERCENT.value: say("Persen (%)", "Percent (%)"), PromoKind.FIXED.value: "Rupiah (Rp)"},
            value=promo.kind if promo else PromoKind.PERCENT.value,
        ).mark("promo-kind")
        value = ui.input(
            say("Potongan (1–100 untuk persen, atau rupiah)", "Discount (1–100 for percent, or rupiah)"),
            value=str(promo.value) if promo else "",
        )
        value.props("inputmode=numeric").classes("w-full").mark("promo-value")
        minimum = ui.input(say("Minimal pembelian (Rp, kosong: tanpa minimum)", "Minimum purchase (Rp, empty: none)"))
        minimum.value = str(promo.min_amount_idr) if promo and promo.min_amount_idr else ""
        minimum.props("inputmode=numeric").classes("w-full").mark("promo-minimum")
        with ui.row().classes("w-full gap-2 no-wrap"):
            max_uses = ui.input(say("Batas pemakaian", "Use limit"), value=str(promo.max_uses or "") if promo else "")
            max_uses.props(f'inputmode=numeric hint="{say("Kosong: tanpa batas", "Empty: no limit")}"').classes(
                "flex-1"
            ).mark("promo-max-uses")
            per_customer = ui.input(
                say("Per pelanggan", "Per customer"), value=str(promo.max_uses_per_customer or "") if promo else ""
            )
            per_customer.props('inputmode=numeric hint="Per e-mail"').classes("flex-1").mark("promo-per-customer")
        with ui.row().classes("w-full gap-2 no-wrap"):
            valid_from = ui.input(
                say("Berlaku mulai (WIB)", "Valid from (WIB)"), value=wib_text(promo.valid_from) if promo else ""
            )
            valid_from.props('placeholder="2026-12-01 00:00"').classes("flex-1").mark("promo-from")
            valid_until = ui.input(
                say("Berlaku sampai (WIB)", "Valid until (WIB)"), value=wib_text(promo.valid_until) if promo else ""
            )
            valid_until.props('placeholder="2026-12-31 23:59"').classes("flex-1").mark("promo-until")
        ui.label(say("Paket (tak ada yang dicentang: semua paket)", "Packages (none ticked: every package)")).classes(
            "text-sm text-slate-600"
        )
        chosen_ids = set(promo.product_ids) if promo else set()
        with ui.row().classes("w-full gap-x-4 gap-y-0"):  # a checkbox per package: a finger taps one, not a chip
            packages = {
                pid: ui.checkbox(name, value=pid in chosen_ids).classes("min-h-[44px]").mark(f"promo-package-{pid}")
                for pid, name in view.products.items()
            }
        note = ui.input(say("Catatan (untuk admin)", "Note (for admins)"), value=promo.note if promo else "").classes(
            "w-full"
        )
        active = ui.switch(say("Aktif", "Active"), value=promo.is_active if promo else True).mark("promo-active")
        error = ui.label("").classes("text-negative text-sm").mark("promo-error")

        def data() -> dict[str, Any]:
            return {
                "code": code.value or "",
                "kind": kind.value,
                "value": value.value or "",
                "min_amount_idr": minimum.value or "",
                "max_uses": max_uses.value or "",
                "max_uses_per_customer": per_customer.value or "",
                "valid_from": valid_from.value or "",
                "valid_until": valid_until.value or "",
                "product_ids": [pid for pid, box in packages.items() if box.value],
                "is_active": bool(active.value),
                "note": note.value or "",
            }

        async def save() -> None:
            fields, ip, admin_id = data(), client_ip(), admin.id
            promo_id = promo.id if promo else None
            checked = await fetch(check_fields, fields)  # the reason stays in the dialog (the save checks again)
            if isinstance(checked, Refused):
                return
            if checked:
                error.text = checked
                return
            error.text = ""

            def work(session: Session) -> PromoCode:
                return save_promo(session=session, admin_id=admin_id, data=fields, promo_id=promo_id, ip=ip)

            saved = await attempt(work, owner_only=True)
            if isinstance(saved, Refused):
                return
            ui.notify(say(f"Kode {saved.code} disimpan", f"Code {saved.code} saved"), type="positive")
            dialog.close()
            await done()

        with ui.row().classes("w-full justify-end gap-2"):
            ui.button(say("Batal", "Cancel"), on_click=dialog.close).props("flat no-caps").classes("min-h-[44px]")
            ui.button(say("Simpan", "Save"), icon="save", on_click=save).props("no-caps").classes("min-h-[44px]").mark(
                "promo-save"
            )
        code.mark("promo-code-input")
    dialog.open()


def check_fields(fields: dict[str, Any]) -> str:
    """The first problem with the dialog's fields, in the admin's language ("" when none)."""
    with db.read_session() as session:
        try:
            check_promo_fields(session=session, data=fields)
        except ValidationFailed as exc:
            return as_raised(exc)
    return ""


def promos_ui(admin: SignedIn, view: PromosView) -> None:
    ui.label(
        say(
            "Potongan harga untuk pelanggan: persen atau rupiah, dengan minimal pembelian, batas pemakaian, masa "
            "berlaku dan paket. Pesanan yang kedaluwarsa tanpa dibayar tidak dihitung sebagai pemakaian.",
            "Discounts for customers: percent or rupiah, with a minimum purchase, a use limit, a validity window "
            "and packages. Orders that expired unpaid do not count as uses.",
        )
    ).classes("text-slate-600")
    owner = admin.role == "owner"
    state = {"view": view}

    async def refresh() -> None:
        fresh = await fetch(load_view)
        if isinstance(fresh, Refused):
            return
        state["view"] = fresh
        table.rows = [table_row(r, fresh.products) for r in fresh.rows]
        table.update()

    if owner:
        ui.button(
            say("Kode promo baru", "New promo code"),
            icon="add",
            on_click=lambda: promo_dialog(admin, state["view"], None, refresh),
        ).props("no-caps").classes("min-h-[44px]").mark("promo-new")
    else:
        ui.label(say(READ_ONLY, READ_ONLY_EN)).classes("text-amber-800").mark("promos-read-only")
    # the owner's buttons right after the code: on a phone the rest of the row scrolls inside the table
    words = column_words(COLUMNS)
    columns = words[:1] + ([{"name": "actions", "label": "", "field": "id"}] if owner else []) + words[1:]
    table = ui.table(columns=columns, rows=[table_row(r, view.products) for r in view.rows], row_key="id")
    table.props(
        f'flat bordered wrap-cells no-data-label="{say("Belum ada kode promo.", "No promo codes yet.")}"'
    ).classes("w-full")
    table.mark("promos-table")
    cards = Cards(table)  # a card per code on a phone
    if owner:
        cards.actions(ACTIONS)

        def chosen(args: Any) -> PromoCode | None:
            wanted = args.get("id") if isinstance(args, dict) else None
            return next((r.promo for r in state["view"].rows if r.promo.id == wanted), None)

        async def edit(args: Any) -> None:
            promo = chosen(args)
            if promo is not None:
                promo_dialog(admin, state["view"], promo, refresh)

        async def deactivate(args: Any) -> None:
            promo = chosen(args)
            if promo is None or promo.id is None:
                return
            promo_id, ip = promo.id, client_ip()
            if await act(
                lambda s: deactivate_promo(session=s, admin_id=admin.id, promo_id=promo_id, ip=ip),
                say(f"Kode {promo.code} dinonaktifkan", f"Code {promo.code} deactivated"),
                owner_only=True,
            ):
                await refresh()

        table.on("edit", lambda e: edit(e.args))
        table.on("deactivate", lambda e: deactivate(e.args))
    live(refresh, ("promo_code", "order"))
