"""One account's page: its health in words, who the last sync saw in its workspace (members, pending invites,
strangers), its active customers, its recent workspace tasks with every attempt, and the owner's actions: sync
now, mark banned or healthy, move the customers now, allow a stranger, edit."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from nicegui import app, ui
from sqlmodel import Session

from domain.admin.workspaces import AccountCard, SeenPerson, TaskLine, WorkspaceDetail, allow_member, workspace_detail
from domain.shared.i18n import format_idr
from domain.shared.models import AccountStatus, Delivery, Driver, Health, InviteState, TaskStatus
from domain.workspaces.health import mark_health, replace_customers_now
from domain.workspaces.sync import SyncReport
from infra import db
from pages.admin.account_form import account_dialog
from pages.admin.dates import day_words
from pages.admin.frame import Done, Refused, SignedIn, act, attempt, carry_out, client_ip, fetch, live
from pages.admin.login_code import login_help_ui
from pages.admin.words import (
    DARK_TEXT,
    DELIVERY_LABELS,
    DRIVER_LABELS,
    HEALTH_COLOURS,
    HEALTH_LABELS,
    INVITE_LABELS,
    SEEN_KINDS,
    STATUS_LABELS,
    TASK_KIND_LABELS,
    TASK_REASONS,
    TASK_STATUS_LABELS,
    ago,
    attempt_words,
    error_words,
    failure_words,
    task_error_words,
    when,
    wib_time,
)

BUTTON = "min-h-[44px]"  # every action a labelled button a thumb can hit


def load_detail(account_id: int) -> WorkspaceDetail | None:
    with db.read_session() as session:
        return workspace_detail(session=session, account_id=account_id)


def health_chip(health: str) -> None:
    h = Health(health)
    ui.chip(HEALTH_LABELS[h], color=HEALTH_COLOURS[h], text_color="grey-10" if h in DARK_TEXT else "white").props(
        "square"
    ).classes("font-semibold").mark("health-chip")


Clocks = list[tuple[ui.label, datetime, str]]  # labels saying "3 menit lalu", kept true by the panel's ticks


def fact(name: str, value: str, mark: str = "") -> ui.label:
    with ui.column().classes("gap-0 min-w-0"):
        ui.label(name).classes("text-xs text-slate-500")
        label = ui.label(value or "—").classes("text-sm break-all")
        if mark:
            label.mark(mark)
    return label


def ticking(clocks: Clocks, label: ui.label, moment: datetime | None, prefix: str = "") -> None:
    if moment is not None:
        clocks.append((label, moment, prefix))


def summary_ui(card: AccountCard, clocks: Clocks) -> None:
    with ui.row().classes("w-full items-center gap-3"):
        ui.label(card.email).classes("text-lg font-semibold break-all")
        health_chip(card.health)
    problem = error_words(card.health, card.last_error, card.failures_in_row)
    if problem:
        ui.label(problem).classes("text-sm text-red-800 bg-red-50 rounded px-2 py-1").mark("account-problem")
    if card.last_error and card.health != Health.OK:
        ui.label(f"Pesan terakhir: {card.last_error}").classes("text-xs text-slate-500 break-all").mark(
            "account-last-error"
        )
    with ui.element("div").classes("w-full grid grid-cols-2 md:grid-cols-4 gap-x-6 gap-y-3"):
        fact("Pool", card.pool)
        if card.delivery == Delivery.INVITE:
            fact("Mode", "Workspace · " + DRIVER_LABELS[Driver(card.driver)])
        else:
            fact("Mode", DELIVERY_LABELS[Delivery(card.delivery)])
        fact("Status", STATUS_LABELS[AccountStatus(card.status)])
        fact("Kursi terpakai", f"{card.seats_used} dari {card.capacity}")
        if card.automated:
            fact("ID workspace", card.workspace_id)
            fact("Access token", "tersimpan ••••" if card.access_token_set else "belum ada", "access-token-state")
            fact("Session token", "tersimpan ••••" if card.session_token_set else "belum ada")
            synced = fact("Sinkron terakhir", ago(card.last_sync_at) or "Belum pernah", "last-sync")
            ticking(clocks, synced, card.last_sync_at)
            if card.members_count is not None:
                counted = f"{card.members_count} anggota · {card.invites_count or 0} undangan tertunda"
                if card.strangers_count:
                    counted += f" · {card.strangers_count} tak dikenal (ikut memakai kursi)"
                fact("Terlihat di workspace", counted, "workspace-counts")
            fact("Daftar izin", ", ".join(card.allow_list))
        if card.delivery == Delivery.INVITE:
            fact("Nama untuk pelanggan", card.display_name or "Workspace ChatGPT (nama netral)", "display-name")
        ends = card.subscription_expires_at
        fact("Perpanjangan langganan", day_words(ends) if ends else "belum dicatat", "renewal")
        fact("Biaya per bulan", format_idr(card.monthly_cost_idr) if card.monthly_cost_idr else "belum dicatat")
        if card.retired_at:
            fact("Dipensiunkan", when(card.retired_at))
        if card.health_changed_at:
            ticking(clocks, fact("Kesehatan berubah", ago(card.health_changed_at)), card.health_changed_at)


class AccountActions:
    """The owner's buttons on one account; each says what it does and the page is read again after it."""

    def __init__(self, admin: SignedIn, detail: WorkspaceDetail, done: Done) -> None:
        self.admin, self.card, self.done, self.ip = admin, detail.account, done, client_ip()
        card = self.card
        with ui.row().classes("w-full gap-2 flex-wrap"):
            if card.automated:
                self.sync_button = (
                    ui.button("Sinkronkan sekarang", icon="sync", on_click=self.sync).classes(BUTTON).mark("sync-now")
                )
            if card.health != Health.BANNED:
                ui.button("Tandai diblokir", icon="block", on_click=self.ask_banned).props(
                    "color=negative outline"
                ).classes(BUTTON).mark("mark-banned")
            if card.health != Health.OK:
                ui.button("Tandai sehat", icon="check_circle", on_click=self.ask_healthy).props(
                    "color=green-9 outline"
                ).classes(BUTTON).mark("mark-healthy")
            if card.dead and card.seats_used:
                ui.button("Pindahkan pelanggan sekarang", icon="swap_horiz", on_click=self.replace).props(
                    "outline"
                ).classes(BUTTON).mark("replace-now")
            ui.button("Ubah akun", icon="edit", on_click=lambda: account_dialog(admin, done, card)).props(
                "outline"
            ).classes(BUTTON).mark("edit-account")
            ui.button(
                "Lihat penugasan",
                icon="event_seat",
                on_click=lambda: ui.navigate.to(f"/admin/assignments?account_id={card.id}"),
            ).props("flat").classes(BUTTON)

    async def sync(self) -> None:
        worker = getattr(app.state, "workspaces", None)
        if worker is None or worker.driver is None:
            ui.notify("Sinkronisasi otomatis belum disiapkan di server ini", type="warning")
            return
        self.sync_button.disable()
        try:
            report = await carry_out(lambda: worker.sync_account(self.card.id))
        finally:
            if not self.sync_button.is_deleted:  # the page may have been drawn again meanwhile
                self.sync_button.enable()
        if isinstance(report, Refused):
            return
        if isinstance(report, SyncReport):
            ui.notify(
                f"Disinkronkan: {report.members} anggota, {report.invites} undangan, {report.strangers} tak dikenal",
                type="positive",
            )
        else:
            ui.notify(f"Sinkronisasi gagal: {failure_words(report)}", type="negative")
        await self.done()

    def ask_banned(self) -> None:
        card, admin, ip = self.card, self.admin, self.ip
        question = f"Tandai {card.email} diblokir? Penjualan ke akun ini berhenti"
        question += (
            f" dan {card.seats_used} pelanggannya dipindahkan ke akun sehat di pool {card.pool}."
            if (card.seats_used)
            else "."
        )
        reason_dialog(
            question,
            "Tandai diblokir",
            lambda s, r: mark_health(
                session=s, account_id=card.id, health=Health.BANNED, actor=admin.actor, reason=r, ip=ip
            ),
            "Akun ditandai diblokir",
            self.done,
            required=True,
        )

    def ask_healthy(self) -> None:
        card, admin, ip = self.card, self.admin, self.ip
        reason_dialog(
            f"Tandai {card.email} sehat? Akun ini dipakai lagi untuk penjualan.",
            "Tandai sehat",
            lambda s, r: mark_health(
                session=s, account_id=card.id, health=Health.OK, actor=admin.actor, reason=r, ip=ip
            ),
            "Akun ditandai sehat",
            self.done,
            required=False,
        )

    async def replace(self) -> None:
        card, admin = self.card, self.admin
        moved = await attempt(lambda s: replace_customers_now(session=s, account_id=card.id, actor=admin.actor))
        if isinstance(moved, Refused):
            return
        if moved:
            ui.notify(f"{moved} pelanggan dipindahkan ke akun sehat; akses baru dikirim", type="positive")
        else:
            ui.notify(
                "Tidak ada kursi kosong di pool ini: pelanggan menunggu kursi berikutnya, di depan antrean stok",
                type="warning",
            )
        await self.done()


def reason_dialog(
    question: str,
    button: str,
    work: Callable[[Session, str], object],
    success: str,
    done: Done,
    *,
    required: bool,
) -> None:
    with ui.dialog() as dialog, ui.card().classes("w-full max-w-md"):
        ui.label(question)
        label = "Alasan" + (" (wajib)" if required else " (opsional)")
        reason = ui.input(label).classes("w-full").mark("health-reason")

        async def yes() -> None:
            if required and not (reason.value or "").strip():
                ui.notify("Tulis alasannya dulu", type="warning")
                return
            if await act(lambda s: work(s, (reason.value or "").strip()), success):
                dialog.close()
                await done()

        with ui.row().classes("w-full justify-end"):
            ui.button("Batal", on_click=dialog.close).props("flat").classes(BUTTON)
            ui.button(button, on_click=yes).classes(BUTTON).mark("health-yes")
    dialog.open()


def people_list(
    title: str, people: list[SeenPerson], mark: str, allow: Callable[[str], Awaitable[None]] | None, clocks: Clocks
) -> None:
    with ui.card().classes("w-full").props("flat bordered"):
        ui.label(f"{title} ({len(people)})").classes("font-semibold")
        if not people:
            ui.label("Tidak ada").classes("text-sm text-slate-500")
        with ui.column().classes("w-full gap-1").mark(mark):
            for person in people:
                with ui.row().classes("w-full items-center gap-2 flex-wrap border-t border-slate-200 pt-1"):
                    with ui.column().classes("gap-0 grow"):
                        ui.label(person.email).classes("text-sm break-all")
                        prefix = f"{SEEN_KINDS.get(person.kind, person.kind)} · pertama terlihat "
                        seen = ui.label(prefix + ago(person.first_seen_at)).classes("text-xs text-slate-500")
                        ticking(clocks, seen, person.first_seen_at, prefix)
                    if allow is not None:
                        ui.button(
                            "Tambahkan ke daftar izin",
                            on_click=lambda email=person.email: allow(email),
                        ).props("outline").classes(BUTTON).mark("allow-stranger")


def workspace_ui(admin: SignedIn, detail: WorkspaceDetail, done: Done, clocks: Clocks) -> None:
    card, ip = detail.account, client_ip()

    async def allow(email: str) -> None:
        if await act(
            lambda s: allow_member(session=s, account_id=card.id, email=email, actor=admin.actor, ip=ip),
            f"{email} ditambahkan ke daftar izin",
        ):
            await done()

    ui.label("Di workspace").classes("text-lg font-bold")
    if card.last_sync_at is None:
        ui.label("Belum pernah disinkronkan: tekan “Sinkronkan sekarang” untuk membaca anggota dan undangan.").classes(
            "text-sm text-slate-600"
        )
    else:
        ui.label(
            "Menurut sinkron terakhir (lihat di atas). Undangan yang baru terkirim muncul di sini setelah sinkron "
            "berikutnya; status tiap pelanggan ada di bawah."
        ).classes("text-sm text-slate-600")
    with ui.row().classes("w-full gap-3 flex-wrap lg:flex-nowrap items-start"):
        with ui.column().classes("grow basis-64 min-w-0"):
            people_list("Anggota", detail.members, "members-list", None, clocks)
        with ui.column().classes("grow basis-64 min-w-0"):
            people_list("Undangan tertunda", detail.invites, "invites-list", None, clocks)
        with ui.column().classes("grow basis-64 min-w-0"):
            people_list("Tak dikenal (tidak membeli kursi)", detail.strangers, "strangers-list", allow, clocks)


def seats_ui(detail: WorkspaceDetail) -> None:
    ui.label(f"Pelanggan aktif ({len(detail.seats)})").classes("text-lg font-bold")
    card = detail.account
    if card.dead and detail.seats:
        ui.label(
            "Akun ini tidak sehat: pelanggan dalam masa garansi menunggu kursi di akun sehat pool "
            f"{card.pool} (di depan antrean stok). Tambah akun atau kursi di pool itu, lalu tekan "
            "“Pindahkan pelanggan sekarang”."
        ).classes("text-sm text-amber-900 bg-amber-50 rounded px-2 py-1").mark("customers-waiting")
    with ui.card().classes("w-full").props("flat bordered"), ui.column().classes("w-full gap-1").mark("seats-list"):
        if not detail.seats:
            ui.label("Belum ada pelanggan di akun ini").classes("text-sm text-slate-500")
        for seat in detail.seats:
            state = INVITE_LABELS.get(InviteState(seat.invite_state), "") if seat.invite_state else ""
            with ui.column().classes("w-full gap-0 border-t border-slate-200 pt-1"):
                ui.label(seat.customer_email).classes("text-sm break-all")
                ui.label(" · ".join(x for x in (state, f"berakhir {when(seat.end_at)}") if x)).classes(
                    "text-xs text-slate-600"
                )


def task_ui(task: TaskLine) -> None:
    status = TaskStatus(task.status)
    colour = {TaskStatus.FAILED: "text-red-700", TaskStatus.DONE: "text-green-700"}.get(status, "text-slate-700")
    with ui.card().classes("w-full").props("flat bordered"):
        with ui.row().classes("w-full items-center gap-2 flex-wrap"):
            ui.label(f"{TASK_KIND_LABELS.get(task.kind, task.kind)} {task.email}").classes("font-semibold break-all")
            ui.label(TASK_STATUS_LABELS[status]).classes(f"text-sm font-semibold {colour}")
            reason = TASK_REASONS.get(task.reason, "")
            ui.label(f"{wib_time(task.created_at)}" + (f" · {reason}" if reason else "")).classes(
                "text-xs text-slate-500"
            )
        problem = task_error_words(task.status, task.last_error)
        if problem and status in (TaskStatus.FAILED, TaskStatus.PENDING, TaskStatus.CONFIRMING):
            ui.label(problem).classes("text-sm text-red-700")
        for step in task.steps:
            ui.label(f"{wib_time(step.at)} — {attempt_words(step.action, step.outcome, step.detail)}").classes(
                "text-sm text-slate-700"
            )


def tasks_ui(detail: WorkspaceDetail) -> None:
    ui.label("Tugas workspace terbaru").classes("text-lg font-bold")
    with ui.column().classes("w-full gap-2").mark("tasks-list"):
        if not detail.tasks:
            ui.label("Belum ada tugas").classes("text-sm text-slate-500")
        for task in detail.tasks:
            task_ui(task)


def detail_ui(admin: SignedIn, detail: WorkspaceDetail, done: Done, clocks: Clocks) -> None:
    with ui.card().classes("w-full").props("flat bordered"):
        summary_ui(detail.account, clocks)
        AccountActions(admin, detail, done)
        if detail.account.delivery == Delivery.CREDENTIALS:
            login_help_ui(admin, detail.account, done)
    if detail.account.automated:
        workspace_ui(admin, detail, done, clocks)
    seats_ui(detail)
    if detail.account.automated or detail.tasks:
        tasks_ui(detail)


class AccountDetailPanel:
    """The account's page, drawn again only on news (a dialog open on it is not swept away meanwhile)."""

    def __init__(self, admin: SignedIn, account_id: int) -> None:
        self.admin, self.account_id = admin, account_id
        ui.link("← Semua akun", "/admin/accounts").classes("text-sm text-primary min-h-[44px] flex items-center")
        self.holder = ui.column().classes("w-full gap-3")
        self.news: tuple[object, ...] | None = None
        self.drawn = False
        self.clocks: Clocks = []

    def show(self, detail: WorkspaceDetail | None) -> None:
        news = detail.news if detail else None
        if self.drawn and news == self.news:
            for label, moment, prefix in self.clocks:  # no redraw (an open dialog stays), but "5 menit lalu" moves
                label.text = prefix + ago(moment)
            return
        self.news, self.drawn, self.clocks = news, True, []
        self.holder.clear()
        with self.holder:
            if detail is None:
                ui.label("Akun tidak ditemukan").mark("account-missing")
            else:
                detail_ui(self.admin, detail, self.update, self.clocks)

    async def update(self) -> None:
        with self.holder:  # (called from a button the page's own refresh may have redrawn away meanwhile)
            detail = await fetch(load_detail, self.account_id)
            if not isinstance(detail, Refused):
                self.show(detail)


def account_detail_ui(admin: SignedIn, account_id: int, detail: WorkspaceDetail | None) -> None:
    panel = AccountDetailPanel(admin, account_id)
    panel.show(detail)
    live(panel.update, (f"account:{account_id}", "assignment", "workspace_task"))
