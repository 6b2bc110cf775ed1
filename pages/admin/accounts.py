"""Accounts: the pool, paginated and searchable, with each account's health; add, edit, suspend, retire,
reveal, CSV import. One account's page (members, tasks, the owner's health actions) is account_detail.py."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from nicegui import events, ui
from sqlmodel import Session

from domain.admin.listing import accounts_page
from domain.admin.workspaces import AccountCard, account_card
from domain.catalog.pool import (
    ImportReport,
    import_accounts_csv,
    retire_account,
    reveal_password,
    suspend_account,
    unsuspend_account,
)
from domain.shared.errors import ValidationFailed
from domain.shared.models import AccountStatus, Delivery, Health
from infra import db
from pages.admin.account_form import account_dialog
from pages.admin.accounts_bulk import BulkBar
from pages.admin.error_words import error_text
from pages.admin.frame import Done, Refused, SignedIn, act, attempt, client_ip, fetch, live
from pages.admin.table import Listing, ServerTable, column
from pages.admin.words import (
    DARK_TEXT,
    DELIVERY_LABELS,
    HEALTH_COLOURS,
    HEALTH_LABELS,
    STATUS_LABELS,
    action_label,
    ago,
    error_words,
    say,
)

COLUMNS = [
    column("email", "Akun"),
    column("pool", "Pool"),
    column("mode", "Mode", "mode_label"),
    column("status", "Status", "status_label"),
    column("seats", "Kursi", "seats_used"),
    column("health", "Kesehatan", "health_label"),
    column("sync", "Sinkron terakhir", "last_sync"),
    column("problem", "Masalah terakhir", "problem"),
    column("actions", "", "id", align=None),
]
ACCOUNT_CELL = (
    '<q-td :props="props"><a class="text-primary font-medium break-words" :href="\'/admin/accounts/\' + props.row.id">'
    '{{ props.row.email }}</a><div v-if="props.row.note" class="text-xs text-slate-500">{{ props.row.note }}</div>'
    "</q-td>"
)
SEAT_BAR = (
    '<q-td :props="props"><div style="min-width:90px">{{ props.row.seats_used }} / {{ props.row.capacity }}'
    '<q-linear-progress rounded size="8px" :value="props.row.seats_used / props.row.capacity" '
    ":color=\"props.row.seats_used >= props.row.capacity ? 'orange' : 'green'\"/></div></q-td>"
)
HEALTH_CHIP = (
    '<q-td :props="props"><q-chip dense square class="font-semibold" :color="props.row.health_colour" '
    ':text-color="props.row.health_text" :label="props.row.health_label"/></q-td>'
)
# each row: its page, and the other actions in a menu, every one with its words (a phone needs no tooltips)
ROW_MENU = [
    ("edit", "Ubah", "true"),
    ("suspend", "Tangguhkan", "props.row.status === 'AVAILABLE' || props.row.status === 'ASSIGNED'"),
    ("unsuspend", "Aktifkan lagi", "props.row.status === 'SUSPENDED'"),
    ("retire", "Pensiunkan", "props.row.status !== 'RETIRED' && props.row.seats_used === 0"),
    ("reveal", "Lihat kata sandi", "props.row.password_set"),
    ("seats", "Lihat penugasan akun ini", "true"),
]


def actions_cell() -> str:
    """The row's open button and its menu of the other actions, in the admin's language."""
    return (
        '<q-td :props="props"><div class="row no-wrap items-center q-gutter-xs">'
        f'<q-btn outline dense no-caps label="{action_label("Buka")}" style="min-height:44px;min-width:64px" '
        ":href=\"'/admin/accounts/' + props.row.id\"/>"
        f'<q-btn-dropdown flat dense no-caps label="{say("Lainnya", "More")}" style="min-height:44px"><q-list>'
        + "".join(
            f'<q-item v-if="{shown}" clickable v-close-popup style="min-height:44px" '
            f"@click=\"$parent.$emit('{event}', props.row)\"><q-item-section>{action_label(label)}</q-item-section>"
            "</q-item>"
            for event, label, shown in ROW_MENU
        )
        + "</q-list></q-btn-dropdown></div></q-td>"
    )


def row_card() -> str:
    """On a phone each account is a card (a nine-column table would only scroll sideways there)."""
    return (
        '<div class="q-pa-xs col-12"><q-card flat bordered><q-card-section class="q-py-sm">'
        '<div class="row items-center justify-between no-wrap">'
        '<div class="row items-center no-wrap min-w-0" style="flex:1 1 0"><q-checkbox v-model="props.selected" '
        f':aria-label="\'{say("Pilih", "Select")} \' + props.row.email" style="min-width:44px;min-height:44px"/>'
        '<a class="text-primary font-medium min-w-0" style="overflow-wrap:anywhere" '
        ":href=\"'/admin/accounts/' + props.row.id\">"
        "{{ props.row.email }}</a></div>"
        '<q-chip dense square class="font-semibold" style="flex:none" '
        ':color="props.row.health_colour" :text-color="props.row.health_text" :label="props.row.health_label"/>'
        "</div>"
        '<div v-if="props.row.note" class="text-xs text-slate-500">{{ props.row.note }}</div>'
        '<div class="text-sm">{{ props.row.mode_label }} · {{ props.row.status_label }} · pool {{ props.row.pool }}'
        "</div>"
        + say(
            '<div class="text-sm">Kursi {{ props.row.seats_used }} dari {{ props.row.capacity }}</div>',
            '<div class="text-sm">Seats {{ props.row.seats_used }} of {{ props.row.capacity }}</div>',
        )
        + '<div v-if="props.row.last_sync !== \'—\'" class="text-sm">'
        + say("Sinkron terakhir", "Last sync")
        + ": {{ props.row.last_sync }}</div>"
        '<div v-if="props.row.problem" class="text-sm text-red-800">{{ props.row.problem }}</div>'
        "</q-card-section><q-card-actions>"
        + actions_cell().removeprefix('<q-td :props="props">').removesuffix("</q-td>")
        + "</q-card-actions></q-card></div>"
    )


ROW_ACTIONS = actions_cell()  # (in Indonesian; the table draws `actions_cell()` and `row_card()`)
ROW_CARD = row_card()
PER_PAGE = 25


@dataclass
class AccountRow:
    """A row as the browser holds it: words for the codes, never a secret (only whether a password is stored)."""

    id: int
    email: str
    pool: str
    status: str
    seats_used: int
    capacity: int
    note: str
    password_set: bool
    mode_label: str
    status_label: str
    health_label: str
    health_colour: str
    health_text: str
    last_sync: str
    problem: str

    @classmethod
    def of(cls, card: AccountCard) -> AccountRow:
        health = Health(card.health)
        if card.delivery == Delivery.INVITE:
            mode = "Workspace · " + (say("otomatis", "automated") if card.automated else "manual")
        else:
            mode = DELIVERY_LABELS[Delivery(card.delivery)]
        return cls(
            id=card.id,
            email=card.email,
            pool=card.pool,
            status=card.status,
            seats_used=card.seats_used,
            capacity=card.capacity,
            note=card.note,
            password_set=card.password_set,
            mode_label=mode,
            status_label=STATUS_LABELS.get(AccountStatus(card.status), card.status),
            health_label=HEALTH_LABELS[health],
            health_colour=HEALTH_COLOURS[health],
            health_text="grey-10" if health in DARK_TEXT else "white",
            last_sync=(ago(card.last_sync_at) or say("Belum pernah", "Never")) if card.automated else "—",
            problem=error_words(card.health, card.last_error, card.failures_in_row),
        )


@dataclass
class AccountFilters:
    search: str = ""
    status: str = ""
    pool: str = ""
    health: str = ""


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
            health=filters.health,
            page=page,
            per_page=per_page,
        )
        return Listing([AccountRow.of(AccountCard.of(a)) for a in result.rows], result.total)


def load_view(filters: AccountFilters) -> AccountsView:
    return AccountsView(filters, listing(filters, 1, PER_PAGE))


def load_card(account_id: int) -> AccountCard:
    with db.read_session() as session:
        return account_card(session=session, account_id=account_id)


async def edit_account(admin: SignedIn, account_id: int, done: Done) -> None:
    """The form, filled from the account as it is now (read again: a row may be a few seconds old)."""
    card = await fetch(load_card, account_id)
    if not isinstance(card, Refused):
        account_dialog(admin, done, card)


def import_report_ui(report: ImportReport, dry_run: bool) -> None:
    verb = say("Akan diimpor", "To import") if dry_run else say("Diimpor", "Imported")
    ui.label(
        f"{verb}: {len(report.ok)} · " + say("baris bermasalah", "rows with problems") + f": {len(report.errors)}"
    ).classes("font-semibold").mark("csv-summary")
    for entry in report.rows:
        colour = "text-green-700" if entry.error is None else "text-red-700"
        said = error_text(ValidationFailed(entry.error)) if entry.error else say("siap", "ready")  # (in words)
        ui.label(say("baris", "row") + f" {entry.line}: {entry.email or '?'} — {said}").classes(f"text-sm {colour}")


# the uploader's header without Quasar's "0.0B / 0.00%" (size and progress of nothing): a button and a sentence
def upload_header() -> str:
    pick = say("Pilih berkas .csv", "Choose a .csv file")
    drop = say("atau seret berkas ke sini (paling besar 1 MB)", "or drop a file here (1 MB at most)")
    return (
        '<div class="flex items-center gap-2 q-pa-sm">'
        f'<q-btn v-if="props.canAddFiles" icon="upload_file" label="{pick}" no-caps flat dense '
        'class="min-h-[44px]" @click="props.pickFiles"><q-uploader-add-trigger /></q-btn>'
        '<q-spinner v-if="props.isUploading" size="sm" />'
        f'<span class="text-sm">{drop}</span></div>'
    )


UPLOAD_HEADER = upload_header()  # (in Indonesian; the dialog draws `upload_header()`)


def import_dialog(admin: SignedIn, on_done: Done) -> None:
    with ui.dialog() as dialog, ui.card().classes("w-full max-w-2xl"):
        ui.label(say("Impor akun dari CSV", "Import accounts from CSV")).classes("text-lg font-bold")
        ui.label(
            say(
                "Kolom: email,password,pool,delivery,max_seats,note (baris pertama adalah judul kolom)",
                "Columns: email,password,pool,delivery,max_seats,note (the first row holds the column names)",
            )
        ).classes("text-sm text-slate-600")
        ui.label(
            say(
                "Workspace otomatis: tambahkan kolom driver (manual atau chatgpt), workspace_id, access_token, "
                "session_token dan allow_list (e-mail dipisah spasi). Pratinjau tidak pernah menampilkan token.",
                "Automated workspace: add the columns driver (manual or chatgpt), workspace_id, access_token, "
                "session_token and allow_list (e-mails separated by spaces). The preview never shows a token.",
            )
        ).classes("text-sm text-slate-600")
        ui.label(
            say(
                "Boleh juga: display_name (nama yang dilihat pelanggan), monthly_cost_idr (mis. Rp 75.000) dan "
                "subscription_expires_at (tanggal perpanjangan langganan, mis. 05-01-2027).",
                "Also allowed: display_name (the name customers see), monthly_cost_idr (e.g. Rp 75.000) and "
                "subscription_expires_at (the subscription's renewal date, e.g. 05-01-2027).",
            )
        ).classes("text-sm text-slate-600")
        text = ui.textarea(say("Isi CSV", "CSV content")).classes("w-full").props("rows=8").mark("csv-text")

        async def uploaded(event: events.UploadEventArguments) -> None:  # NiceGUI 3: the file is event.file
            text.set_value((await event.file.read()).decode("utf-8", errors="replace"))

        ui.upload(
            label=say("atau unggah berkas .csv", "or upload a .csv file"),
            auto_upload=True,
            max_file_size=1_000_000,
            on_upload=uploaded,
        ).props("accept=.csv flat bordered").classes("w-full").mark("csv-upload").add_slot("header", upload_header())
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
            ui.button(say("Tutup", "Close"), on_click=dialog.close).props("flat")
            ui.button(say("Pratinjau", "Preview"), on_click=lambda: run_import(True)).props("outline").mark(
                "csv-preview"
            )
            ui.button(say("Impor", "Import"), on_click=lambda: run_import(False)).mark("csv-import")
    dialog.open()


def confirm(question: str, work: Callable[[Session, str], object], success: str, done: Done) -> None:
    """Ask, with an optional reason; yes runs `work(session, reason)`."""
    with ui.dialog() as dialog, ui.card():
        ui.label(question)
        reason = ui.input(say("Alasan (opsional)", "Reason (optional)")).classes("w-full")

        async def yes() -> None:
            if await act(lambda s: work(s, reason.value or ""), success):
                await done()
            dialog.close()

        with ui.row().classes("w-full justify-end"):
            ui.button(say("Batal", "Cancel"), on_click=dialog.close).props("flat")
            ui.button(say("Ya", "Yes"), on_click=yes).mark("confirm-yes")
    dialog.open()


def reveal_dialog(admin: SignedIn, row: AccountRow, ip: str | None) -> None:
    with ui.dialog() as dialog, ui.card():
        ui.label(
            say(
                f"Tampilkan kata sandi {row.email}? Tindakan ini dicatat di audit log.",
                f"Show the password of {row.email}? This is recorded in the audit log.",
            )
        )
        shown = ui.label("").classes("font-mono text-lg").mark("revealed")

        async def yes() -> None:
            def work(s: Session) -> str:
                return reveal_password(session=s, actor=admin.actor, account_id=row.id, ip=ip)

            secret = await attempt(work)
            if isinstance(secret, Refused):
                return
            shown.text = secret

        with ui.row().classes("w-full justify-end"):
            ui.button(say("Tutup", "Close"), on_click=dialog.close).props("flat")
            ui.button(say("Tampilkan", "Show"), on_click=yes).mark("reveal-yes")
    dialog.open()


def toolbar(admin: SignedIn, view: AccountsView, table: ServerTable) -> None:
    """Search, status, health and pool filters, and the add and import buttons."""
    search = (
        ui.input(say("Cari e-mail / catatan", "Search e-mail / note"))
        .props("clearable dense outlined")
        .mark("acc-search")
    )
    status = (
        ui.select(
            {"": say("Semua status", "Every status"), **{s.value: STATUS_LABELS[s] for s in AccountStatus}},
            value="",
            label="Status",
        )
        .props("dense outlined")
        .classes("w-44")
    )
    health = (
        ui.select(
            {"": say("Semua kesehatan", "Every health"), **{h.value: HEALTH_LABELS[h] for h in Health}},
            value=view.filters.health,
            label=say("Kesehatan", "Health"),
        )
        .props("dense outlined")
        .classes("w-44")
        .mark("health-filter")
    )
    pool = ui.input("Pool").props("dense outlined clearable").classes("w-32")
    ui.space()
    ui.button(
        say("Tambah akun", "Add account"), icon="add", on_click=lambda: account_dialog(admin, table.refresh)
    ).classes("min-h-[44px]").mark("acc-add")
    ui.button(
        say("Impor CSV", "Import CSV"), icon="upload", on_click=lambda: import_dialog(admin, table.refresh)
    ).props("outline").classes("min-h-[44px]").mark("csv-import-open")

    async def apply_filters() -> None:
        view.filters.search, view.filters.status = search.value or "", status.value or ""
        view.filters.pool, view.filters.health = pool.value or "", health.value or ""
        await table.refresh(first_page=True)

    for element in (search, pool):
        element.on("keydown.enter", apply_filters)
        element.on("clear", apply_filters)
    status.on_value_change(apply_filters)
    health.on_value_change(apply_filters)


def row_actions(admin: SignedIn, table: ServerTable) -> None:
    """What each row's buttons do."""
    ip = client_ip()

    def on(event: str, handler: Callable[[AccountRow], object]) -> None:
        table.on_row(event, AccountRow, handler)

    def ask(question: str, work: Callable[[Session, str], object], success: str) -> None:
        confirm(question, work, success, table.refresh)

    on("edit", lambda row: edit_account(admin, row.id, table.refresh))
    on(
        "suspend",
        lambda row: ask(
            say(
                f"Tangguhkan {row.email}? Pelanggan yang ada tetap memakainya sampai dipindah.",
                f"Suspend {row.email}? Its customers keep using it until they are moved.",
            ),
            lambda s, r: suspend_account(session=s, actor=admin.actor, account_id=row.id, reason=r, ip=ip),
            say("Akun ditangguhkan", "Account suspended"),
        ),
    )
    on(
        "unsuspend",
        lambda row: ask(
            say(f"Aktifkan lagi {row.email}?", f"Reactivate {row.email}?"),
            lambda s, r: unsuspend_account(session=s, actor=admin.actor, account_id=row.id, ip=ip),
            say("Akun aktif lagi", "Account active again"),
        ),
    )
    on(
        "retire",
        lambda row: ask(
            say(f"Pensiunkan {row.email} untuk selamanya?", f"Retire {row.email} for good?"),
            lambda s, r: retire_account(session=s, actor=admin.actor, account_id=row.id, reason=r, ip=ip),
            say("Akun dipensiunkan", "Account retired"),
        ),
    )
    on("reveal", lambda row: reveal_dialog(admin, row, ip))
    on("seats", lambda row: ui.navigate.to(f"/admin/assignments?account_id={row.id}"))


def accounts_ui(admin: SignedIn, view: AccountsView) -> None:
    # filled below, once the table its buttons refresh exists
    bar = ui.row().classes("w-full items-end gap-3 flex-wrap")
    bulk = ui.column().classes("w-full")
    table = ServerTable(
        COLUMNS,
        lambda page, per_page: listing(view.filters, page, per_page),
        first=view.first,
        mark="accounts-table",
        selection="multiple",
        row_label="email",
    )
    with bar:
        toolbar(admin, view, table)
    with bulk:
        BulkBar(admin, table)
    table.table.add_slot("body-cell-email", ACCOUNT_CELL)
    table.table.add_slot("body-cell-seats", SEAT_BAR)
    table.table.add_slot("body-cell-health", HEALTH_CHIP)
    table.table.add_slot("body-cell-actions", actions_cell())
    table.table.add_slot("item", row_card())
    row_actions(admin, table)
    live(table.refresh, ("account", "assignment"))  # seat counts move as customers come and go
