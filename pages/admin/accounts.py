"""Accounts: the pool, paginated and searchable; add, edit, suspend, retire, reveal, CSV import."""

from __future__ import annotations

from typing import Any

from nicegui import run, ui

from domain.admin.listing import accounts_page
from domain.catalog.pool import (
    add_account,
    import_accounts_csv,
    retire_account,
    reveal_password,
    suspend_account,
    unsuspend_account,
    update_account,
)
from domain.shared.errors import DomainError
from domain.shared.models import AccountStatus, ChatGPTAccount
from infra import db
from pages.admin.frame import SignedIn, act, admin_frame, client_ip
from pages.admin.table import ServerTable

COLUMNS = [
    {"name": "email", "label": "E-mail", "field": "email", "align": "left"},
    {"name": "pool", "label": "Pool", "field": "pool", "align": "left"},
    {"name": "delivery", "label": "Mode", "field": "delivery", "align": "left"},
    {"name": "status", "label": "Status", "field": "status", "align": "left"},
    {"name": "seats", "label": "Kursi", "field": "seats_used", "align": "left"},
    {"name": "note", "label": "Catatan", "field": "note", "align": "left"},
    {"name": "actions", "label": "", "field": "id"},
]
SEAT_BAR = (
    '<q-td :props="props"><div style="min-width:90px">{{ props.row.seats_used }} / {{ props.row.capacity }}'
    '<q-linear-progress rounded size="8px" :value="props.row.seats_used / props.row.capacity" '
    ":color=\"props.row.seats_used >= props.row.capacity ? 'orange' : 'green'\"/></div></q-td>"
)


def row(account: ChatGPTAccount) -> dict[str, Any]:
    return {
        "id": account.id,
        "email": account.email,
        "pool": account.pool,
        "delivery": account.delivery,
        "status": account.status,
        "seats_used": account.seats_used,
        "capacity": account.capacity,
        "max_seats": account.max_seats,
        "note": account.note,
    }


def account_dialog(admin: SignedIn, on_done, existing: dict[str, Any] | None = None) -> None:
    """Add (existing=None) or edit an account."""
    with ui.dialog() as dialog, ui.card().classes("w-full max-w-md"):
        ui.label("Ubah akun" if existing else "Tambah akun").classes("text-lg font-bold")
        email = ui.input("E-mail akun", value=(existing or {}).get("email", "")).classes("w-full").mark("acc-email")
        password = (
            ui.input(
                "Kata sandi" + (" (kosongkan jika tidak diubah)" if existing else ""),
                password=True,
                password_toggle_button=True,
            )
            .classes("w-full")
            .mark("acc-password")
        )
        pool = ui.input("Pool", value=(existing or {}).get("pool", "default")).classes("w-full")
        delivery = ui.select(
            ["CREDENTIALS", "INVITE"], value=(existing or {}).get("delivery", "CREDENTIALS"), label="Mode pengiriman"
        ).classes("w-full")
        seats = (
            ui.number("Maks. kursi (kosong = 1 pelanggan)", value=(existing or {}).get("max_seats"), min=1, precision=0)
            .classes("w-full")
            .mark("acc-seats")
        )
        note = ui.input("Catatan / nama workspace", value=(existing or {}).get("note", "")).classes("w-full")

        async def save() -> None:
            fields = {
                "email": email.value,
                "pool": pool.value,
                "delivery": delivery.value,
                "note": note.value,
                "max_seats": int(seats.value) if seats.value else None,
            }
            if password.value:
                fields["password"] = password.value
            ip = client_ip()
            if existing:
                ok = await act(
                    lambda s: update_account(session=s, actor=admin.actor, account_id=existing["id"], ip=ip, **fields),
                    "Akun disimpan",
                )
            else:
                ok = await act(
                    lambda s: add_account(
                        session=s, actor=admin.actor, ip=ip, **(fields | {"password": password.value or ""})
                    ),
                    "Akun ditambahkan; pesanan yang menunggu dilayani",
                )
            if ok:
                dialog.close()
                await on_done()

        with ui.row().classes("w-full justify-end"):
            ui.button("Batal", on_click=dialog.close).props("flat")
            ui.button("Simpan", on_click=save).mark("acc-save")
    dialog.open()


def import_dialog(admin: SignedIn, on_done) -> None:
    with ui.dialog() as dialog, ui.card().classes("w-full max-w-2xl"):
        ui.label("Impor akun dari CSV").classes("text-lg font-bold")
        ui.label("Kolom: email,password,pool,delivery,max_seats,note (baris pertama adalah judul kolom)").classes(
            "text-sm text-slate-600"
        )
        text = ui.textarea("Isi CSV").classes("w-full").props("rows=8").mark("csv-text")
        ui.upload(
            label="atau unggah berkas .csv",
            auto_upload=True,
            max_file_size=1_000_000,
            on_upload=lambda e: text.set_value(e.content.read().decode("utf-8", errors="replace")),
        ).props("accept=.csv flat bordered").classes("w-full")
        preview = ui.column().classes("w-full")

        async def run_import(dry_run: bool) -> None:
            try:
                report = await run.io_bound(
                    lambda: db.in_transaction(
                        lambda s: import_accounts_csv(
                            session=s, actor=admin.actor, text=text.value or "", dry_run=dry_run
                        )
                    )
                )
            except DomainError as exc:
                ui.notify(exc.message, type="negative")
                return
            preview.clear()
            with preview:
                verb = "Akan diimpor" if dry_run else "Diimpor"
                ui.label(f"{verb}: {len(report.ok)} · baris bermasalah: {len(report.errors)}").classes(
                    "font-semibold"
                ).mark("csv-summary")
                for entry in report.rows:
                    colour = "text-green-700" if entry.error is None else "text-red-700"
                    ui.label(f"baris {entry.line}: {entry.email or '?'} — {entry.error or 'ok'}").classes(
                        f"text-sm {colour}"
                    )
            if not dry_run:
                await on_done()

        with ui.row().classes("w-full justify-end"):
            ui.button("Tutup", on_click=dialog.close).props("flat")
            ui.button("Pratinjau", on_click=lambda: run_import(True)).props("outline").mark("csv-preview")
            ui.button("Impor", on_click=lambda: run_import(False)).mark("csv-import")
    dialog.open()


def register() -> None:
    @ui.page("/admin/accounts", title="Akun — AksesGPT admin")
    async def accounts() -> None:
        async with admin_frame("Akun ChatGPT") as admin:
            if admin is None:
                return
            filters = {"search": "", "status": "", "pool": ""}

            def load(page: int, per_page: int) -> tuple[list[dict[str, Any]], int]:
                with db.read_session() as session:
                    result = accounts_page(session=session, page=page, per_page=per_page, **filters)
                return [row(a) for a in result.rows], result.total

            with ui.row().classes("w-full items-end gap-3"):
                search = ui.input("Cari e-mail / catatan").props("clearable dense outlined").mark("acc-search")
                status = (
                    ui.select(
                        {"": "Semua status", **{s.value: s.value for s in AccountStatus}}, value="", label="Status"
                    )
                    .props("dense outlined")
                    .classes("w-40")
                )
                pool = ui.input("Pool").props("dense outlined clearable").classes("w-32")
                ui.space()
                ui.button("Tambah akun", icon="add", on_click=lambda: account_dialog(admin, table.refresh)).mark(
                    "acc-add"
                )
                ui.button("Impor CSV", icon="upload", on_click=lambda: import_dialog(admin, table.refresh)).props(
                    "outline"
                )
            table = ServerTable(COLUMNS, load, mark="accounts-table")
            table.table.add_slot("body-cell-seats", SEAT_BAR)
            table.action_slot(
                "actions",
                [
                    ("edit", "edit", "Ubah"),
                    ("suspend", "pause_circle", "Tangguhkan"),
                    ("unsuspend", "play_circle", "Aktifkan lagi"),
                    ("retire", "archive", "Pensiunkan"),
                    ("reveal", "key", "Lihat kata sandi"),
                    ("seats", "event_seat", "Lihat penugasan akun ini"),
                ],
            )

            async def apply_filters() -> None:
                filters.update(search=search.value or "", status=status.value or "", pool=pool.value or "")
                await table.refresh(first_page=True)

            for element in (search, pool):
                element.on("keydown.enter", apply_filters)
                element.on("clear", apply_filters)
            status.on_value_change(apply_filters)

            def confirm(question: str, work, success: str) -> None:
                with ui.dialog() as dialog, ui.card():
                    ui.label(question)
                    reason = ui.input("Alasan (opsional)").classes("w-full")

                    async def yes() -> None:
                        if await act(lambda s: work(s, reason.value or ""), success):
                            await table.refresh()
                        dialog.close()

                    with ui.row().classes("w-full justify-end"):
                        ui.button("Batal", on_click=dialog.close).props("flat")
                        ui.button("Ya", on_click=yes).mark("confirm-yes")
                dialog.open()

            ip = client_ip()
            table.table.on("edit", lambda e: account_dialog(admin, table.refresh, e.args))
            table.table.on(
                "suspend",
                lambda e: confirm(
                    f"Tangguhkan {e.args['email']}? Pelanggan yang ada tetap memakainya sampai dipindah.",
                    lambda s, r: suspend_account(
                        session=s, actor=admin.actor, account_id=e.args["id"], reason=r, ip=ip
                    ),
                    "Akun ditangguhkan",
                ),
            )
            table.table.on(
                "unsuspend",
                lambda e: confirm(
                    f"Aktifkan lagi {e.args['email']}?",
                    lambda s, r: unsuspend_account(session=s, actor=admin.actor, account_id=e.args["id"], ip=ip),
                    "Akun aktif lagi",
                ),
            )
            table.table.on(
                "retire",
                lambda e: confirm(
                    f"Pensiunkan {e.args['email']} untuk selamanya?",
                    lambda s, r: retire_account(session=s, actor=admin.actor, account_id=e.args["id"], reason=r, ip=ip),
                    "Akun dipensiunkan",
                ),
            )

            def reveal(args: dict[str, Any]) -> None:
                with ui.dialog() as dialog, ui.card():
                    ui.label(f"Tampilkan kata sandi {args['email']}? Tindakan ini dicatat di audit log.")
                    shown = ui.label("").classes("font-mono text-lg").mark("revealed")

                    async def yes() -> None:
                        try:
                            secret = await run.io_bound(
                                lambda: db.in_transaction(
                                    lambda s: reveal_password(
                                        session=s, actor=admin.actor, account_id=args["id"], ip=ip
                                    )
                                )
                            )
                        except DomainError as exc:
                            ui.notify(exc.message, type="negative")
                            return
                        shown.text = secret

                    with ui.row().classes("w-full justify-end"):
                        ui.button("Tutup", on_click=dialog.close).props("flat")
                        ui.button("Tampilkan", on_click=yes).mark("reveal-yes")
                dialog.open()

            table.table.on("reveal", lambda e: reveal(e.args))
            table.table.on("seats", lambda e: ui.navigate.to(f"/admin/assignments?account_id={e.args['id']}"))
            await table.refresh()
            ui.timer(5.0, table.refresh)  # seat counts move as customers come and go
