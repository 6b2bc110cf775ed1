"""Orders: the list, and one order's timeline with the admin's actions (resend, mark paid, refund)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from nicegui import ui
from sqlmodel import Session

from domain.admin.listing import orders_page
from domain.orders.admin_actions import TimelineEntry, mark_paid_manually, order_timeline, resend_access
from domain.orders.orders import accept_review, get_order, refund_order
from domain.shared.errors import NotFound
from domain.shared.i18n import format_idr
from domain.shared.models import Order, OrderStatus
from infra import db
from pages.admin.frame import Done, Refused, SignedIn, act, client_ip, fetch, live
from pages.admin.table import Listing, ServerTable, column, stored_id, wib
from pages.admin.text import as_json, preformatted

COLUMNS = [
    column("code", "Kode"),
    column("created", "Dibuat (WIB)"),
    column("email", "Pelanggan"),
    column("amount", "Jumlah", right=True),
    column("status", "Status"),
    column("provider", "Gateway"),
    column("paid", "Dibayar (WIB)"),
]


PER_PAGE = 25


@dataclass
class OrderRow:
    id: int
    code: str
    created: str
    email: str
    amount: str
    status: str
    provider: str
    paid: str

    @classmethod
    def of(cls, order: Order) -> OrderRow:
        return cls(
            id=stored_id(order.id),
            code=order.code,
            created=wib(order.created_at),
            email=order.email,
            amount=format_idr(order.amount_idr),
            status=order.status,
            provider=order.provider or "",
            paid=wib(order.paid_at),
        )


@dataclass
class OrderFilters:
    status: str = ""
    search: str = ""


@dataclass(frozen=True)
class OrdersView:
    filters: OrderFilters
    first: Listing[OrderRow] = field(default_factory=lambda: Listing([], 0))


@dataclass(frozen=True)
class OrderDetail:
    """One order and everything that happened to it, oldest first."""

    order: Order
    order_id: int
    timeline: list[TimelineEntry]

    @property
    def news(self) -> tuple[str, int, str]:
        """What, when it changes, means the page must be redrawn."""
        return self.order.status, len(self.timeline), self.timeline[-1].title if self.timeline else ""


def listing(filters: OrderFilters, page: int, per_page: int) -> Listing[OrderRow]:
    with db.read_session() as session:
        result = orders_page(
            session=session, status=filters.status, search=filters.search, page=page, per_page=per_page
        )
    return Listing([OrderRow.of(o) for o in result.rows], result.total)


def load_view(filters: OrderFilters) -> OrdersView:
    return OrdersView(filters, listing(filters, 1, PER_PAGE))


def load_detail(code: str) -> OrderDetail | None:
    with db.read_session() as session:
        try:
            order = get_order(session=session, code=code)
        except NotFound:
            return None
        order_id = stored_id(order.id)
        return OrderDetail(order, order_id, order_timeline(session=session, order_id=order_id))


def reason_dialog(title: str, button: str, work: Callable[[Session, str], object], success: str, done: Done) -> None:
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


def order_actions(admin: SignedIn, detail: OrderDetail, done: Done) -> None:
    ip, order, order_id = client_ip(), detail.order, detail.order_id
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


def orders_ui(view: OrdersView) -> None:
    filters = view.filters
    with ui.row().classes("w-full items-end gap-3"):
        status_in = (
            ui.select({"": "Semua", **{s.value: s.value for s in OrderStatus}}, value=filters.status, label="Status")
            .props("dense outlined")
            .classes("w-44")
        )
        search = ui.input("Kode / e-mail / referensi").props("dense outlined clearable").mark("order-search")
    table = ServerTable(
        COLUMNS, lambda page, per_page: listing(filters, page, per_page), first=view.first, mark="orders-table"
    )
    table.opens(OrderRow, lambda row: ui.navigate.to(f"/admin/orders/{row.code}"))

    async def apply() -> None:
        filters.status, filters.search = status_in.value or "", search.value or ""
        await table.refresh(first_page=True)

    status_in.on_value_change(apply)
    search.on("keydown.enter", apply)
    search.on("clear", apply)
    live(table.refresh, ("order", "assignment"))


def detail_ui(admin: SignedIn, detail: OrderDetail, done: Done) -> None:
    order = detail.order
    with ui.card().classes("w-full").props("flat bordered"):
        ui.label(f"{order.status} · {format_idr(order.amount_idr)} · {order.email} · {order.phone}").classes(
            "font-semibold"
        ).mark("order-summary")
        ui.label(
            f"Gateway {order.provider or '-'} · referensi {order.provider_reference or '-'} "
            f"· metode {order.payment_method or '-'} · dibayar {wib(order.paid_at) or '-'}"
        )
        order_actions(admin, detail, done)
    ui.label("Riwayat").classes("text-lg font-bold")
    with ui.timeline(side="right").classes("w-full"):
        for entry in detail.timeline:
            icon = {"audit": "history", "payment": "payments", "email": "mail"}[entry.kind]
            with ui.timeline_entry(title=entry.title, subtitle=wib(entry.at), icon=icon):
                if entry.detail:
                    preformatted(as_json(entry.detail))


class OrderDetailPanel:
    """The order's card and timeline, drawn again only on news, so an open dialog is never swept away."""

    def __init__(self, admin: SignedIn, code: str) -> None:
        self.admin, self.code = admin, code
        self.holder = ui.column().classes("w-full gap-3")
        self.news: tuple[str, int, str] | None = None

    def show(self, detail: OrderDetail | None) -> None:
        news = detail.news if detail else None
        if news == self.news:
            return
        self.news = news
        self.holder.clear()
        with self.holder:
            if detail is None:
                ui.label("Pesanan tidak ditemukan")
            else:
                detail_ui(self.admin, detail, self.update)

    async def update(self) -> None:
        with self.holder:  # (called from a button the page's own refresh may have redrawn away meanwhile)
            detail = await fetch(load_detail, self.code)
            if not isinstance(detail, Refused):
                self.show(detail)


def order_detail_ui(admin: SignedIn, code: str, detail: OrderDetail | None) -> None:
    panel = OrderDetailPanel(admin, code)
    panel.show(detail)
    live(panel.update, ("order", "assignment", "mail", "payment_event"))
