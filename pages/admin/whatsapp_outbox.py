"""The WhatsApp outbox beside the e-mail outbox (/admin/outbox): each customer message and owner notice, its
status in words, attempts and last error; a row opens the message as it was (or will be) sent."""

from __future__ import annotations

from dataclasses import dataclass, field

from nicegui import ui

from domain.admin.listing import whatsapp_outbox_page
from domain.shared.models import MailStatus, WhatsAppOutbox
from infra import db
from pages.admin.frame import live
from pages.admin.lang import by_lang, say
from pages.admin.table import Listing, ServerTable, column, stored_id, wib
from pages.admin.text import preformatted

PER_PAGE = 50
STATUS_WORDS: dict[str, str] = {
    MailStatus.PENDING: "Menunggu dikirim",
    MailStatus.SENT: "Terkirim",
    MailStatus.FAILED: "Gagal",
}
KIND_WORDS = {
    "order_created": "Pesanan dibuat",
    "access_ready": "Akses siap",
    "access_moved": "Dipindah ke akun lain",
    "login_changed": "Kata sandi diganti",
    "reminder_3d": "Pengingat",
    "reminder_1d": "Pengingat",
    "seat_ended": "Masa aktif berakhir",
    "seat_revoked": "Akses dihentikan",
    "seat_extended": "Diperpanjang",
    "refunded": "Dana dikembalikan",
    "owner_sale": "Penjualan baru (pemilik)",
}
STATUS_WORDS_EN: dict[str, str] = {
    MailStatus.PENDING: "Waiting to be sent",
    MailStatus.SENT: "Sent",
    MailStatus.FAILED: "Failed",
}
KIND_WORDS_EN: dict[str, str] = {
    "order_created": "Order created",
    "access_ready": "Access ready",
    "access_moved": "Moved to another account",
    "login_changed": "Password changed",
    "reminder_3d": "Reminder",
    "reminder_1d": "Reminder",
    "seat_ended": "Seat ended",
    "seat_revoked": "Access stopped",
    "seat_extended": "Extended",
    "refunded": "Refunded",
    "owner_sale": "New sale (owner)",
}
COLUMNS = [
    column("at", "Dibuat (WIB)"),
    column("to", "Nomor"),
    column("kind", "Jenis"),
    column("status", "Status"),
    column("attempts", "Percobaan", right=True),
    column("error", "Galat terakhir", "last_error"),
]


@dataclass
class WhatsAppRow:
    id: int
    at: str
    to: str
    kind: str
    status: str
    attempts: int
    last_error: str
    text: str

    @classmethod
    def of(cls, row: WhatsAppOutbox) -> WhatsAppRow:
        return cls(
            id=stored_id(row.id),
            at=wib(row.created_at),
            to=f"+{row.to}",
            kind=by_lang(KIND_WORDS, KIND_WORDS_EN).get(row.kind, row.kind.replace("_", " ")),
            status=by_lang(STATUS_WORDS, STATUS_WORDS_EN).get(row.status, row.status),
            attempts=row.attempts,
            last_error=row.last_error or "",
            text=row.text,
        )


@dataclass
class WhatsAppFilters:
    status: str = ""


@dataclass(frozen=True)
class WhatsAppOutboxView:
    filters: WhatsAppFilters
    first: Listing[WhatsAppRow] = field(default_factory=lambda: Listing([], 0))


def whatsapp_listing(filters: WhatsAppFilters, page: int, per_page: int) -> Listing[WhatsAppRow]:
    with db.read_session() as session:
        result = whatsapp_outbox_page(session=session, status=filters.status, page=page, per_page=per_page)
    return Listing([WhatsAppRow.of(row) for row in result.rows], result.total)


def load_whatsapp_outbox(filters: WhatsAppFilters | None = None) -> WhatsAppOutboxView:
    filters = filters or WhatsAppFilters()
    return WhatsAppOutboxView(filters, whatsapp_listing(filters, 1, PER_PAGE))


async def message_dialog(row: WhatsAppRow) -> None:
    with ui.dialog() as dialog, ui.card().classes("w-full max-w-xl"):
        ui.label(f"{row.kind} → {row.to}").classes("font-bold")
        preformatted(row.text).mark("whatsapp-preview")
        ui.button(say("Tutup", "Close"), on_click=dialog.close).props("flat")
    dialog.open()


def whatsapp_outbox_ui(view: WhatsAppOutboxView) -> None:
    """The WhatsApp section of the outbox page, following new and delivered messages live."""
    filters = view.filters
    ui.label(say("Outbox WhatsApp", "WhatsApp outbox")).classes("text-lg font-bold mt-6")
    with ui.row().classes("w-full items-end gap-3"):
        status = (
            ui.select({"": say("Semua", "All"), **by_lang(STATUS_WORDS, STATUS_WORDS_EN)}, value="", label="Status")
            .props("dense outlined")
            .classes("w-44")
            .mark("whatsapp-status")
        )
    table = ServerTable(
        COLUMNS,
        lambda page, per_page: whatsapp_listing(filters, page, per_page),
        first=view.first,
        per_page=PER_PAGE,
        mark="whatsapp-table",
    )
    table.opens(WhatsAppRow, message_dialog)

    async def apply() -> None:
        filters.status = status.value or ""
        await table.refresh(first_page=True)

    status.on_value_change(apply)
    live(table.refresh, ("whatsapp",))
