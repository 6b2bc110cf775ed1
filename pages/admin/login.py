"""Admin login: e-mail and password; the same answer (and time) for unknown, wrong and locked."""

from __future__ import annotations

from nicegui import ui
from sqlmodel import Session

from domain.admin.admins import TooManyAttempts, authenticate
from domain.shared.models import AdminUser
from infra import db
from pages.admin.frame import client_ip, sign_in
from pages.threads import io_bound

REFUSED = "E-mail atau kata sandi salah."
WAIT = "Terlalu banyak percobaan masuk dari sini. Coba lagi dalam {seconds} detik."


def login_target(next_path: str) -> str:
    """Where to go after signing in: back to the admin page asked for, never off the admin."""
    return next_path if next_path.startswith("/admin") else "/admin"


def login_ui(target: str) -> None:
    ui.query("body").classes("bg-slate-100")
    with ui.card().classes("w-full max-w-sm mx-auto mt-16 gap-3").props("flat bordered"):
        ui.label("AksesGPT admin").classes("text-xl font-bold")
        email = (
            ui.input("E-mail").props("outlined type=email autocomplete=username").classes("w-full").mark("admin-email")
        )
        password = (
            ui.input("Kata sandi", password=True)
            .props("outlined autocomplete=current-password")
            .classes("w-full")
            .mark("admin-password")
        )
        message = ui.label("").classes("text-negative text-sm").mark("login-message")

        async def submit() -> None:
            ip = client_ip()

            def work(s: Session) -> AdminUser | None:
                return authenticate(session=s, email=email.value or "", password=password.value or "", ip=ip)

            try:
                admin = await io_bound(db.in_transaction, work)
            except TooManyAttempts as exc:
                message.text = WAIT.format(seconds=exc.retry_after)
                password.value = ""
                return
            if admin is None:
                message.text = REFUSED
                password.value = ""
                return
            sign_in(admin)
            ui.navigate.to(target)

        password.on("keydown.enter", submit)
        ui.button("Masuk", on_click=submit).classes("w-full").mark("login-submit")
