"""Accounts: the pool, paginated and searchable; add, edit, suspend, retire, reveal, CSV import."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from nicegui import events, ui
from sqlmodel import Session

from domain.admin.listing import accounts_page
from domain.catalog.pool import (
    ImportReport,
    add_account,
    import_accounts_csv,
    retire_account,
    reveal_password,
    suspend_account,
    unsuspend_account,
    update_account,
)
from domain.shared.models import AccountStatus, ChatGPTAccount
from infra import db
from pages.admin.frame import Done, Refused, SignedIn, act, attempt, client_ip, live
from pages.admin.table import Listing, ServerTable, column, stored_id

COLUMNS = [
    column("email", "E-mail"),
    column("pool", "Pool"),
    column("delivery", "Mode"),
    column("status", "Status"),
    column("seats", "Kursi", "seats_used"),
    column("note", "Catatan"),
    column("actions", "", "id", align=None),
]
SEAT_BAR = (
    '<q-td :props="props"><div style="min-width:90px">{{ props.row.seats_used }} / {{ props.row.capacity }}'
    '<q-linear-progress rounded size="8px" :value="props.row.seats_used / props.row.capacity" '
    ":color=\"props.row.seats_used >= props.row.capacity ? 'orange' : 'green'\"/></div></q-td>"
)
ROW_ACTIONS = [
    ("edit", "edit", "Ubah"),
    ("suspend", "pause_circle", "Tangguhkan"),
    ("unsuspend", "play_circle", "Aktifkan lagi"),
    ("retire", "archive", "Pensiunkan"),
    ("reveal", "key", "Lihat kata sandi"),
    ("seats", "event_seat", "Lihat penugasan akun ini"),
]
PER_PAGE = 25


@dataclass
class AccountRow:
    id: int
    email: str
    pool: str
    delivery: str
    status: str
    seats_used: int
    capacity: int
    max_seats: int | None
    note: str

    @classmethod
    def of(cls, account: ChatGPTAccount) -> AccountRow:
        return cls(
            id=stored_id(account.id),
            email=account.email,
            pool=account.pool,
            delivery=account.delivery,
            status=account.status,
            seats_used=account.seats_used,
            capacity=account.capacity,
            max_seats=account.max_seats,
            note=account.note,
        )


@dataclass
class AccountFilters:
    search: str = ""
    status: str = ""
    pool: str = ""


@dataclass(frozen=True)
class AccountsView:
    filters: AccountFilters
    first: Listing[AccountRow] = field(default_factory=lambda: Listing([], 0))


def listing(filters: AccountFilters, page: int, per_page: int) -> Listing[AccountRow]:
    with db.read_session() as session:
        result = accounts_page(
            session=session,
            search=filters.search,
            status=filters.status,
            pool=filters.pool,
            page=page,
            per_page=per_page,
        )
    return Listing([AccountRow.of(a) for a in result.rows], result.total)


def load_view(filters: AccountFilters) -> AccountsView:
    return AccountsView(filters, listing(filters, 1, PER_PAGE))


def account_dialog(admin: SignedIn, on_done: Done, existing: AccountRow | None = None) -> None:
    """Add (existing=None) or edit an account."""
    with ui.dialog() as dialog, ui.card().classes("w-full max-w-md"):
        ui.label("Ubah akun" if existing else "Tambah akun").classes("text-lg font-bold")
        email = ui.input("E-mail akun", value=existing.email if existing else "").classes("w-full").mark("acc-email")
        password = (
            ui.input(
                "Kata sandi" + (" (kosongkan jika tidak diubah)" if existing else ""),
                password=True,
                password_toggle_button=True,
            )
            .classes("w-full")
            .mark("acc-password")
        )
        pool = ui.input("Pool", value=existing.pool if existing else "default").classes("w-full")
        delivery = ui.select(
            ["CREDENTIALS", "INVITE"], value=existing.delivery if existing else "CREDENTIALS", label="Mode pengiriman"
        ).classes("w-full")
        seats = (  # text, read by the domain: 2.5 or 10.000 is refused, not cut to 2 or 10
            ui.input(
                "Maks. kursi (kosong = 1 pelanggan)",
                value=str(existing.max_seats) if existing and existing.max_seats is not None else "",
            )
            .props("inputmode=numeric")
            .classes("w-full")
            .mark("acc-seats")
        )
        note = ui.input("Catatan / nama workspace", value=existing.note if existing else "").classes("w-full")

        async def save() -> None:
            fields: dict[str, Any] = {
                "email": email.value,
                "pool": pool.value,
                "delivery": delivery.value,
                "note": note.value,
                "max_seats": (seats.value or "").strip() or None,
            }
            if password.value:
                fields["password"] = password.value
            if await act(account_saver(admin, existing, fields, password.value or "", client_ip()), saved(existing)):
                dialog.close()
                await on_done()

        with ui.row().classes("w-full justify-end"):
            ui.button("Batal", on_click=dialog.close).props("flat")
            ui.button("Simpan", on_click=save).mark("acc-save")
    dialog.open()


def saved(existing: AccountRow | None) -> str:
    return "Akun disimpan" if existing else "Akun ditambahkan; pesanan yang menunggu dilayani"


def account_saver(
    admin: SignedIn, existing: AccountRow | None, fields: dict[str, Any], password: str, ip: str | None
) -> Callable[[Session], object]:
    if existing:
        return lambda s: update_account(session=s, actor=admin.actor, account_id=existing.id, ip=ip, **fields)
    return lambda s: add_account(session=s, actor=admin.actor, ip=ip, **(fields | {"password": password}))


def import_report_ui(report: ImportReport, dry_run: bool) -> None:
    verb = "Akan diimpor" if dry_run else "Diimpor"
    ui.label(f"{verb}: {len(report.ok)} · baris bermasalah: {len(report.errors)}").classes("font-semibold").mark(
        "csv-summary"
    )
    for entry in report.rows:
        colour = "text-green-700" if entry.error is None else "text-red-700"
        ui.label(f"baris {entry.line}: {entry.email or '?'} — {entry.error or 'ok'}").classes(f"text-sm {colour}")


def import_dialog(admin: SignedIn, on_done: Done) -> None:
    with ui.dialog() as dialog, ui.card().classes("w-full max-w-2xl"):
        ui.label("Impor akun dari CSV").classes("text-lg font-bold")
        ui.label("Kolom: email,password,pool,delivery,max_seats,note (baris pertama adalah judul kolom)").classes(
            "text-sm text-slate-600"
        )
        text = ui.textarea("Isi CSV").classes("w-full").props("rows=8").mark("csv-text")

        async def uploaded(event: events.UploadEventArguments) -> None:  # NiceGUI 3: the file is event.file
            text.set_value((await event.file.read()).decode("utf-8", errors="replace"))

        ui.upload(
            label="atau unggah berkas .csv",
            auto_upload=True,
            max_file_size=1_000_000,
            on_upload=uploaded,
        ).props("accept=.csv flat bordered").classes("w-full")
        preview = ui.column().classes("w-full")

        async def run_import(dry_run: bool) -> None:
            def work(s: Session) -> ImportReport:
                return import_accounts_csv(session=s, actor=admin.actor, text=text.value or "", dry_run=dry_run)

            report = await attempt(work)
            if isinstance(report, Refused):
                return
            preview.clear()
            with preview:
                import_report_ui(report, dry_run)
            if not dry_run:
                await on_done()

        with ui.row().classes("w-full justify-end"):
            ui.button("Tutup", on_click=dialog.close).props("flat")
            ui.button("Pratinjau", on_click=lambda: run_import(True)).props("outline").mark("csv-preview")
            ui.button("Impor", on_click=lambda: run_import(False)).mark("csv-import")
    dialog.open()


def confirm(question: str, work: Callable[[Session, str], object], success: str, done: Done) -> None:
    """Ask, with an optional reason; yes runs `work(session, reason)`."""
    with ui.dialog() as dialog, ui.card():
        ui.label(question)
        reason = ui.input("Alasan (opsional)").classes("w-full")

        async def yes() -> None:
            if await act(lambda s: work(s, reason.value or ""), success):
                await done()
            dialog.close()

        with ui.row().classes("w-full justify-end"):
            ui.button("Batal", on_click=dialog.close).props("flat")
            ui.button("Ya", on_click=yes).mark("confirm-yes")
    dialog.open()


def reveal_dialog(admin: SignedIn, row: AccountRow, ip: str | None) -> None:
    with ui.dialog() as dialog, ui.card():
        ui.label(f"Tampilkan kata sandi {row.email}? Tindakan ini dicatat di audit log.")
        shown = ui.label("").classes("font-mono text-lg").mark("revealed")

        async def yes() -> None:
            def work(s: Session) -> str:
                return reveal_password(session=s, actor=admin.actor, account_id=row.id, ip=ip)

            secret = await attempt(work)
            if isinstance(secret, Refused):
                return
            shown.text = secret

        with ui.row().classes("w-full justify-end"):
            ui.button("Tutup", on_click=dialog.close).props("flat")
            ui.button("Tampilkan", on_click=yes).mark("reveal-yes")
    dialog.open()


def toolbar(admin: SignedIn, view: AccountsView, table: ServerTable) -> None:
    """Search, status and pool filters, and the add and import buttons."""
    search = ui.input("Cari e-mail / catatan").props("clearable dense outlined").mark("acc-search")
    status = (
        ui.select({"": "Semua status", **{s.value: s.value for s in AccountStatus}}, value="", label="Status")
        .props("dense outlined")
        .classes("w-40")
    )
    pool = ui.input("Pool").props("dense outlined clearable").classes("w-32")
    ui.space()
    ui.button("Tambah akun", icon="add", on_click=lambda: account_dialog(admin, table.refresh)).mark("acc-add")
    ui.button("Impor CSV", icon="upload", on_click=lambda: import_dialog(admin, table.refresh)).props("outline")

    async def apply_filters() -> None:
        view.filters.search, view.filters.status = search.value or "", status.value or ""
        view.filters.pool = pool.value or ""
        await table.refresh(first_page=True)

    for element in (search, pool):
        element.on("keydown.enter", apply_filters)
        element.on("clear", apply_filters)
    status.on_value_change(apply_filters)


def row_actions(admin: SignedIn, table: ServerTable) -> None:
    """What each row's buttons do."""
    ip = client_ip()

    def on(event: str, handler: Callable[[AccountRow], object]) -> None:
        table.on_row(event, AccountRow, handler)

    def ask(question: str, work: Callable[[Session, str], object], success: str) -> None:
        confirm(question, work, success, table.refresh)

    on("edit", lambda row: account_dialog(admin, table.refresh, row))
    on(
        "suspend",
        lambda row: ask(
            f"Tangguhkan {row.email}? Pelanggan yang ada tetap memakainya sampai dipindah.",
            lambda s, r: suspend_account(session=s, actor=admin.actor, account_id=row.id, reason=r, ip=ip),
            "Akun ditangguhkan",
        ),
    )
    on(
        "unsuspend",
        lambda row: ask(
            f"Aktifkan lagi {row.email}?",
            lambda s, r: unsuspend_account(session=s, actor=admin.actor, account_id=row.id, ip=ip),
            "Akun aktif lagi",
        ),
    )
    on(
        "retire",
        lambda row: ask(
            f"Pensiunkan {row.email} untuk selamanya?",
            lambda s, r: retire_account(session=s, actor=admin.actor, account_id=row.id, reason=r, ip=ip),
            "Akun dipensiunkan",
        ),
    )
    on("reveal", lambda row: reveal_dialog(admin, row, ip))
    on("seats", lambda row: ui.navigate.to(f"/admin/assignments?account_id={row.id}"))


def accounts_ui(admin: SignedIn, view: AccountsView) -> None:
    bar = ui.row().classes("w-full items-end gap-3")  # filled below, once the table its buttons refresh exists
    table = ServerTable(
        COLUMNS, lambda page, per_page: listing(view.filters, page, per_page), first=view.first, mark="accounts-table"
    )
    with bar:
        toolbar(admin, view, table)
    table.table.add_slot("body-cell-seats", SEAT_BAR)
    table.action_slot("actions", ROW_ACTIONS)
    row_actions(admin, table)
    live(table.refresh)  # seat counts move as customers come and go
