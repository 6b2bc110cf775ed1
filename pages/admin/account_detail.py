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
    say,
    task_error_words,
    when,
    wib_time,
)

BUTTON = "min-h-[44px]"  # every action a labelled button a thumb can hit
SEEN_KINDS_EN = {"member": "Member", "invite": "Pending invitation"}
TASK_REASONS_EN = {
    "sale": "sale",
    "move": "account move",
    "missing from the workspace": "missing from the workspace, invited again",
    "stranger": "unknown member",
    "account automated": "account made automated",
    "assignment.expire": "seat ended",
    "assignment.revoke": "revoked",
    "assignment.move_out": "account move",
}
STORED, NONE_YET, NOT_RECORDED = (
    ("tersimpan ••••", "stored ••••"),
    ("belum ada", "none yet"),
    ("belum dicatat", "not recorded"),
)


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
        ui.label(say("Pesan terakhir: ", "Last message: ") + card.last_error).classes(
            "text-xs text-slate-500 break-all"
        ).mark("account-last-error")
    with ui.element("div").classes("w-full grid grid-cols-2 md:grid-cols-4 gap-x-6 gap-y-3"):
        fact("Pool", card.pool)
        if card.delivery == Delivery.INVITE:
            fact("Mode", "Workspace · " + DRIVER_LABELS[Driver(card.driver)])
        else:
            fact("Mode", DELIVERY_LABELS[Delivery(card.delivery)])
        fact("Status", STATUS_LABELS[AccountStatus(card.status)])
        fact(
            say("Kursi terpakai", "Seats used"),
            say(f"{card.seats_used} dari {card.capacity}", f"{card.seats_used} of {card.capacity}"),
        )
        if card.automated:
            fact(say("ID workspace", "Workspace ID"), card.workspace_id)
            fact("Access token", say(*STORED) if card.access_token_set else say(*NONE_YET), "access-token-state")
            fact("Session token", say(*STORED) if card.session_token_set else say(*NONE_YET))
            synced = fact(
                say("Sinkron terakhir", "Last sync"),
                ago(card.last_sync_at) or say("Belum pernah", "Never"),
                "last-sync",
            )
            ticking(clocks, synced, card.last_sync_at)
            if card.members_count is not None:
                counted = say(
                    f"{card.members_count} anggota · {card.invites_count or 0} undangan tertunda",
                    f"{card.members_count} members · {card.invites_count or 0} pending invitations",
                )
                if card.strangers_count:
                    counted += say(
                        f" · {card.strangers_count} tak dikenal (ikut memakai kursi)",
                        f" · {card.strangers_count} unknown (taking seats too)",
                    )
                fact(say("Terlihat di workspace", "Seen in the workspace"), counted, "workspace-counts")
            fact(say("Daftar izin", "Allow-list"), ", ".join(card.allow_list))
        if card.delivery == Delivery.INVITE:
            fact(
                say("Nama untuk pelanggan", "Name for customers"),
                card.display_name or say("Workspace ChatGPT (nama netral)", "ChatGPT Workspace (a neutral name)"),
                "display-name",
            )
        ends = card.subscription_expires_at
        fact(
            say("Perpanjangan langganan", "Subscription renewal"),
            day_words(ends) if ends else say(*NOT_RECORDED),
            "renewal",
        )
        fact(
            say("Biaya per bulan", "Monthly cost"),
            format_idr(card.monthly_cost_idr) if card.monthly_cost_idr else say(*NOT_RECORDED),
        )
        if card.retired_at:
            fact(say("Dipensiunkan", "Retired"), when(card.retired_at))
        if card.health_changed_at:
            changed = fact(say("Kesehatan berubah", "Health changed"), ago(card.health_changed_at))
            ticking(clocks, changed, card.health_changed_at)


class AccountActions:
    """The owner's buttons on one account; each says what it does and the page is read again after it."""

    def __init__(self, admin: SignedIn, detail: WorkspaceDetail, done: Done) -> None:
        self.admin, self.card, self.done, self.ip = admin, detail.account, done, client_ip()
        card = self.card
        with ui.row().classes("w-full gap-2 flex-wrap"):
            if card.automated:
                self.sync_button = (
                    ui.button(say("Sinkronkan sekarang", "Sync now"), icon="sync", on_click=self.sync)
                    .classes(BUTTON)
                    .mark("sync-now")
                )
            if card.health != Health.BANNED:
                ui.button(say("Tandai diblokir", "Mark banned"), icon="block", on_click=self.ask_banned).props(
                    "color=negative outline"
                ).classes(BUTTON).mark("mark-banned")
            if card.health != Health.OK:
                ui.button(say("Tandai sehat", "Mark healthy"), icon="check_circle", on_click=self.ask_healthy).props(
                    "color=green-9 outline"
                ).classes(BUTTON).mark("mark-healthy")
            if card.dead and card.seats_used:
                ui.button(
                    say("Pindahkan pelanggan sekarang", "Move the customers now"),
                    icon="swap_horiz",
                    on_click=self.replace,
                ).props("outline").classes(BUTTON).mark("replace-now")
            ui.button(
                say("Ubah akun", "Edit account"), icon="edit", on_click=lambda: account_dialog(admin, done, card)
            ).props("outline").classes(BUTTON).mark("edit-account")
            ui.button(
                say("Lihat penugasan", "See its seats"),
                icon="event_seat",
                on_click=lambda: ui.navigate.to(f"/admin/assignments?account_id={card.id}"),
            ).props("flat").classes(BUTTON)

    async def sync(self) -> None:
        worker = getattr(app.state, "workspaces", None)
        if worker is None or worker.driver is None:
            ui.notify(
                say(
                    "Sinkronisasi otomatis belum disiapkan di server ini", "Automatic sync is not set up on this server"
                ),
                type="warning",
            )
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
                say(
                    f"Disinkronkan: {report.members} anggota, {report.invites} undangan, "
                    f"{report.strangers} tak dikenal",
                    f"Synced: {report.members} members, {report.invites} invitations, {report.strangers} unknown",
                ),
                type="positive",
            )
        else:
            ui.notify(say("Sinkronisasi gagal: ", "Sync failed: ") + failure_words(report), type="negative")
        await self.done()

    def ask_banned(self) -> None:
        card, admin, ip = self.card, self.admin, self.ip
        question = say(
            f"Tandai {card.email} diblokir? Penjualan ke akun ini berhenti",
            f"Mark {card.email} banned? Sales to this account stop",
        )
        question += (
            say(
                f" dan {card.seats_used} pelanggannya dipindahkan ke akun sehat di pool {card.pool}.",
                f" and its {card.seats_used} customers are moved to a healthy account in pool {card.pool}.",
            )
            if (card.seats_used)
            else "."
        )
        reason_dialog(
            question,
            say("Tandai diblokir", "Mark banned"),
            lambda s, r: mark_health(
                session=s, account_id=card.id, health=Health.BANNED, actor=admin.actor, reason=r, ip=ip
            ),
            say("Akun ditandai diblokir", "Account marked banned"),
            self.done,
            required=True,
        )

    def ask_healthy(self) -> None:
        card, admin, ip = self.card, self.admin, self.ip
        reason_dialog(
            say(
                f"Tandai {card.email} sehat? Akun ini dipakai lagi untuk penjualan.",
                f"Mark {card.email} healthy? This account is used for sales again.",
            ),
            say("Tandai sehat", "Mark healthy"),
            lambda s, r: mark_health(
                session=s, account_id=card.id, health=Health.OK, actor=admin.actor, reason=r, ip=ip
            ),
            say("Akun ditandai sehat", "Account marked healthy"),
            self.done,
            required=False,
        )

    async def replace(self) -> None:
        card, admin = self.card, self.admin
        moved = await attempt(lambda s: replace_customers_now(session=s, account_id=card.id, actor=admin.actor))
        if isinstance(moved, Refused):
            return
        if moved:
            ui.notify(
                say(
                    f"{moved} pelanggan dipindahkan ke akun sehat; akses baru dikirim",
                    f"{moved} customers moved to a healthy account; new access sent",
                ),
                type="positive",
            )
        else:
            ui.notify(
                say(
                    "Tidak ada kursi kosong di pool ini: pelanggan menunggu kursi berikutnya, di depan antrean stok",
                    "No free seat in this pool: the customers wait for the next seat, ahead of the stock queue",
                ),
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
        label = say("Alasan", "Reason") + (
            say(" (wajib)", " (required)") if required else say(" (opsional)", " (optional)")
        )
        reason = ui.input(label).classes("w-full").mark("health-reason")

        async def yes() -> None:
            if required and not (reason.value or "").strip():
                ui.notify(say("Tulis alasannya dulu", "Write the reason first"), type="warning")
                return
            if await act(lambda s: work(s, (reason.value or "").strip()), success):
                dialog.close()
                await done()

        with ui.row().classes("w-full justify-end"):
            ui.button(say("Batal", "Cancel"), on_click=dialog.close).props("flat").classes(BUTTON)
            ui.button(button, on_click=yes).classes(BUTTON).mark("health-yes")
    dialog.open()


def people_list(
    title: str, people: list[SeenPerson], mark: str, allow: Callable[[str], Awaitable[None]] | None, clocks: Clocks
) -> None:
    with ui.card().classes("w-full").props("flat bordered"):
        ui.label(f"{title} ({len(people)})").classes("font-semibold")
        if not people:
            ui.label(say("Tidak ada", "None")).classes("text-sm text-slate-500")
        with ui.column().classes("w-full gap-1").mark(mark):
            for person in people:
                with ui.row().classes("w-full items-center gap-2 flex-wrap border-t border-slate-200 pt-1"):
                    with ui.column().classes("gap-0 grow"):
                        ui.label(person.email).classes("text-sm break-all")
                        kind = say(
                            SEEN_KINDS.get(person.kind, person.kind), SEEN_KINDS_EN.get(person.kind, person.kind)
                        )
                        prefix = kind + say(" · pertama terlihat ", " · first seen ")
                        seen = ui.label(prefix + ago(person.first_seen_at)).classes("text-xs text-slate-500")
                        ticking(clocks, seen, person.first_seen_at, prefix)
                    if allow is not None:
                        ui.button(
                            say("Tambahkan ke daftar izin", "Add to the allow-list"),
                            on_click=lambda email=person.email: allow(email),
                        ).props("outline").classes(BUTTON).mark("allow-stranger")


def workspace_ui(admin: SignedIn, detail: WorkspaceDetail, done: Done, clocks: Clocks) -> None:
    card, ip = detail.account, client_ip()

    async def allow(email: str) -> None:
        if await act(
            lambda s: allow_member(session=s, account_id=card.id, email=email, actor=admin.actor, ip=ip),
            say(f"{email} ditambahkan ke daftar izin", f"{email} added to the allow-list"),
        ):
            await done()

    ui.label(say("Di workspace", "In the workspace")).classes("text-lg font-bold")
    if card.last_sync_at is None:
        ui.label(
            say(
                "Belum pernah disinkronkan: tekan “Sinkronkan sekarang” untuk membaca anggota dan undangan.",
                "Never synced: press “Sync now” to read the members and invitations.",
            )
        ).classes("text-sm text-slate-600")
    else:
        ui.label(
            say(
                "Menurut sinkron terakhir (lihat di atas). Undangan yang baru terkirim muncul di sini setelah sinkron "
                "berikutnya; status tiap pelanggan ada di bawah.",
                "As of the last sync (see above). An invitation just sent shows here after the next sync; each "
                "customer's state is below.",
            )
        ).classes("text-sm text-slate-600")
    with ui.row().classes("w-full gap-3 flex-wrap lg:flex-nowrap items-start"):
        with ui.column().classes("grow basis-64 min-w-0"):
            people_list(say("Anggota", "Members"), detail.members, "members-list", None, clocks)
        with ui.column().classes("grow basis-64 min-w-0"):
            people_list(say("Undangan tertunda", "Pending invitations"), detail.invites, "invites-list", None, clocks)
        with ui.column().classes("grow basis-64 min-w-0"):
            unknown = say("Tak dikenal (tidak membeli kursi)", "Unknown (bought no seat)")
            people_list(unknown, detail.strangers, "strangers-list", allow, clocks)


def seats_ui(detail: WorkspaceDetail) -> None:
    ui.label(say("Pelanggan aktif", "Active customers") + f" ({len(detail.seats)})").classes("text-lg font-bold")
    card = detail.account
    if card.dead and detail.seats:
        ui.label(
            say(
                "Akun ini tidak sehat: pelanggan dalam masa garansi menunggu kursi di akun sehat pool "
                f"{card.pool} (di depan antrean stok). Tambah akun atau kursi di pool itu, lalu tekan "
                "“Pindahkan pelanggan sekarang”.",
                "This account is not healthy: customers within their warranty wait for a seat on a healthy account "
                f"in pool {card.pool} (ahead of the stock queue). Add an account or seats to that pool, then press "
                "“Move the customers now”.",
            )
        ).classes("text-sm text-amber-900 bg-amber-50 rounded px-2 py-1").mark("customers-waiting")
    with ui.card().classes("w-full").props("flat bordered"), ui.column().classes("w-full gap-1").mark("seats-list"):
        if not detail.seats:
            ui.label(say("Belum ada pelanggan di akun ini", "No customers on this account yet")).classes(
                "text-sm text-slate-500"
            )
        for seat in detail.seats:
            state = INVITE_LABELS.get(InviteState(seat.invite_state), "") if seat.invite_state else ""
            with ui.column().classes("w-full gap-0 border-t border-slate-200 pt-1"):
                ui.label(seat.customer_email).classes("text-sm break-all")
                ui.label(" · ".join(x for x in (state, say("berakhir ", "ends ") + when(seat.end_at)) if x)).classes(
                    "text-xs text-slate-600"
                )


def task_ui(task: TaskLine) -> None:
    status = TaskStatus(task.status)
    colour = {TaskStatus.FAILED: "text-red-700", TaskStatus.DONE: "text-green-700"}.get(status, "text-slate-700")
    with ui.card().classes("w-full").props("flat bordered"):
        with ui.row().classes("w-full items-center gap-2 flex-wrap"):
            ui.label(f"{TASK_KIND_LABELS.get(task.kind, task.kind)} {task.email}").classes("font-semibold break-all")
            ui.label(TASK_STATUS_LABELS[status]).classes(f"text-sm font-semibold {colour}")
            reason = say(TASK_REASONS.get(task.reason, ""), TASK_REASONS_EN.get(task.reason, ""))
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
    ui.label(say("Tugas workspace terbaru", "Latest workspace tasks")).classes("text-lg font-bold")
    with ui.column().classes("w-full gap-2").mark("tasks-list"):
        if not detail.tasks:
            ui.label(say("Belum ada tugas", "No tasks yet")).classes("text-sm text-slate-500")
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
        ui.link(say("← Semua akun", "← All accounts"), "/admin/accounts").classes(
            "text-sm text-primary min-h-[44px] flex items-center"
        )
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
                ui.label(say("Akun tidak ditemukan", "Account not found")).mark("account-missing")
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
