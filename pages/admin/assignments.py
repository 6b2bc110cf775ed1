"""Assignments: filters, extend (days or a date, shown in WIB), revoke (reason), move, invite work queue."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from nicegui import run, ui

from domain.admin.listing import accounts_with_room, assignments_page, seat_context
from domain.seats.assignments import extend_assignment, mark_invite, move_assignment, revoke_assignment
from domain.shared.i18n import WIB, format_date
from domain.shared.models import AssignmentStatus, InviteState
from domain.shared.seat_terms import days_left
from infra import db
from infra.types import utcnow
from pages.admin.frame import SignedIn, act, admin_frame, client_ip
from pages.admin.table import ServerTable, wib

COLUMNS = [
    {"name": "id", "label": "#", "field": "id", "align": "left"},
    {"name": "order", "label": "Pesanan", "field": "order_code", "align": "left"},
    {"name": "customer", "label": "Pelanggan", "field": "customer_email", "align": "left"},
    {"name": "account", "label": "Akun", "field": "account_email", "align": "left"},
    {"name": "status", "label": "Status", "field": "status", "align": "left"},
    {"name": "end", "label": "Berakhir (WIB)", "field": "end_wib", "align": "left"},
    {"name": "left", "label": "Sisa hari", "field": "days_left", "align": "right"},
    {"name": "invite", "label": "Undangan", "field": "invite_state", "align": "left"},
    {"name": "actions", "label": "", "field": "id"},
]
ACTIONS = (
    '<q-td :props="props"><template v-if="props.row.status === \'ACTIVE\'">'
    '<q-btn flat dense round size="sm" icon="more_time" @click="$parent.$emit(\'extend\', props.row)">'
    "<q-tooltip>Perpanjang</q-tooltip></q-btn>"
    '<q-btn flat dense round size="sm" icon="block" color="negative" @click="$parent.$emit(\'revoke\', props.row)">'
    "<q-tooltip>Cabut</q-tooltip></q-btn>"
    '<q-btn flat dense round size="sm" icon="swap_horiz" @click="$parent.$emit(\'move\', props.row)">'
    "<q-tooltip>Pindah akun</q-tooltip></q-btn></template>"
    '<q-btn v-if="props.row.invite_state === \'TO_INVITE\'" flat dense no-caps size="sm" label="Sudah diundang" '
    "@click=\"$parent.$emit('invited', props.row)\"/>"
    '<q-btn v-if="props.row.invite_state === \'TO_REMOVE\'" flat dense no-caps size="sm" label="Sudah dikeluarkan" '
    "@click=\"$parent.$emit('removed', props.row)\"/></q-td>"
)


def rows(seats: list[Any]) -> list[dict[str, Any]]:
    with db.read_session() as session:
        accounts, orders = seat_context(session=session, seats=seats)
    now = utcnow()
    return [
        {
            "id": s.id,
            "order_code": orders.get(s.order_id, ""),
            "customer_email": s.customer_email,
            "account_email": accounts.get(s.chatgpt_account_id, ""),
            "account_id": s.chatgpt_account_id,
            "status": s.status,
            "end_wib": wib(s.end_at),
            "end_iso": s.end_at.isoformat(),
            "days_left": days_left(s.end_at, now) if s.status == AssignmentStatus.ACTIVE else "",
            "invite_state": s.invite_state or "",
        }
        for s in seats
    ]


def extend_dialog(admin: SignedIn, seat: dict[str, Any], done) -> None:
    current = datetime.fromisoformat(seat["end_iso"])
    with ui.dialog() as dialog, ui.card().classes("w-full max-w-md"):
        ui.label(f"Perpanjang penugasan #{seat['id']} ({seat['customer_email']})").classes("text-lg font-bold")
        ui.label(f"Berakhir sekarang: {format_date(current)}")
        mode = ui.toggle({"days": "+ hari", "date": "Tanggal baru"}, value="days")
        days = ui.number("Tambah hari", value=7, min=1, max=3650, precision=0).classes("w-full").mark("extend-days")
        date = (
            ui.input(
                "Tanggal berakhir baru (WIB)", value=(current.astimezone(WIB) + timedelta(days=7)).strftime("%Y-%m-%d")
            )
            .props("type=date")
            .classes("w-full")
            .mark("extend-date")
        )
        preview = ui.label("").classes("font-semibold").mark("extend-preview")

        def target() -> datetime | None:
            if mode.value == "days":
                return current + timedelta(days=int(days.value or 0)) if days.value else None
            try:  # the chosen day, at the same time of day the seat ends now
                chosen = datetime.strptime(date.value or "", "%Y-%m-%d")
            except ValueError:
                return None
            local = current.astimezone(WIB)
            return local.replace(year=chosen.year, month=chosen.month, day=chosen.day)

        def show() -> None:
            days.set_visibility(mode.value == "days")
            date.set_visibility(mode.value == "date")
            new = target()
            preview.text = f"Berakhir baru: {format_date(new)}" if new else "Pilih jumlah hari atau tanggal"

        for element in (mode, days, date):
            element.on_value_change(show)
        show()

        async def save() -> None:
            ip = client_ip()
            by_days = mode.value == "days"
            amount, new_end = (int(days.value or 0), None) if by_days else (None, target())

            def work(s):
                return extend_assignment(
                    session=s, assignment_id=seat["id"], actor=admin.actor, days=amount, new_end_at=new_end, ip=ip
                )

            if await act(work, "Diperpanjang"):
                dialog.close()
                await done()

        with ui.row().classes("w-full justify-end"):
            ui.button("Batal", on_click=dialog.close).props("flat")
            ui.button("Perpanjang", on_click=save).mark("extend-save")
    dialog.open()


def revoke_dialog(admin: SignedIn, seat: dict[str, Any], done) -> None:
    with ui.dialog() as dialog, ui.card().classes("w-full max-w-md"):
        ui.label(f"Cabut penugasan #{seat['id']} ({seat['customer_email']})?").classes("text-lg font-bold")
        reason = ui.input("Alasan (wajib, dikirim ke pelanggan)").classes("w-full").mark("revoke-reason")
        sure = ui.checkbox("Saya yakin: kursi dilepas sekarang").mark("revoke-confirm")

        async def save() -> None:
            if not sure.value:
                ui.notify("Centang konfirmasi dulu", type="warning")
                return
            ip = client_ip()
            if await act(
                lambda s: revoke_assignment(
                    session=s, assignment_id=seat["id"], actor=admin.actor, reason=reason.value or "", ip=ip
                ),
                "Dicabut",
            ):
                dialog.close()
                await done()

        with ui.row().classes("w-full justify-end"):
            ui.button("Batal", on_click=dialog.close).props("flat")
            ui.button("Cabut", on_click=save).props("color=negative").mark("revoke-save")
    dialog.open()


def movable_targets(exclude: int) -> dict[int, str]:
    with db.read_session() as session:
        return {
            a.id: f"{a.email} ({a.pool}, {a.seats_used}/{a.capacity})"
            for a in accounts_with_room(session=session, exclude=exclude)
            if a.id
        }


async def move_dialog(admin: SignedIn, seat: dict[str, Any], done) -> None:
    options = await run.io_bound(movable_targets, seat["account_id"])
    with ui.dialog() as dialog, ui.card().classes("w-full max-w-lg"):
        ui.label(f"Pindahkan {seat['customer_email']} dari {seat['account_email']}").classes("text-lg font-bold")
        ui.label(f"Tanggal berakhir tetap: {seat['end_wib']} WIB")
        target = ui.select(options, label="Akun tujuan (pool yang sama)", with_input=True).classes("w-full")
        reason = ui.input("Alasan (wajib)").classes("w-full")

        async def save() -> None:
            if not target.value:
                ui.notify("Pilih akun tujuan", type="warning")
                return
            ip = client_ip()
            if await act(
                lambda s: move_assignment(
                    session=s,
                    assignment_id=seat["id"],
                    to_account_id=target.value,
                    actor=admin.actor,
                    reason=reason.value or "",
                    ip=ip,
                ),
                "Dipindahkan; akses baru dikirim ke pelanggan",
            ):
                dialog.close()
                await done()

        with ui.row().classes("w-full justify-end"):
            ui.button("Batal", on_click=dialog.close).props("flat")
            ui.button("Pindahkan", on_click=save)
    dialog.open()


def register() -> None:
    @ui.page("/admin/assignments", title="Penugasan — AksesGPT admin")
    async def assignments(status: str = "", account_id: int | None = None, email: str = "") -> None:
        async with admin_frame("Penugasan kursi") as admin:
            if admin is None:
                return
            filters: dict[str, Any] = {
                "status": status,
                "ending": "",
                "email": email,
                "account_id": account_id,
                "invite": "",
            }

            def load(page: int, per_page: int) -> tuple[list[dict[str, Any]], int]:
                with db.read_session() as session:
                    result = assignments_page(
                        session=session,
                        status=filters["status"],
                        email=filters["email"],
                        account_id=filters["account_id"],
                        invite_state=filters["invite"],
                        ending_within_days=int(filters["ending"]) if filters["ending"] else None,
                        page=page,
                        per_page=per_page,
                    )
                return rows(result.rows), result.total

            with ui.row().classes("w-full items-end gap-3 flex-wrap"):
                status_in = (
                    ui.select(
                        {"": "Semua", **{s.value: s.value for s in AssignmentStatus}}, value=status, label="Status"
                    )
                    .props("dense outlined")
                    .classes("w-36")
                )
                ending_in = (
                    ui.select(
                        {"": "Kapan saja", "3": "≤ 3 hari", "7": "≤ 7 hari", "30": "≤ 30 hari"},
                        value="",
                        label="Berakhir",
                    )
                    .props("dense outlined")
                    .classes("w-36")
                )
                invite_in = (
                    ui.select(
                        {
                            "": "Semua",
                            InviteState.TO_INVITE.value: "Perlu diundang",
                            InviteState.TO_REMOVE.value: "Perlu dikeluarkan",
                        },
                        value="",
                        label="Antrean undangan",
                    )
                    .props("dense outlined")
                    .classes("w-44")
                    .mark("invite-filter")
                )
                if account_id:
                    ui.chip(
                        f"Akun #{account_id}",
                        icon="filter_alt",
                        removable=True,
                        on_value_change=lambda: ui.navigate.to("/admin/assignments"),
                    ).mark("account-filter")
                email_in = (
                    ui.input("E-mail pelanggan", value=email).props("dense outlined clearable").mark("seat-search")
                )
            table = ServerTable(COLUMNS, load, mark="assignments-table")
            table.table.add_slot("body-cell-actions", ACTIONS)

            async def apply() -> None:
                filters.update(
                    status=status_in.value or "",
                    ending=ending_in.value or "",
                    email=email_in.value or "",
                    invite=invite_in.value or "",
                )
                await table.refresh(first_page=True)

            for element in (status_in, ending_in, invite_in):
                element.on_value_change(apply)
            email_in.on("keydown.enter", apply)
            email_in.on("clear", apply)
            ip = client_ip()
            table.table.on("extend", lambda e: extend_dialog(admin, e.args, table.refresh))
            table.table.on("revoke", lambda e: revoke_dialog(admin, e.args, table.refresh))
            table.table.on("move", lambda e: move_dialog(admin, e.args, table.refresh))
            table.table.on(
                "invited",
                lambda e: act(
                    lambda s: mark_invite(
                        session=s, assignment_id=e.args["id"], state=InviteState.INVITED, actor=admin.actor, ip=ip
                    ),
                    "Ditandai sudah diundang",
                ),
            )
            table.table.on(
                "removed",
                lambda e: act(
                    lambda s: mark_invite(
                        session=s, assignment_id=e.args["id"], state=InviteState.REMOVED, actor=admin.actor, ip=ip
                    ),
                    "Ditandai sudah dikeluarkan",
                ),
            )
            await table.refresh()
            ui.timer(5.0, table.refresh)
