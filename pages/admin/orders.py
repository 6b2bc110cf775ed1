"""Orders: the list, and one order's timeline with the admin's actions (resend, mark paid, refund)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field

from nicegui import ui
from sqlmodel import Session, col, select

from domain.admin.customers import whatsapp_link
from domain.admin.listing import MAX_PER_PAGE, orders_page
from domain.orders.admin_actions import TimelineEntry, mark_paid_manually, order_timeline, resend_access
from domain.orders.orders import accept_review, get_order, refund_order
from domain.orders.renewals import paid_renewals
from domain.shared.errors import NotFound
from domain.shared.i18n import WIB, format_idr
from domain.shared.models import Order, OrderStatus, Product
from domain.shared.money import MANUAL_METHODS, REFUND_METHODS, amount_paid
from infra import db
from infra.types import utcnow
from pages.admin.frame import Done, Refused, SignedIn, act, client_ip, fetch, live
from pages.admin.money_fields import AmountField, MomentField, Unusable, method_select
from pages.admin.search import customer_path
from pages.admin.table import Listing, ServerTable, column, stored_id, wib
from pages.admin.timeline import timeline_ui
from pages.admin.words import chip_cell, chip_fields, say, state_chip, state_choices, state_word, when

COLUMNS = [
    column("code", "Kode"),
    column("created", "Dibuat (WIB)"),
    column("email", "Pelanggan"),
    column("amount", "Jumlah", right=True),
    column("status", "Status"),
    column("provider", "Gateway"),
    column("paid", "Dibayar (WIB)"),
    column("package", "Paket"),
    column("method", "Metode bayar"),
    column("phone", "Telepon"),
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
    package: str = ""
    method: str = ""
    phone: str = ""
    status_colour: str = ""
    status_ink: str = ""

    @classmethod
    def of(cls, order: Order, package: str = "") -> OrderRow:
        colour, ink = chip_fields("order", order.status)
        return cls(
            id=stored_id(order.id),
            code=order.code,
            created=wib(order.created_at),
            email=order.email,
            amount=format_idr(order.amount_idr),
            status=state_word("order", order.status),
            provider=order.provider or "",
            paid=wib(order.paid_at),
            package=package,
            method=order.payment_method or "",
            phone=order.phone,
            status_colour=colour,
            status_ink=ink,
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
    paid_idr: int = 0  # what the customer paid for it (the refund's default and limit)
    renews: str = ""  # a renewal: the code of the order whose seat it renewed
    renewals: tuple[tuple[str, str, int], ...] = ()  # its paid renewals: (code, status, amount), oldest first

    @property
    def news(self) -> tuple[str, int, str]:
        """What, when it changes, means the page must be redrawn."""
        return self.order.status, len(self.timeline), self.timeline[-1].title if self.timeline else ""


def listing(filters: OrderFilters, page: int, per_page: int) -> Listing[OrderRow]:
    with db.read_session() as session:
        result = orders_page(
            session=session, status=filters.status, search=filters.search, page=page, per_page=per_page
        )
        names = package_names(session, result.rows)
    return Listing([OrderRow.of(o, names.get(o.product_id, "")) for o in result.rows], result.total)


def package_names(session: Session, orders: list[Order]) -> dict[int, str]:
    ids = {o.product_id for o in orders}
    if not ids:
        return {}
    return {int(i or 0): n for i, n in session.exec(select(Product.id, Product.name).where(col(Product.id).in_(ids)))}


EXPORT_HEADERS = [
    "Kode",
    "Dibuat (WIB)",
    "Pelanggan",
    "Nama",
    "Telepon",
    "Paket",
    "Harga (Rp)",
    "Status",
    "Gateway",
    "Metode bayar",
    "Dibayar (WIB)",
    "Jumlah dibayar (Rp)",
    "Biaya gateway (Rp)",
    "Refund (Rp)",
    "Metode refund",
    "Direfund (WIB)",
]
MAX_EXPORT = 50_000  # rows in one file; a bigger export is narrowed with the filters first


def export_orders(filters: OrderFilters) -> bytes:
    """The filtered orders (every page, newest first) as CSV: semicolons, WIB times, whole rupiah (see
    pages/admin/reports.py for why)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(EXPORT_HEADERS)
    with db.read_session() as session:
        for page in range(1, MAX_EXPORT // MAX_PER_PAGE + 1):
            result = orders_page(
                session=session, status=filters.status, search=filters.search, page=page, per_page=MAX_PER_PAGE
            )
            names = package_names(session, result.rows)
            for o in result.rows:
                writer.writerow(
                    [
                        o.code, wib(o.created_at), o.email, o.name, o.phone, names.get(o.product_id, ""),
                        o.amount_idr, state_word("order", o.status), o.provider or "",
                        o.payment_method or "", wib(o.paid_at), _number(o.paid_amount_idr), _number(o.fee_idr),
                        _number(o.refunded_amount_idr), _refund_method(o.refund_method),
                        wib(o.refunded_at),
                    ]
                )  # fmt: skip
            if page * MAX_PER_PAGE >= result.total:
                break
    return ("\ufeff" + out.getvalue()).encode()


def _refund_method(method: str | None) -> str:
    return REFUND_METHODS.get(method, method) if method else ""


def _number(value: int | None) -> str:
    return "" if value is None else str(value)


def load_view(filters: OrderFilters) -> OrdersView:
    return OrdersView(filters, listing(filters, 1, PER_PAGE))


def load_detail(code: str) -> OrderDetail | None:
    with db.read_session() as session:
        try:
            order = get_order(session=session, code=code)
        except NotFound:
            return None
        order_id = stored_id(order.id)
        renews = session.get(Order, order.renews_order_id) if order.renews_order_id else None
        renewals = paid_renewals(session=session, order_id=order_id)
        return OrderDetail(
            order,
            order_id,
            order_timeline(session=session, order_id=order_id),
            amount_paid(session=session, order=order),
            renews=renews.code if renews else "",
            renewals=tuple((r.code, str(r.status), r.amount_idr) for r in renewals),
        )


def reason_dialog(title: str, button: str, work: Callable[[Session, str], object], success: str, done: Done) -> None:
    with ui.dialog() as dialog, ui.card().classes("w-full max-w-md"):
        ui.label(title).classes("text-lg font-bold")
        reason = ui.input(say("Alasan (wajib)", "Reason (required)")).classes("w-full").mark("action-reason")

        async def go() -> None:
            if await act(lambda s: work(s, reason.value or ""), success):
                dialog.close()
                await done()

        with ui.row().classes("w-full justify-end"):
            ui.button(say("Batal", "Cancel"), on_click=dialog.close).props("flat")
            ui.button(button, on_click=go).mark("action-save")
    dialog.open()


def order_actions(admin: SignedIn, detail: OrderDetail, done: Done) -> None:
    ip, order, order_id = client_ip(), detail.order, detail.order_id
    with ui.row().classes("gap-2"):
        if order.status == OrderStatus.FULFILLED:
            ui.button(
                say("Kirim ulang e-mail akses", "Resend the access e-mail"),
                on_click=lambda: act(
                    lambda s: resend_access(session=s, order_id=order_id, actor=admin.actor, ip=ip),
                    say("E-mail akses dijadwalkan", "Access e-mail scheduled"),
                ),
            ).props("outline")
        if order.status in (OrderStatus.PENDING_PAYMENT, OrderStatus.PAYMENT_EXPIRED, OrderStatus.PAYMENT_FAILED):
            ui.button(say("Tandai dibayar", "Mark paid"), on_click=lambda: mark_paid_dialog(admin, detail, done)).mark(
                "mark-paid"
            )
        if order.status == OrderStatus.PAYMENT_REVIEW:
            ui.button(
                say("Terima pembayaran", "Accept the payment"),
                on_click=lambda: reason_dialog(
                    say("Terima pembayaran yang jumlahnya berbeda?", "Accept a payment of a different amount?"),
                    say("Terima", "Accept"),
                    lambda s, r: accept_review(session=s, order_id=order_id, actor=admin.actor, note=r),
                    say("Diterima", "Accepted"),
                    done,
                ),
            )
        if order.status in (OrderStatus.FULFILLED, OrderStatus.PENDING_STOCK, OrderStatus.PAYMENT_REVIEW):
            ui.button(
                say("Refund / batalkan", "Refund / cancel"), on_click=lambda: refund_dialog(admin, detail, done)
            ).props("color=negative outline").mark("refund")


PAID_THROUGH_GATEWAY = ""  # the mark-paid dialog's choice for money that came through the gateway
PAID_METHODS = {PAID_THROUGH_GATEWAY: "Lewat gateway (terlihat di dashboard gateway)", **MANUAL_METHODS}
REASON_ERROR = "Isi alasannya dulu."
REASON_ERROR_EN = "Fill in the reason first."


def mark_paid_dialog(admin: SignedIn, detail: OrderDetail, done: Done) -> None:
    """Mark paid: how the money came (the gateway, or cash, a transfer… with the amount taken) and why."""
    order, order_id, ip = detail.order, detail.order_id, client_ip()
    with ui.dialog() as dialog, ui.card().classes("w-full max-w-md"):
        ui.label(
            say(
                f"Tandai {order.code} dibayar ({format_idr(order.amount_idr)})",
                f"Mark {order.code} paid ({format_idr(order.amount_idr)})",
            )
        ).classes("text-lg font-bold")
        method = method_select(PAID_METHODS, "transfer", "paid-method", say("Dibayar lewat", "Paid through"))
        amount = AmountField(say("Jumlah yang diterima", "Amount received"), order.amount_idr, "paid-amount")
        method.on_value_change(lambda: amount.input.set_visibility(method.value != PAID_THROUGH_GATEWAY))
        reason = ui.input(say("Alasan / catatan (wajib)", "Reason / note (required)")).classes("w-full")
        reason.mark("action-reason")

        async def go() -> None:
            manual = method.value != PAID_THROUGH_GATEWAY
            try:
                received = amount.read() if manual else None
            except Unusable as exc:
                ui.notify(str(exc), type="negative")
                return
            if not (reason.value or "").strip():
                ui.notify(say(REASON_ERROR, REASON_ERROR_EN), type="negative")
                return

            def work(s: Session) -> object:
                return mark_paid_manually(
                    session=s,
                    order_id=order_id,
                    actor=admin.actor,
                    reason=reason.value or "",
                    ip=ip,
                    amount_idr=received,
                    method=method.value if manual else None,
                )

            if await act(work, say("Dicatat dibayar", "Recorded as paid")):
                dialog.close()
                await done()

        with ui.row().classes("w-full justify-end"):
            ui.button(say("Batal", "Cancel"), on_click=dialog.close).props("flat").classes("min-h-[44px]")
            ui.button(say("Tandai dibayar", "Mark paid"), on_click=go).classes("min-h-[44px]").mark("action-save")
    dialog.open()


def refund_dialog(admin: SignedIn, detail: OrderDetail, done: Done) -> None:
    """Refund: how much went back (the amount paid by default, at most that), how, when, and why."""
    order, order_id = detail.order, detail.order_id
    paid = detail.paid_idr
    with ui.dialog() as dialog, ui.card().classes("w-full max-w-md"):
        ui.label(
            say(f"Refund {order.code}? Kursi aktifnya dicabut.", f"Refund {order.code}? Its active seat is revoked.")
        ).classes("text-lg font-bold")
        back_label = say(
            f"Jumlah dikembalikan (paling banyak {format_idr(paid)}; 0 bila tidak ada)",
            f"Amount returned (at most {format_idr(paid)}; 0 if none)",
        )
        amount = AmountField(back_label, paid, "refund-amount", allow_zero=True)
        method = method_select(REFUND_METHODS, "gateway" if order.provider else "transfer", "refund-method")
        moment = MomentField(say("Waktu refund", "Refund time"), "refund-at")
        reason = ui.input(say("Alasan (wajib)", "Reason (required)")).classes("w-full").mark("action-reason")

        async def go() -> None:
            try:
                back, at = amount.read(), moment.read()
            except Unusable as exc:
                ui.notify(str(exc), type="negative")
                return
            if back > paid:
                ui.notify(
                    say(
                        f"Refund paling banyak {format_idr(paid)} (yang dibayar).",
                        f"A refund is at most {format_idr(paid)} (what was paid).",
                    ),
                    type="negative",
                )
                return
            if not (reason.value or "").strip():
                ui.notify(say(REASON_ERROR, REASON_ERROR_EN), type="negative")
                return

            def work(s: Session) -> object:
                return refund_order(
                    session=s,
                    order_id=order_id,
                    actor=admin.actor,
                    reason=reason.value or "",
                    amount_idr=back,
                    method=method.value,
                    refunded_at=at,
                )

            if await act(work, say("Direfund", "Refunded")):
                dialog.close()
                await done()

        with ui.row().classes("w-full justify-end"):
            ui.button(say("Batal", "Cancel"), on_click=dialog.close).props("flat").classes("min-h-[44px]")
            ui.button("Refund", on_click=go).props("color=negative").classes("min-h-[44px]").mark("action-save")
    dialog.open()


def orders_ui(view: OrdersView) -> None:
    filters = view.filters
    with ui.row().classes("w-full items-end gap-3"):
        status_in = (
            ui.select(state_choices("order", everything=say("Semua", "All")), value=filters.status, label="Status")
            .props("dense outlined")
            .classes("w-44")
        )
        search = (
            ui.input(say("Kode / e-mail / referensi", "Code / e-mail / reference"))
            .props("dense outlined clearable")
            .mark("order-search")
        )
        export_holder = ui.row()
    table = ServerTable(
        COLUMNS, lambda page, per_page: listing(filters, page, per_page), first=view.first, mark="orders-table"
    )
    table.cell("status", chip_cell("status"))
    table.opens(OrderRow, lambda row: ui.navigate.to(f"/admin/orders/{row.code}"))

    async def apply() -> None:
        filters.status, filters.search = status_in.value or "", search.value or ""
        await table.refresh(first_page=True)

    status_in.on_value_change(apply)
    search.on("keydown.enter", apply)
    search.on("clear", apply)

    async def export() -> None:
        content = await fetch(export_orders, OrderFilters(filters.status, filters.search))
        if not isinstance(content, Refused):
            ui.download.content(content, f"pesanan-{utcnow().astimezone(WIB):%Y%m%d-%H%M}.csv", "text/csv")

    with export_holder:
        ui.button(say("Unduh CSV", "Download CSV"), icon="download", on_click=export).props("outline no-caps").classes(
            "min-h-[44px]"
        ).mark("orders-export")
    live(table.refresh, ("order", "assignment"))


def customer_links(email: str, phone: str) -> None:
    """The customer's page, and a chat with them on WhatsApp (wa.me)."""
    with ui.row().classes("gap-4 flex-wrap items-center"):
        ui.link(say("Halaman pelanggan", "Customer page"), customer_path(email)).classes(
            "min-h-[44px] flex items-center text-blue-800"
        ).mark("order-customer")
        if phone:
            ui.link(f"WhatsApp {phone}", whatsapp_link(phone), new_tab=True).classes(
                "min-h-[44px] flex items-center text-blue-800"
            ).mark("order-wa")


def detail_ui(admin: SignedIn, detail: OrderDetail, done: Done) -> None:
    order = detail.order
    with ui.card().classes("w-full").props("flat bordered"):
        with ui.row().classes("items-center gap-2"):
            state_chip("order", order.status)
            ui.label(f"{format_idr(order.amount_idr)} · {order.email} · {order.phone}").classes("font-semibold").mark(
                "order-summary"
            )
        customer_links(order.email, order.phone)
        provider, reference, method = (
            order.provider or "-",
            order.provider_reference or "-",
            order.payment_method or "-",
        )
        paid = when(order.paid_at) or "-"
        if order.refund_requested_at is not None and order.status == OrderStatus.PENDING_STOCK:
            ui.label(
                say(
                    f"Pelanggan meminta refund pada {when(order.refund_requested_at)} (masih menunggu kursi): "
                    "proses dengan tombol Refund / batalkan.",
                    f"The customer asked for a refund on {when(order.refund_requested_at)} (still waiting for a "
                    "seat): handle it with the Refund / cancel button.",
                )
            ).classes("text-red-900 bg-red-50 rounded p-2 w-full font-semibold").mark("refund-requested")
        elif order.refund_requested_at is not None and order.status == OrderStatus.FULFILLED:
            ui.label(
                say(
                    f"Pelanggan sempat meminta refund pada {when(order.refund_requested_at)}, lalu mendapat kursi. "
                    "Hubungi pelanggan bila ia tetap ingin refund.",
                    f"The customer asked for a refund on {when(order.refund_requested_at)}, then got a seat. "
                    "Contact the customer if they still want a refund.",
                )
            ).classes("text-amber-900 bg-amber-50 rounded p-2 w-full").mark("refund-requested")
        if detail.renews:
            with ui.row().classes("items-center gap-2"):
                ui.label(say("Perpanjangan dari pesanan", "Renewal of order"))
                ui.link(detail.renews, f"/admin/orders/{detail.renews}").classes(
                    "min-h-[44px] flex items-center text-blue-800"
                ).mark("order-renews")
        if detail.renewals:
            with ui.column().classes("gap-0 w-full").mark("order-renewals"):
                ui.label(say("Diperpanjang oleh:", "Renewed by:")).classes("font-semibold")
                for code, status, amount in detail.renewals:
                    with ui.row().classes("items-center gap-2"):
                        ui.link(code, f"/admin/orders/{code}").classes("min-h-[44px] flex items-center text-blue-800")
                        state_chip("order", status)
                        ui.label(format_idr(amount))
                if order.status != OrderStatus.REFUNDED:
                    ui.label(
                        say(
                            "Refund pesanan ini mencabut kursinya, termasuk hari dari perpanjangan di atas: "
                            "refund perpanjangan itu juga bila uangnya dikembalikan.",
                            "Refunding this order revokes its seat, the days of the renewals above included: refund "
                            "those renewals too if their money goes back.",
                        )
                    ).classes("text-sm text-amber-900 bg-amber-50 rounded p-2 w-full")
        if order.discount_idr:
            ui.label(
                say(
                    f"Diskon promo {format_idr(order.discount_idr)} dari harga paket",
                    f"Promo discount {format_idr(order.discount_idr)} off the package price",
                )
            ).mark("order-discount")
        ui.label(
            say(
                f"Gateway {provider} · referensi {reference} · metode {method} · dibayar {paid}",
                f"Gateway {provider} · reference {reference} · method {method} · paid {paid}",
            )
        )
        order_actions(admin, detail, done)
    ui.label(say("Riwayat", "History")).classes("text-lg font-bold")
    timeline_ui(detail.timeline)


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
                ui.label(say("Pesanan tidak ditemukan", "Order not found"))
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
