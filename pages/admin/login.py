"""Admin login: e-mail and password (the same answer and time for unknown and wrong; a wait after many failures),
then the code from the authenticator app when the admin has two-factor sign-in; the session itself starts on
/admin/session under a new id (pages/admin/session.py)."""

from __future__ import annotations

from urllib.parse import quote

from nicegui import ui
from sqlmodel import Session

from domain.admin.admins import TooManyAttempts, authenticate, has_second_factor, verify_second_factor
from domain.shared.models import AdminUser
from infra import db
from pages.admin.frame import admin_look, client_ip
from pages.admin.session import issue_ticket
from pages.threads import io_bound

REFUSED = "E-mail atau kata sandi salah."
WAIT = "Terlalu banyak percobaan masuk dari sini. Coba lagi dalam {seconds} detik."
WRONG_CODE = "Kode salah atau sudah dipakai. Ketik kode terbaru dari aplikasi, atau satu kode cadangan."
EXPIRED = "Waktu masuk habis. Silakan masuk lagi."


def login_target(next_path: str) -> str:
    """Where to go after signing in: back to the admin page asked for, never off the admin."""
    return next_path if next_path.startswith("/admin") and not next_path.startswith("/admin/session") else "/admin"


def _start_session(admin_id: int, target: str, second_factor: bool) -> None:
    request = ui.context.client.request
    ticket = issue_ticket(admin_id=admin_id, session_id=str(request.session["id"]), second_factor=second_factor)
    ui.navigate.to(f"/admin/session?ticket={quote(ticket)}&next={quote(target)}")


def login_ui(target: str, expired: bool = False) -> None:
    ui.query("body").classes("bg-slate-100")
    admin_look()
    with ui.card().classes("w-full max-w-sm mx-auto mt-16 gap-3").props("flat bordered"):
        ui.label("AksesGPT admin").classes("text-xl font-bold")
        message = ui.label(EXPIRED if expired else "").classes("text-negative text-sm").mark("login-message")
        with ui.column().classes("w-full gap-3") as first_step:
            email = (
                ui.input("E-mail")
                .props("outlined type=email autocomplete=username")
                .classes("w-full")
                .mark("admin-email")
            )
            password = (
                ui.input("Kata sandi", password=True)
                .props("outlined autocomplete=current-password")
                .classes("w-full")
                .mark("admin-password")
            )
            submit_button = ui.button("Masuk").classes("w-full").mark("login-submit")
        with ui.column().classes("w-full gap-3") as second_step:
            ui.label("Masukkan kode 6 angka dari aplikasi autentikator Anda (atau satu kode cadangan).").classes(
                "text-sm"
            )
            code = (
                ui.input("Kode verifikasi")
                .props('outlined autocomplete=one-time-code inputmode=numeric aria-label="Kode verifikasi"')
                .classes("w-full")
                .mark("admin-code")
            )
            code_button = ui.button("Verifikasi").classes("w-full").mark("code-submit")
        second_step.set_visibility(False)
        pending: dict[str, int] = {}  # the admin whose password was right, waiting for the second factor

        async def submit() -> None:
            ip = client_ip()

            def work(s: Session) -> tuple[AdminUser, bool] | None:
                admin = authenticate(session=s, email=email.value or "", password=password.value or "", ip=ip)
                return None if admin is None else (admin, has_second_factor(admin))

            try:
                found = await io_bound(db.in_transaction, work)
            except TooManyAttempts as exc:
                message.text = WAIT.format(seconds=exc.retry_after)
                password.value = ""
                return
            password.value = ""
            if found is None:
                message.text = REFUSED
                return
            admin, needs_code = found
            assert admin.id is not None
            if not needs_code:
                _start_session(admin.id, target, second_factor=False)
                return
            pending["admin"] = admin.id
            message.text = ""
            first_step.set_visibility(False)
            second_step.set_visibility(True)

        async def verify() -> None:
            admin_id, ip, typed = pending.get("admin"), client_ip(), code.value or ""
            if admin_id is None:
                return
            try:
                ok = await io_bound(
                    db.in_transaction, lambda s: verify_second_factor(session=s, admin_id=admin_id, code=typed, ip=ip)
                )
            except TooManyAttempts as exc:
                message.text = WAIT.format(seconds=exc.retry_after)
                return
            code.value = ""
            if not ok:
                message.text = WRONG_CODE
                return
            _start_session(admin_id, target, second_factor=True)

        password.on("keydown.enter", submit)
        submit_button.on_click(submit)
        code.on("keydown.enter", verify)
        code_button.on_click(verify)
