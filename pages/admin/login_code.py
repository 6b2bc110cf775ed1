"""Login help on a shared login's page: whether a TOTP secret is stored, and the owner's "Kode verifikasi terbaru"
— the code ChatGPT just e-mailed to the account, shown to its active customers for ten minutes."""

from __future__ import annotations

from datetime import timedelta

from nicegui import ui

from domain.admin.workspaces import AccountCard
from domain.catalog.login_help import PASTED_CODE_MINUTES, paste_login_code
from infra.types import utcnow
from pages.admin.frame import Done, SignedIn, act, client_ip
from pages.admin.table import wib

BUTTON = "min-h-[44px]"


def pasted_line(card: AccountCard) -> str:
    """Where the last pasted code stands, in words."""
    if card.login_code_at is None:
        return "Belum ada kode verifikasi yang ditempel."
    until = card.login_code_at + timedelta(minutes=PASTED_CODE_MINUTES)
    if until <= utcnow():
        return f"Kode terakhir ditempel {wib(card.login_code_at)} WIB; sudah tidak terlihat pelanggan."
    return f"Kode ditempel {wib(card.login_code_at)} WIB; terlihat pelanggan aktif sampai {wib(until)} WIB."


def login_help_ui(admin: SignedIn, card: AccountCard, done: Done) -> None:
    with ui.column().classes("w-full gap-1 border-t border-slate-200 pt-2"):
        ui.label("Bantuan login pelanggan").classes("font-semibold")
        totp = (
            "Kunci TOTP tersimpan: pelanggan aktif bisa melihat kode login 6 angka di halaman pesanan."
            if card.totp_set
            else "Kunci TOTP belum ada (isi lewat Ubah akun), atau tempel kode dari e-mail akun di sini."
        )
        ui.label(totp).classes("text-sm text-slate-700").mark("totp-status")
        ui.label(pasted_line(card)).classes("text-sm text-slate-700").mark("pasted-status")
        ui.button("Kode verifikasi terbaru", icon="pin", on_click=lambda: paste_dialog(admin, card, done)).props(
            "outline"
        ).classes(BUTTON).mark("paste-code")


def paste_dialog(admin: SignedIn, card: AccountCard, done: Done) -> None:
    """Paste the code ChatGPT e-mailed to the account; its active customers see it for ten minutes."""
    with ui.dialog() as dialog, ui.card().classes("w-full max-w-md"):
        ui.label("Kode verifikasi terbaru").classes("text-lg font-bold")
        ui.label(
            f"Tempel kode dari e-mail ChatGPT untuk {card.email}. Pelanggan aktif akun ini melihatnya di halaman "
            f"pesanan selama {PASTED_CODE_MINUTES} menit."
        ).classes("text-sm text-slate-700")
        code = (
            ui.input("Kode verifikasi")
            .props('inputmode=numeric autocomplete=one-time-code hint="Biasanya 6 angka"')
            .classes("w-full")
            .mark("paste-code-input")
        )

        async def save(value: str) -> None:
            ip = client_ip()
            if not value.strip():
                ui.notify("Isi kodenya dulu", type="warning")
                return
            work = lambda s: paste_login_code(session=s, actor=admin.actor, account_id=card.id, code=value, ip=ip)  # noqa: E731
            if await act(work, "Kode terkirim ke halaman pesanan pelanggan aktif"):
                dialog.close()
                await done()

        async def take_back() -> None:
            ip = client_ip()
            work = lambda s: paste_login_code(session=s, actor=admin.actor, account_id=card.id, code="", ip=ip)  # noqa: E731
            if await act(work, "Kode ditarik dari halaman pesanan"):
                dialog.close()
                await done()

        with ui.row().classes("w-full justify-end flex-wrap"):
            if card.login_code_at is not None:
                ui.button("Tarik kode", on_click=take_back).props("flat color=negative").classes(BUTTON).mark(
                    "paste-code-clear"
                )
            ui.button("Batal", on_click=dialog.close).props("flat").classes(BUTTON)
            ui.button("Kirim ke pelanggan", on_click=lambda: save(code.value or "")).classes(BUTTON).mark(
                "paste-code-save"
            )
    dialog.open()
