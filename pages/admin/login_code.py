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
from pages.admin.words import say

BUTTON = "min-h-[44px]"


def pasted_line(card: AccountCard) -> str:
    """Where the last pasted code stands, in words."""
    if card.login_code_at is None:
        return say("Belum ada kode verifikasi yang ditempel.", "No verification code pasted yet.")
    until = card.login_code_at + timedelta(minutes=PASTED_CODE_MINUTES)
    if until <= utcnow():
        return say(
            f"Kode terakhir ditempel {wib(card.login_code_at)} WIB; sudah tidak terlihat pelanggan.",
            f"Last code pasted {wib(card.login_code_at)} WIB; customers no longer see it.",
        )
    return say(
        f"Kode ditempel {wib(card.login_code_at)} WIB; terlihat pelanggan aktif sampai {wib(until)} WIB.",
        f"Code pasted {wib(card.login_code_at)} WIB; active customers see it until {wib(until)} WIB.",
    )


def login_help_ui(admin: SignedIn, card: AccountCard, done: Done) -> None:
    with ui.column().classes("w-full gap-1 border-t border-slate-200 pt-2"):
        ui.label(say("Bantuan login pelanggan", "Customer login help")).classes("font-semibold")
        totp = (
            say(
                "Kunci TOTP tersimpan: pelanggan aktif bisa melihat kode login 6 angka di halaman pesanan.",
                "TOTP key stored: active customers can see the 6-digit login code on their order page.",
            )
            if card.totp_set
            else say(
                "Kunci TOTP belum ada (isi lewat Ubah akun), atau tempel kode dari e-mail akun di sini.",
                "No TOTP key yet (add it in Edit account), or paste the code from the account's e-mail here.",
            )
        )
        ui.label(totp).classes("text-sm text-slate-700").mark("totp-status")
        ui.label(pasted_line(card)).classes("text-sm text-slate-700").mark("pasted-status")
        ui.button(
            say("Kode verifikasi terbaru", "Latest verification code"),
            icon="pin",
            on_click=lambda: paste_dialog(admin, card, done),
        ).props("outline").classes(BUTTON).mark("paste-code")


def paste_dialog(admin: SignedIn, card: AccountCard, done: Done) -> None:
    """Paste the code ChatGPT e-mailed to the account; its active customers see it for ten minutes."""
    with ui.dialog() as dialog, ui.card().classes("w-full max-w-md"):
        ui.label(say("Kode verifikasi terbaru", "Latest verification code")).classes("text-lg font-bold")
        ui.label(
            say(
                f"Tempel kode dari e-mail ChatGPT untuk {card.email}. Pelanggan aktif akun ini melihatnya di halaman "
                f"pesanan selama {PASTED_CODE_MINUTES} menit.",
                f"Paste the code from ChatGPT's e-mail to {card.email}. This account's active customers see it on "
                f"their order page for {PASTED_CODE_MINUTES} minutes.",
            )
        ).classes("text-sm text-slate-700")
        code = (
            ui.input(say("Kode verifikasi", "Verification code"))
            .props(f'inputmode=numeric autocomplete=one-time-code hint="{say("Biasanya 6 angka", "Usually 6 digits")}"')
            .classes("w-full")
            .mark("paste-code-input")
        )

        async def save(value: str) -> None:
            ip = client_ip()
            if not value.strip():
                ui.notify(say("Isi kodenya dulu", "Fill in the code first"), type="warning")
                return
            work = lambda s: paste_login_code(session=s, actor=admin.actor, account_id=card.id, code=value, ip=ip)  # noqa: E731
            if await act(
                work,
                say("Kode terkirim ke halaman pesanan pelanggan aktif", "Code sent to active customers' order pages"),
            ):
                dialog.close()
                await done()

        async def take_back() -> None:
            ip = client_ip()
            work = lambda s: paste_login_code(session=s, actor=admin.actor, account_id=card.id, code="", ip=ip)  # noqa: E731
            if await act(work, say("Kode ditarik dari halaman pesanan", "Code taken back from the order pages")):
                dialog.close()
                await done()

        with ui.row().classes("w-full justify-end flex-wrap"):
            if card.login_code_at is not None:
                ui.button(say("Tarik kode", "Take code back"), on_click=take_back).props("flat color=negative").classes(
                    BUTTON
                ).mark("paste-code-clear")
            ui.button(say("Batal", "Cancel"), on_click=dialog.close).props("flat").classes(BUTTON)
            ui.button(say("Kirim ke pelanggan", "Send to customers"), on_click=lambda: save(code.value or "")).classes(
                BUTTON
            ).mark("paste-code-save")
    dialog.open()
