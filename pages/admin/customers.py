"""Customers: the list (newest first, searchable) and one customer's page (orders, seats, what they paid, the
admin's note, WhatsApp and e-mail links, and the actions: each order's page, resend access)."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import quote

from nicegui import ui

from domain.admin.customers import (
    CustomerRow,
    CustomerSummary,
    customer_summary,
    customers_page,
    mail_link,
    save_customer_note,
    whatsapp_link,
)
from domain.orders.admin_actions import resend_access
from domain.shared.i18n import format_idr
from infra import db
from pages.admin.frame import Done, Refused, SignedIn, act, client_ip, fetch, live
from pages.admin.search import SEAT_WORDS, customer_path, order_words
from pages.admin.table import Listing, ServerTable, column
from pages.admin.words import actor_word, say, when

PER_PAGE = 25
COLUMNS = [
    column("name", "Nama"),
    column("email", "E-mail"),
    column("phone", "WhatsApp"),
    column("orders", "Pesanan", right=True),
    column("spent", "Total dibayar", right=True),
    column("last_order", "Pesanan terakhir"),
]
TOPICS = ("order", "assignment", "customer")


@dataclass
class CustomerListRow:
    email: str
    name: str
    phone: str
    orders: int
    spent: str
    last_order: str

    @classmethod
    def of(cls, row: CustomerRow) -> CustomerListRow:
        return cls(
            email=row.email,
            name=row.name,
            phone=row.phone,
            orders=row.orders,
            spent=format_idr(row.spent_idr),
            last_order=when(row.last_order_at),
        )


@dataclass
class CustomerFilters:
    search: str = ""


@dataclass(frozen=True)
class CustomersView:
    filters: CustomerFilters
    first: Listing[CustomerListRow] = field(default_factory=lambda: Listing([], 0))


def listing(filters: CustomerFilters, page: int, per_page: int) -> Listing[CustomerListRow]:
    with db.read_session() as session:
        result = customers_page(session=session, search=filters.search, page=page, per_page=per_page)
    return Listing([CustomerListRow.of(r) for r in result.rows], result.total)


def load_view(filters: CustomerFilters) -> CustomersView:
    return CustomersView(filters, listing(filters, 1, PER_PAGE))


def customers_ui(view: CustomersView) -> None:
    filters = view.filters
    search = (
        ui.input(
            say("Cari nama / e-mail / nomor WhatsApp", "Search name / e-mail / WhatsApp number"), value=filters.search
        )
        .props("dense outlined clearable")
        .classes("w-full max-w-md")
        .mark("customer-search")
    )
    table = ServerTable(
        COLUMNS, lambda page, per_page: listing(filters, page, per_page), first=view.first, mark="customers-table"
    )
    table.table.props("row-key=email")
    table.opens(CustomerListRow, lambda row: ui.navigate.to(customer_path(row.email)))

    async def apply() -> None:
        filters.search = search.value or ""
        await table.refresh(first_page=True)

    search.on("keydown.enter", apply)
    search.on("clear", apply)
    live(table.refresh, TOPICS)


def load_customer(key: str) -> CustomerSummary | None:
    with db.read_session() as session:
        return customer_summary(session=session, key=key)


def _fact(label: str, value: str, mark: str = "") -> None:
    with ui.column().classes("gap-0 min-w-[9rem]"):
        ui.label(label).classes("text-xs text-slate-600")
        shown = ui.label(value or "-").classes("font-semibold break-all")
        if mark:
            shown.mark(mark)


def contact_ui(summary: CustomerSummary) -> None:
    with ui.row().classes("gap-2 flex-wrap"):
        if summary.phone:
            with ui.link(target=whatsapp_link(summary.phone), new_tab=True).classes("no-underline").mark("customer-wa"):
                ui.button(f"WhatsApp {summary.phone}", icon="chat").props("no-caps color=green-9").classes(
                    "min-h-[44px]"
                )
        if summary.email:
            with ui.link(target=mail_link(summary.email)).classes("no-underline").mark("customer-mail"):
                ui.button(f"E-mail {summary.email}", icon="mail").props("no-caps outline").classes("min-h-[44px]")


def orders_ui(summary: CustomerSummary) -> None:
    ui.label(say("Pesanan", "Orders") + f" ({summary.order_count})").classes("text-lg font-bold")
    if summary.order_count > len(summary.orders):
        ui.label(
            say(f"{len(summary.orders)} terbaru ditampilkan.", f"The latest {len(summary.orders)} shown.")
        ).classes("text-sm text-slate-600")
    with ui.column().classes("w-full gap-2").mark("customer-orders"):
        for order in summary.orders:
            with ui.card().props("flat bordered").classes("w-full p-3 gap-1"):
                with ui.row().classes("w-full items-center justify-between gap-2"):
                    ui.label(f"{order.code} · {order_words(order.status)}").classes("font-semibold break-all")
                    ui.link(say("Buka pesanan", "Open order"), f"/admin/orders/{order.code}").classes(
                        "min-h-[44px] px-3 flex items-center rounded border border-current no-underline font-medium"
                    ).mark("customer-open-order")
                package = summary.packages.get(order.product_id, "")
                ui.label(" · ".join(x for x in (package, format_idr(order.amount_idr)) if x)).classes("text-sm")
                dates = [say("Dibuat ", "Created ") + when(order.created_at)]
                if order.paid_at:
                    dates.append(say("dibayar ", "paid ") + when(order.paid_at))
                ui.label(" · ".join(dates)).classes("text-sm text-slate-700")
                if summary.by_phone and order.email != summary.email:
                    ui.label(order.email).classes("text-sm text-slate-700 break-all")


def seats_ui(summary: CustomerSummary) -> None:
    ui.label(say("Kursi", "Seats") + f" ({len(summary.seats)})").classes("text-lg font-bold")
    if not summary.seats:
        ui.label(say("Belum ada kursi.", "No seats yet.")).classes("text-sm text-slate-600")
    for email in summary.emails if summary.seats else []:  # where each seat is extended, revoked or moved
        which = f" ({email})" if len(summary.emails) > 1 else ""
        ui.link(
            say("Perpanjang / cabut kursi di Penugasan", "Extend / revoke seats in Seats") + which,
            f"/admin/assignments?email={quote(email, safe='@')}",
        ).classes("min-h-[44px] flex items-center break-all").mark("customer-manage-seats")
    with ui.column().classes("w-full gap-2").mark("customer-seats"):
        for item in summary.seats:
            seat = item.seat
            with ui.card().props("flat bordered").classes("w-full p-3 gap-1"):
                ui.label(f"{item.account_email} · {SEAT_WORDS.get(seat.status, seat.status)}").classes(
                    "font-semibold break-all"
                )
                ui.label(
                    say(
                        f"Berakhir {when(seat.end_at)} · pesanan {item.order_code}",
                        f"Ends {when(seat.end_at)} · order {item.order_code}",
                    )
                ).classes("text-sm")


def note_ui(admin: SignedIn, summary: CustomerSummary, done: Done) -> None:
    ui.label(say("Catatan", "Note")).classes("text-lg font-bold")
    note = summary.note
    box = (
        ui.textarea(
            say("Catatan (hanya admin yang melihat)", "Note (only admins see it)"), value=note.text if note else ""
        )
        .props("outlined autogrow")
        .classes("w-full")
        .mark("customer-note")
    )
    if note:
        ui.label(
            say(
                f"Terakhir diubah {when(note.at)} oleh {actor_word(note.by)}",
                f"Last changed {when(note.at)} by {actor_word(note.by)}",
            )
        ).classes("text-xs text-slate-600")
    ip, key = client_ip(), summary.key

    async def save() -> None:
        text = box.value or ""
        if await act(
            lambda s: save_customer_note(session=s, key=key, note=text, actor=admin.actor, ip=ip),
            say("Catatan disimpan", "Note saved"),
        ):
            await done()

    ui.button(say("Simpan catatan", "Save note"), on_click=save).classes("min-h-[44px]").mark("customer-note-save")


def actions_ui(admin: SignedIn, summary: CustomerSummary) -> None:
    order_id, code, ip = summary.resend_order_id, summary.resend_order_code, client_ip()
    if order_id is None:
        return
    ui.button(
        say("Kirim ulang e-mail akses", "Resend the access e-mail"),
        icon="forward_to_inbox",
        on_click=lambda: act(
            lambda s: resend_access(session=s, order_id=order_id, actor=admin.actor, ip=ip),
            say("E-mail akses dijadwalkan", "Access e-mail scheduled"),
        ),
    ).props("outline no-caps").classes("min-h-[44px]").mark("customer-resend").tooltip(
        say(f"Pesanan {code}: kursi aktif terbaru", f"Order {code}: the latest active seat")
    )


def customer_detail_ui(admin: SignedIn, summary: CustomerSummary, done: Done) -> None:
    with ui.card().props("flat bordered").classes("w-full gap-3"):
        ui.label(summary.name or summary.email).classes("text-xl font-bold break-all").mark("customer-name")
        if summary.by_phone:
            ui.label(
                say(f"Semua pesanan dengan nomor {summary.key}", f"Every order with the number {summary.key}")
            ).classes("text-sm text-slate-600")
        with ui.row().classes("w-full gap-6 flex-wrap"):
            _fact("E-mail", ", ".join(summary.emails))
            _fact("WhatsApp", summary.phone)
            _fact(say("Total dibayar", "Total paid"), format_idr(summary.spent_idr), "customer-spent")
            _fact(
                say("Pesanan dibayar", "Paid orders"),
                say(
                    f"{summary.paid_orders} dari {summary.order_count}",
                    f"{summary.paid_orders} of {summary.order_count}",
                ),
            )
        contact_ui(summary)
        actions_ui(admin, summary)
    note_ui(admin, summary, done)
    orders_ui(summary)
    seats_ui(summary)


class CustomerPanel:
    """One customer's page, drawn again when their orders, seats or note change (not while the admin types)."""

    def __init__(self, admin: SignedIn, key: str) -> None:
        self.admin, self.key = admin, key
        self.holder = ui.column().classes("w-full gap-3")
        self.news: object = ()

    def show(self, summary: CustomerSummary | None) -> None:
        news = _news(summary)
        if news == self.news:
            return
        self.news = news
        self.holder.clear()
        with self.holder:
            if summary is None:
                ui.label(
                    say(
                        "Pelanggan tidak ditemukan: tidak ada pesanan dengan e-mail atau nomor ini.",
                        "Customer not found: no order has this e-mail or number.",
                    )
                ).mark("customer-missing")
            else:
                customer_detail_ui(self.admin, summary, self.update)

    async def update(self) -> None:
        with self.holder:
            summary = await fetch(load_customer, self.key)
            if not isinstance(summary, Refused):
                self.show(summary)


def _news(summary: CustomerSummary | None) -> object:
    """What, when it changes, means the page must be redrawn."""
    if summary is None:
        return None
    return (
        [(o.id, o.status, o.updated_at) for o in summary.orders],
        [(s.seat.id, s.seat.status, s.seat.end_at) for s in summary.seats],
        summary.note,
    )


def customer_ui(admin: SignedIn, key: str, summary: CustomerSummary | None) -> None:
    panel = CustomerPanel(admin, key)
    panel.show(summary)
    live(panel.update, TOPICS)
