"""The signed-in admin's own security: two-factor sign-in (turn on with a QR code and the app's first code, ten
recovery codes shown once; turn off unless the shop requires it) and signing out on every device."""

from __future__ import annotations

from base64 import b64encode
from dataclasses import dataclass
from datetime import datetime

import segno
from nicegui import app, ui
from sqlmodel import Session

from domain.admin.admins import confirm_totp, new_enrolment, sign_out_everywhere, turn_off_totp
from domain.shared.models import AdminUser
from infra import db
from pages.admin.frame import Refused, SignedIn, act, client_ip, fetch, must_enrol
from pages.admin.words import say, when


@dataclass(frozen=True)
class SecurityView:
    second_factor_since: datetime | None
    recovery_codes_left: int
    required: bool


def load_view(admin_id: int) -> SecurityView:
    with db.read_session() as session:
        admin = session.get(AdminUser, admin_id)
        assert admin is not None
        return SecurityView(
            second_factor_since=admin.totp_confirmed_at if admin.totp_secret_enc else None,
            recovery_codes_left=len(admin.recovery_codes),
            required=bool(app.state.settings.ADMIN_REQUIRE_2FA),
        )


def _qr_data_uri(uri: str) -> str:
    svg = segno.make(uri, error="m").svg_inline(scale=5, border=2)
    return "data:image/svg+xml;base64," + b64encode(svg.encode()).decode()


def recovery_codes_ui(codes: list[str]) -> None:
    with ui.card().classes("w-full max-w-xl").props("flat bordered").mark("recovery-codes"):
        ui.label(
            say(
                "Kode cadangan — simpan sekarang, tidak akan ditampilkan lagi",
                "Recovery codes — save them now, they will not be shown again",
            )
        ).classes("font-semibold")
        ui.label(
            say(
                "Setiap kode bisa dipakai sekali untuk masuk bila ponsel Anda hilang.",
                "Each code signs you in once if you lose your phone.",
            )
        ).classes("text-sm")
        ui.label("\n".join(codes)).classes("font-mono whitespace-pre text-base").mark("recovery-code-list")
        ui.button(say("Selesai", "Done"), on_click=lambda: ui.navigate.to("/admin/security")).mark("recovery-done")


def enrol_ui(admin: SignedIn) -> None:
    """The QR code and secret of a new TOTP secret, and the box for the app's first code."""
    enrolment = new_enrolment(email=admin.email)
    with ui.card().classes("w-full max-w-xl gap-3").props("flat bordered") as card:
        ui.label(
            say(
                "1. Pindai kode QR ini dengan aplikasi autentikator (Google Authenticator, Authy, 2FAS…)",
                "1. Scan this QR code with an authenticator app (Google Authenticator, Authy, 2FAS…)",
            )
        )
        alt = say("Kode QR verifikasi dua langkah", "Two-step verification QR code")
        ui.image(_qr_data_uri(enrolment.uri)).classes("w-48 h-48").props(f'alt="{alt}"')
        ui.label(say("Atau ketik kunci ini di aplikasi:", "Or type this key into the app:")).classes("text-sm")
        ui.label(enrolment.secret).classes("font-mono text-sm break-all").mark("totp-secret")
        ui.label(say("2. Ketik kode 6 angka yang muncul di aplikasi", "2. Type the 6-digit code the app shows"))
        code = (
            ui.input(say("Kode verifikasi", "Verification code"))
            .props("outlined inputmode=numeric autocomplete=one-time-code")
            .mark("totp-code")
        )
        codes: list[str] = []

        async def confirm() -> None:
            ip, typed = client_ip(), code.value or ""  # read here: the work runs in a thread

            def work(session: Session) -> None:
                codes[:] = confirm_totp(session=session, admin_id=admin.id, secret=enrolment.secret, code=typed, ip=ip)

            if await act(work, say("Verifikasi dua langkah aktif", "Two-step verification is on")):
                card.clear()
                with card:
                    recovery_codes_ui(codes)

        ui.button(say("Aktifkan", "Turn on"), on_click=confirm).mark("totp-confirm")


def security_ui(admin: SignedIn, view: SecurityView) -> None:
    if must_enrol(admin):
        ui.label(
            say(
                "Toko ini mewajibkan verifikasi dua langkah. Aktifkan dulu untuk memakai dasbor.",
                "This shop requires two-step verification. Turn it on first to use the dashboard.",
            )
        ).classes("text-amber-800 bg-amber-50 p-3 rounded").mark("totp-required")
    ui.label(say("Verifikasi dua langkah", "Two-step verification")).classes("text-lg font-semibold")
    if view.second_factor_since is None:
        ui.label(
            say(
                "Belum aktif: siapa pun yang tahu kata sandi Anda bisa masuk.",
                "Off: anyone who knows your password can sign in.",
            )
        ).classes("text-sm")
        holder = ui.column().classes("w-full")

        async def start() -> None:
            if isinstance(await fetch(lambda: None), Refused):  # the session ended since the page opened
                return
            holder.clear()
            with holder:
                enrol_ui(admin)

        with holder:
            ui.button(say("Aktifkan verifikasi dua langkah", "Turn on two-step verification"), on_click=start).mark(
                "totp-start"
            )
    else:
        since = when(view.second_factor_since)
        ui.label(
            say(
                f"Aktif sejak {since} · sisa kode cadangan: {view.recovery_codes_left}",
                f"On since {since} · recovery codes left: {view.recovery_codes_left}",
            )
        ).classes("text-sm").mark("totp-on")
        if not view.required:

            async def turn_off() -> None:
                ip = client_ip()
                if await act(
                    lambda s: turn_off_totp(session=s, actor_id=admin.id, admin_id=admin.id, ip=ip),
                    say("Verifikasi dua langkah dimatikan", "Two-step verification turned off"),
                ):
                    ui.navigate.to("/admin/security")

            ui.button(say("Matikan", "Turn off"), on_click=turn_off).props("outline color=negative").mark("totp-off")
    ui.separator()
    ui.label(say("Perangkat", "Devices")).classes("text-lg font-semibold")
    ui.label(
        say(
            "Keluar dari semua perangkat dan tab yang sedang masuk dengan akun ini (termasuk yang ini).",
            "Sign out of every device and tab signed in with this account (this one too).",
        )
    ).classes("text-sm")

    async def everywhere() -> None:
        ip = client_ip()
        if await act(
            lambda s: sign_out_everywhere(session=s, admin_id=admin.id, ip=ip),
            say("Anda telah keluar", "You are signed out"),
        ):
            app.storage.user.pop("admin", None)
            ui.navigate.to("/admin/login")

    ui.button(say("Keluar dari semua perangkat", "Sign out everywhere"), on_click=everywhere).props("outline").mark(
        "sign-out-everywhere"
    )
