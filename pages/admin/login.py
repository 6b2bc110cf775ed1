"""Admin login: e-mail and password; the same answer (and time) for unknown and wrong; a wait after many failures."""

from __future__ import annotations

from nicegui import run, ui

from domain.admin.admins import TooManyAttempts, authenticate
from infra import db
from pages.admin.frame import client_ip, sign_in

REFUSED = "E-mail atau kata sandi salah."
WAIT = "Terlalu banyak percobaan masuk dari sini. Coba lagi dalam {seconds} detik."


def register() -> None:
    @ui.page("/admin/login", title="Masuk — AksesGPT admin")
    def login(next: str = "/admin") -> None:  # noqa: A002 (the query parameter's name)
        target = next if next.startswith("/admin") else "/admin"
        ui.query("body").classes("bg-slate-100")
        with ui.card().classes("w-full max-w-sm mx-auto mt-16 gap-3").props("flat bordered"):
            ui.label("AksesGPT admin").classes("text-xl font-bold")
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
            message = ui.label("").classes("text-negative text-sm").mark("login-message")

            async def submit() -> None:
                ip = client_ip()
                try:
                    admin = await run.io_bound(
                        lambda: db.in_transaction(
                            lambda s: authenticate(
                                session=s, email=email.value or "", password=password.value or "", ip=ip
                            )
                        )
                    )
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
