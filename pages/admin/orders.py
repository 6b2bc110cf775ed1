"""Orders: the list, and one order's timeline with the admin's actions (resend, mark paid, refund)."""

from __future__ import annotations

import json
from typing import Any

from nicegui import run, ui

from domain.admin.listing import orders_page
from domain.orders.admin_actions import TimelineEntry, mark_paid_manually, order_timeline, resend_access
from domain.orders.orders import accept_review, get_order, refund_order
from domain.shared.errors import NotFound
from domain.shared.i18n import format_idr
from domain.shared.models import Order, OrderStatus
from infra import db
from pages.admin.frame import SignedIn, act, admin_frame, client_ip
from pages.admin.table import ServerTable, wib

COLUMNS = [
    {"name": "code", "label": "Kode", "field": "code", "align": "left"},
    {"name": "created", "label": "Dibuat (WIB)", "field": "created", "align": "left"},
    {"name": "email", "label": "Pelanggan", "field": "email", "align": "left"},
    {"name": "amount", "label": "Jumlah", "field": "amount", "align": "right"},
    {"name": "status", "label": "Status", "field": "status", "align": "left"},
    {"name": "provider", "label": "Gateway", "field": "provider", "align": "left"},
    {"name": "paid", "label": "Dibayar (WIB)", "field": "paid", "align": "left"},
]
OPEN_ROW = (
    '<q-tr :props="props" class="cursor-pointer" @click="$parent.$emit(\'open\', props.row)">'
    '<q-td v-for="col in props.cols" :key="col.name" :props="props">{{ col.value }}</q-td></q-tr>'
)


def order_row(order: Order) -> dict[str, Any]:
    return {
        "id": order.id,
        "code": order.code,
        "created": wib(order.created_at),
        "email": order.email,
        "amount": format_idr(order.amount_idr),
        "status": order.status,
        "provider": order.provider or "",
        "paid": wib(order.paid_at),
    }


def load_detail(code: str) -> tuple[Order, list[TimelineEntry]] | None:
    with db.read_session() as session:
        try:
            order = get_order(session=session, code=code)
        except NotFound:
            return None
        return order, order_timeline(session=session, order_id=order.id)  # type: ignore[arg-type]


def reason_dialog(title: str, button: str, work, success: str, done) -> None:
    with ui.dialog() as dialog, ui.card().classes("w-full max-w-md"):
        ui.label(title).classes("text-lg font-bold")
        reason = ui.input("Alasan (wajib)").classes("w-full").mark("action-reason")

        async def go() -> None:
            if await act(lambda s: work(s, reason.value or ""), success):
                dialog.close()
                await done()

        with ui.row().classes("w-full justify-end"):
            ui.button("Batal", on_click=dialog.close).props("flat")
            ui.button(button, on_click=go).mark("action-save")
    dialog.open()


def order_actions(admin: SignedIn, order: Order, done) -> None:
    ip, order_id = client_ip(), order.id
    with ui.row().classes("gap-2"):
        if order.status == OrderStatus.FULFILLED:
            ui.button(
                "Kirim ulang e-mail akses",
                on_click=lambda: act(
                    lambda s: resend_access(session=s, order_id=order_id, actor=admin.actor, ip=ip),
                    "E-mail akses dijadwalkan",
                ),
            ).props("outline")
        if order.status in (OrderStatus.PENDING_PAYMENT, OrderStatus.PAYMENT_EXPIRED, OrderStatus.PAYMENT_FAILED):
            ui.button(
                "Tandai dibayar",
                on_click=lambda: reason_dialog(
                    f"Tandai {order.code} dibayar {format_idr(order.amount_idr)}?",
                    "Tandai dibayar",
                    lambda s, r: mark_paid_manually(session=s, order_id=order_id, actor=admin.actor, reason=r, ip=ip),
                    "Dicatat dibayar",
                    done,
                ),
            ).mark("mark-paid")
        if order.status == OrderStatus.PAYMENT_REVIEW:
            ui.button(
                "Terima pembayaran",
                on_click=lambda: reason_dialog(
                    "Terima pembayaran yang jumlahnya berbeda?",
                    "Terima",
                    lambda s, r: accept_review(session=s, order_id=order_id, actor=admin.actor, note=r),
                    "Diterima",
                    done,
                ),
            )
        if order.status in (OrderStatus.FULFILLED, OrderStatus.PENDING_STOCK, OrderStatus.PAYMENT_REVIEW):
            ui.button(
                "Refund / batalkan",
                on_click=lambda: reason_dialog(
                    f"Refund {order.code}? Kursi aktifnya dicabut.",
                    "Refund",
                    lambda s, r: refund_order(session=s, order_id=order_id, actor=admin.actor, reason=r),
                    "Direfund",
                    done,
                ),
            ).props("color=negative outline")


def register() -> None:
    @ui.page("/admin/orders", title="Pesanan — AksesGPT admin")
    async def orders(status: str = "") -> None:
        async with admin_frame("Pesanan") as admin:
            if admin is None:
                return
            filters = {"status": status, "search": ""}

            def load(page: int, per_page: int) -> tuple[list[dict[str, Any]], int]:
                with db.read_session() as session:
                    result = orders_page(session=session, page=page, per_page=per_page, **filters)
                return [order_row(o) for o in result.rows], result.total

            with ui.row().classes("w-full items-end gap-3"):
                status_in = (
                    ui.select({"": "Semua", **{s.value: s.value for s in OrderStatus}}, value=status, label="Status")
                    .props("dense outlined")
                    .classes("w-44")
                )
                search = ui.input("Kode / e-mail / referensi").props("dense outlined clearable").mark("order-search")
            table = ServerTable(COLUMNS, load, mark="orders-table")
            table.table.add_slot("body", OPEN_ROW)
            table.table.on("open", lambda e: ui.navigate.to(f"/admin/orders/{e.args['code']}"))

            async def apply() -> None:
                filters.update(status=status_in.value or "", search=search.value or "")
                await table.refresh(first_page=True)

            status_in.on_value_change(apply)
            search.on("keydown.enter", apply)
            search.on("clear", apply)
            await table.refresh()
            ui.timer(5.0, table.refresh)

    @ui.page("/admin/orders/{code}", title="Pesanan — AksesGPT admin")
    async def order_detail(code: str) -> None:
        async with admin_frame(f"Pesanan {code}") as admin:
            if admin is None:
                return
            holder = ui.column().classes("w-full gap-3")
            seen: dict[str, Any] = {"key": None}

            async def draw() -> None:
                found = await run.io_bound(load_detail, code)
                key = (found[0].status, len(found[1]), found[1][-1].title if found[1] else "") if found else None
                if key == seen["key"]:  # redraw only on news, so an open dialog is never swept away
                    return
                seen["key"] = key
                holder.clear()
                with holder:
                    if found is None:
                        ui.label("Pesanan tidak ditemukan")
                        return
                    order, timeline = found
                    with ui.card().classes("w-full").props("flat bordered"):
                        ui.label(
                            f"{order.status} · {format_idr(order.amount_idr)} · {order.email} · {order.phone}"
                        ).classes("font-semibold").mark("order-summary")
                        ui.label(
                            f"Gateway {order.provider or '-'} · referensi {order.provider_reference or '-'} "
                            f"· metode {order.payment_method or '-'} · dibayar {wib(order.paid_at) or '-'}"
                        )
                        order_actions(admin, order, draw)
                    ui.label("Riwayat").classes("text-lg font-bold")
                    with ui.timeline(side="right").classes("w-full"):
                        for entry in timeline:
                            icon = {"audit": "history", "payment": "payments", "email": "mail"}[entry.kind]
                            with ui.timeline_entry(title=entry.title, subtitle=wib(entry.at), icon=icon):
                                if entry.detail:
                                    ui.code(
                                        json.dumps(entry.detail, indent=1, ensure_ascii=False, default=str)
                                    ).classes("w-full text-xs")

            await draw()
            ui.timer(5.0, draw)
