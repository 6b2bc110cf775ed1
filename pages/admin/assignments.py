"""Assignments: filters, extend (days or a date, shown in WIB), revoke (reason), move, invite work queue."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from nicegui import ui
from sqlmodel import Session

from domain.admin.listing import accounts_with_room, assignments_page, seat_context
from domain.admin.workspaces import SeatWork, mark_by_hand, seat_work
from domain.seats.assignments import (
    MAX_EXTENSION_DAYS,
    extend_assignment,
    move_assignment,
    revoke_assignment,
)
from domain.shared.errors import ValidationFailed
from domain.shared.i18n import WIB
from domain.shared.models import AccountAssignment, AssignmentStatus, InviteState, TaskKind
from domain.shared.money import MANUAL_METHODS
from domain.shared.seat_terms import days_left
from domain.shared.validation import parse_whole_number
from infra import db
from infra.types import utcnow
from pages.admin.frame import Done, Refused, SignedIn, act, client_ip, fetch, live
from pages.admin.money_fields import AmountField, Unusable, method_select
from pages.admin.table import Listing, RowAction, ServerTable, column, stored_id, wib
from pages.admin.words import (
    INVITE_LABELS,
    SEAT_LABELS,
    chip_cell,
    chip_fields,
    day_picker,
    day_words,
    failure_words,
    parse_day,
    say,
    when,
)

COLUMNS = [
    column("id", "#"),
    column("order", "Pesanan", "order_code"),
    column("customer", "Pelanggan", "customer_email"),
    column("account", "Akun", "account_email"),
    column("status", "Status", "status_label"),
    column("end", "Berakhir (WIB)", "end_wib"),
    column("left", "Sisa hari", "days_left", right=True),
    column("invite", "Undangan", "invite_label"),
    column("actions", "", "id", align=None),
]
ACTIVE = "props.row.status === 'ACTIVE'"
ACTIONS = [
    RowAction("extend", "Perpanjang", ACTIVE),
    RowAction("revoke", "Cabut", ACTIVE, colour="red-9"),
    RowAction("move", "Pindah akun", ACTIVE),
    # the owner's to-dos: not on a seat whose workspace task is open (the worker is doing it)
    RowAction("invited", "Sudah diundang", "props.row.by_hand && props.row.invite_state == 'TO_INVITE'", outline=True),
    RowAction("removed", "Sudah dikeluarkan", "props.row.by_hand && props.row.invite_state == 'TO_REMOVE'", "", True),
]
INVITE_CELL = (
    "<div>{{ props.row.invite_label }}</div>"
    '<div v-if="props.row.work_note" class="text-xs" '
    ":class=\"props.row.by_hand ? 'text-red-800' : 'text-slate-500'\">{{ props.row.work_note }}</div>"
)
SEAT_STATUS = SEAT_LABELS  # (in the admin's language)


PER_PAGE = 25


@dataclass
class SeatRow:
    id: int
    order_code: str
    customer_email: str
    account_email: str
    account_id: int
    status: str
    end_wib: str
    end_iso: str
    days_left: int | str  # "" for a seat that has ended
    invite_state: str
    status_label: str = ""
    invite_label: str = ""
    by_hand: bool = False  # a to-do the owner does (no workspace task is on it)
    work_note: str = ""  # what the worker is doing, or why it gave the seat back to the owner
    status_colour: str = ""  # the status cell's chip (chip_cell)
    status_ink: str = ""


@dataclass
class SeatFilters:
    status: str = ""
    ending: str = ""  # "", "3", "7" or "30" days
    email: str = ""
    account_id: int | None = None
    invite: str = ""


@dataclass(frozen=True)
class AssignmentsView:
    filters: SeatFilters
    first: Listing[SeatRow] = field(default_factory=lambda: Listing([], 0))


def work_note(state: str, work: SeatWork | None) -> tuple[bool, str]:
    """Whether a seat's to-do is the owner's, and a note on what the worker did with it."""
    if state not in (InviteState.TO_INVITE, InviteState.TO_REMOVE):
        return False, ""
    if work is None:
        return True, ""
    if work.open:
        if work.kind == TaskKind.INVITE:
            return False, say("Otomatis: sedang diundang…", "Automatic: being invited…")
        return False, say("Otomatis: sedang dikeluarkan…", "Automatic: being removed…")
    reason = failure_words(work.last_error) if work.last_error else say("tidak selesai", "not finished")
    return True, say(f"Otomatis gagal: {reason} — kerjakan manual", f"Automatic failed: {reason} — do it by hand")


def seat_rows(session: Session, seats: list[AccountAssignment]) -> list[SeatRow]:
    accounts, orders = seat_context(session=session, seats=seats)
    work = seat_work(session=session, seats=seats)
    now = utcnow()
    rows = [
        SeatRow(
            id=stored_id(s.id),
            order_code=orders.get(s.order_id, ""),
            customer_email=s.customer_email,
            account_email=accounts.get(s.chatgpt_account_id, ""),
            account_id=s.chatgpt_account_id,
            status=s.status,
            end_wib=wib(s.end_at),
            end_iso=s.end_at.isoformat(),
            days_left=days_left(s.end_at, now) if s.status == AssignmentStatus.ACTIVE else "",
            invite_state=s.invite_state or "",
            status_label=SEAT_STATUS.get(AssignmentStatus(s.status), s.status),
            status_colour=chip_fields("assignment", s.status)[0],
            status_ink=chip_fields("assignment", s.status)[1],
            invite_label=INVITE_LABELS.get(InviteState(s.invite_state), "") if s.invite_state else "",
        )
        for s in seats
    ]
    for row in rows:
        row.by_hand, row.work_note = work_note(row.invite_state, work.get(row.id))
    return rows


def listing(filters: SeatFilters, page: int, per_page: int) -> Listing[SeatRow]:
    with db.read_session() as session:
        result = assignments_page(
            session=session,
            status=filters.status,
            email=filters.email,
            account_id=filters.account_id,
            invite_state=filters.invite,
            ending_within_days=int(filters.ending) if filters.ending else None,
            page=page,
            per_page=per_page,
        )
        return Listing(seat_rows(session, result.rows), result.total)


def load_view(filters: SeatFilters) -> AssignmentsView:
    return AssignmentsView(filters, listing(filters, 1, PER_PAGE))


def days_refused() -> str:
    return say(
        f"Jumlah hari harus bilangan bulat dari 1 sampai {MAX_EXTENSION_DAYS}",
        f"The number of days must be a whole number from 1 to {MAX_EXTENSION_DAYS}",
    )


def extend_dialog(admin: SignedIn, seat: SeatRow, done: Done) -> None:
    current = datetime.fromisoformat(seat.end_iso)
    with ui.dialog() as dialog, ui.card().classes("w-full max-w-md"):
        ui.label(
            say(
                f"Perpanjang penugasan #{seat.id} ({seat.customer_email})",
                f"Extend seat #{seat.id} ({seat.customer_email})",
            )
        ).classes("text-lg font-bold")
        ui.label(say("Berakhir sekarang: ", "Ends now: ") + when(current))
        mode = ui.toggle({"days": say("+ hari", "+ days"), "date": say("Tanggal baru", "New date")}, value="days").mark(
            "extend-mode"
        )
        days = (
            ui.input(say(f"Tambah hari (1–{MAX_EXTENSION_DAYS})", f"Add days (1–{MAX_EXTENSION_DAYS})"), value="7")
            .props("inputmode=numeric")
            .classes("w-full")
            .mark("extend-days")
        )
        date = (
            day_picker(
                say("Tanggal berakhir baru (WIB)", "New end date (WIB)"), value=day_words(current + timedelta(days=7))
            )
            .classes("w-full")
            .mark("extend-date")
        )
        preview = ui.label("").classes("font-semibold").mark("extend-preview")
        payment = ExtensionPayment()

        def day_count() -> int:
            """The days typed, refused (never clamped or rounded) when not a whole number in range."""
            return parse_whole_number(days.value or "", "days", minimum=1, maximum=MAX_EXTENSION_DAYS)

        def target() -> datetime | None:
            if mode.value == "days":
                return current + timedelta(days=day_count())
            chosen = parse_day(date.value or "")  # the chosen day, at the same time of day the seat ends now
            if chosen is None:
                return None
            local = current.astimezone(WIB)
            return local.replace(year=chosen.year, month=chosen.month, day=chosen.day)

        def show() -> None:
            days.set_visibility(mode.value == "days")
            date.set_visibility(mode.value == "date")
            try:
                new = target()
                if new:
                    preview.text = say("Berakhir baru: ", "New end: ") + when(new)
                else:
                    preview.text = say("Pilih jumlah hari atau tanggal", "Choose a number of days or a date")
            except (ValidationFailed, OverflowError):
                preview.text = days_refused()

        for element in (mode, days, date):
            element.on_value_change(show)
        show()

        async def save() -> None:
            ip = client_ip()
            try:
                amount, new_end = (day_count(), None) if mode.value == "days" else (None, target())
            except ValidationFailed:
                ui.notify(days_refused(), type="negative")
                return
            if amount is None and new_end is None:
                ui.notify(say("Pilih tanggal berakhir yang baru", "Choose the new end date"), type="negative")
                return
            try:
                paid, method = payment.read()
            except Unusable as exc:
                ui.notify(str(exc), type="negative")
                return

            def work(s: Session) -> AccountAssignment:
                return extend_assignment(
                    session=s,
                    assignment_id=seat.id,
                    actor=admin.actor,
                    days=amount,
                    new_end_at=new_end,
                    ip=ip,
                    amount_idr=paid,
                    method=method,
                )

            if await act(work, say("Diperpanjang", "Extended")):
                dialog.close()
                await done()

        with ui.row().classes("w-full justify-end"):
            ui.button(say("Batal", "Cancel"), on_click=dialog.close).props("flat")
            ui.button(say("Perpanjang", "Extend"), on_click=save).mark("extend-save")
    dialog.open()


class ExtensionPayment:
    """What the customer paid for an extension, when they did (a ManualPayment is recorded with it)."""

    def __init__(self) -> None:
        self.paid = (
            ui.checkbox(say("Pelanggan membayar perpanjangan ini", "The customer paid for this extension"))
            .classes("min-h-[44px]")
            .mark("extend-paid")
        )
        with ui.column().classes("w-full gap-2").bind_visibility_from(self.paid, "value"):
            self.amount = AmountField(
                say("Jumlah yang diterima", "Amount received"), None, "extend-amount", allow_zero=True
            )
            self.method = method_select(MANUAL_METHODS, "transfer", "extend-method")

    def read(self) -> tuple[int | None, str | None]:
        if not self.paid.value:
            return None, None
        return self.amount.read(), self.method.value


def revoke_dialog(admin: SignedIn, seat: SeatRow, done: Done) -> None:
    with ui.dialog() as dialog, ui.card().classes("w-full max-w-md"):
        ui.label(
            say(
                f"Cabut penugasan #{seat.id} ({seat.customer_email})?",
                f"Revoke seat #{seat.id} ({seat.customer_email})?",
            )
        ).classes("text-lg font-bold")
        reason = ui.input(say("Alasan (wajib, dikirim ke pelanggan)", "Reason (required, sent to the customer)"))
        reason.classes("w-full").mark("revoke-reason")
        sure = ui.checkbox(say("Saya yakin: kursi dilepas sekarang", "I am sure: the seat is released now"))
        sure.mark("revoke-confirm")

        async def save() -> None:
            if not sure.value:
                ui.notify(say("Centang konfirmasi dulu", "Tick the confirmation first"), type="warning")
                return
            ip = client_ip()
            if await act(
                lambda s: revoke_assignment(
                    session=s, assignment_id=seat.id, actor=admin.actor, reason=reason.value or "", ip=ip
                ),
                say("Dicabut", "Revoked"),
            ):
                dialog.close()
                await done()

        with ui.row().classes("w-full justify-end"):
            ui.button(say("Batal", "Cancel"), on_click=dialog.close).props("flat")
            ui.button(say("Cabut", "Revoke"), on_click=save).props("color=negative").mark("revoke-save")
    dialog.open()


def movable_targets(exclude: int) -> dict[int, str]:
    with db.read_session() as session:
        return {
            a.id: f"{a.email} ({a.pool}, {a.seats_used}/{a.capacity})"
            for a in accounts_with_room(session=session, exclude=exclude)
            if a.id
        }


async def move_dialog(admin: SignedIn, seat: SeatRow, done: Done) -> None:
    options = await fetch(movable_targets, seat.account_id)
    if isinstance(options, Refused):
        return
    with ui.dialog() as dialog, ui.card().classes("w-full max-w-lg"):
        ui.label(
            say(
                f"Pindahkan {seat.customer_email} dari {seat.account_email}",
                f"Move {seat.customer_email} from {seat.account_email}",
            )
        ).classes("text-lg font-bold")
        ui.label(say("Tanggal berakhir tetap: ", "The end date stays: ") + seat.end_wib)
        target = ui.select(
            options, label=say("Akun tujuan (pool yang sama)", "Target account (same pool)"), with_input=True
        ).classes("w-full")
        reason = ui.input(say("Alasan (wajib)", "Reason (required)")).classes("w-full")

        async def save() -> None:
            if not target.value:
                ui.notify(say("Pilih akun tujuan", "Choose the target account"), type="warning")
                return
            ip = client_ip()
            if await act(
                lambda s: move_assignment(
                    session=s,
                    assignment_id=seat.id,
                    to_account_id=target.value,
                    actor=admin.actor,
                    reason=reason.value or "",
                    ip=ip,
                ),
                say("Dipindahkan; akses baru dikirim ke pelanggan", "Moved; new access sent to the customer"),
            ):
                dialog.close()
                await done()

        with ui.row().classes("w-full justify-end"):
            ui.button(say("Batal", "Cancel"), on_click=dialog.close).props("flat")
            ui.button(say("Pindahkan", "Move"), on_click=save)
    dialog.open()


def filters_bar(view: AssignmentsView, table: ServerTable) -> None:
    """Status, ending, invite-queue and customer filters (and the account's, when the page was opened for one)."""
    filters = view.filters
    status_in = (
        ui.select(
            {"": say("Semua", "All"), **{s.value: SEAT_STATUS[s] for s in AssignmentStatus}},
            value=filters.status,
            label="Status",
        )
        .props("dense outlined")
        .classes("w-36")
    )
    ending_in = (
        ui.select(
            {
                "": say("Kapan saja", "Any time"),
                **{n: say(f"≤ {n} hari", f"≤ {n} days") for n in ("3", "7", "30")},
            },
            value="",
            label=say("Berakhir", "Ends"),
        )
        .props("dense outlined")
        .classes("w-36")
    )
    invite_in = (
        ui.select(
            {
                "": say("Semua", "All"),
                InviteState.TO_INVITE.value: say("Perlu diundang", "To invite"),
                InviteState.TO_REMOVE.value: say("Perlu dikeluarkan", "To remove"),
            },
            value="",
            label=say("Antrean undangan", "Invitation queue"),
        )
        .props("dense outlined")
        .classes("w-44")
        .mark("invite-filter")
    )
    if filters.account_id:
        ui.chip(
            say("Akun", "Account") + f" #{filters.account_id}",
            icon="filter_alt",
            removable=True,
            on_value_change=lambda: ui.navigate.to("/admin/assignments"),
        ).mark("account-filter")
    email_in = (
        ui.input(say("E-mail pelanggan", "Customer e-mail"), value=filters.email)
        .props("dense outlined clearable")
        .mark("seat-search")
    )

    async def apply() -> None:
        filters.status, filters.ending = status_in.value or "", ending_in.value or ""
        filters.email, filters.invite = email_in.value or "", invite_in.value or ""
        await table.refresh(first_page=True)

    for element in (status_in, ending_in, invite_in):
        element.on_value_change(apply)
    email_in.on("keydown.enter", apply)
    email_in.on("clear", apply)


def row_actions(admin: SignedIn, table: ServerTable) -> None:
    """What each row's buttons do: the dialogs, and the invite work queue's two marks."""
    ip = client_ip()

    def on(event: str, handler: Callable[[SeatRow], object]) -> None:
        table.on_row(event, SeatRow, handler)

    def marked(seat: SeatRow, state: InviteState, success: str) -> Awaitable[bool]:
        return act(
            lambda s: mark_by_hand(session=s, assignment_id=seat.id, state=state, actor=admin.actor, ip=ip), success
        )

    on("extend", lambda seat: extend_dialog(admin, seat, table.refresh))
    on("revoke", lambda seat: revoke_dialog(admin, seat, table.refresh))
    on("move", lambda seat: move_dialog(admin, seat, table.refresh))
    on("invited", lambda seat: marked(seat, InviteState.INVITED, say("Ditandai sudah diundang", "Marked invited")))
    on("removed", lambda seat: marked(seat, InviteState.REMOVED, say("Ditandai sudah dikeluarkan", "Marked removed")))


def assignments_ui(admin: SignedIn, view: AssignmentsView) -> None:
    bar = ui.row().classes("w-full items-end gap-3 flex-wrap")  # filled below, once the table it filters exists
    table = ServerTable(
        COLUMNS,
        lambda page, per_page: listing(view.filters, page, per_page),
        first=view.first,
        mark="assignments-table",
    )
    with bar:
        filters_bar(view, table)
    table.action_slot("actions", ACTIONS)
    table.cell("invite", INVITE_CELL, shown="props.row.invite_label || props.row.work_note")
    table.cell("status", chip_cell("status", "status_label"))
    row_actions(admin, table)
    live(table.refresh, ("assignment", "account", "order"))
