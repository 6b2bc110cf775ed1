"""The account form (add, edit): login or workspace, and for a workspace who invites — the owner by hand or the
shop through ChatGPT, with the workspace's id, its tokens and the members kept on purpose. A stored token is never
sent to the browser again: the form says it is stored, and an empty field keeps it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from nicegui import ui
from sqlmodel import Session

from domain.admin.workspaces import AccountCard
from domain.catalog.account_fields import parse_monthly_cost
from domain.catalog.login_help import clean_totp_secret, store_totp_secret
from domain.catalog.pool import add_account, update_account
from domain.orders.admin_actions import waiting_for_stock
from domain.shared.errors import ValidationFailed
from domain.shared.i18n import WIB, format_idr
from domain.shared.models import ChatGPTAccount, Delivery, Driver
from domain.shared.shop_settings import SHOP_CONFIG, env_defaults
from pages.admin.dates import day_picker, day_words, parse_day, when
from pages.admin.frame import Done, Refused, SignedIn, attempt, client_ip
from pages.admin.words import DRIVER_LABELS

DELIVERY_CHOICES = {
    Delivery.CREDENTIALS.value: "Login bersama (kata sandi dikirim ke pelanggan)",
    Delivery.INVITE.value: "Undangan ke workspace (e-mail pelanggan diundang)",
}
DRIVER_CHOICES = {d.value: DRIVER_LABELS[d] for d in Driver}
ALLOW_HINT = "Anggota workspace yang sengaja Anda simpan: tidak ditandai, tidak dikeluarkan"
NOTE_HINT = "Tidak pernah terlihat oleh pelanggan"
DISPLAY_HINT = "Terlihat di halaman pesanan dan e-mail pelanggan; kosong = Workspace ChatGPT"
COST_HINT = "Contoh: 75.000 atau Rp 75.000 (untuk laporan biaya)"
RENEWAL_HINT = "Anda diingatkan {days} hari sebelumnya (ubah di Toko)"


def _reminder_days() -> int:
    """The owner's reminder days as last read (the page does not wait on the database for a hint)."""
    known = SHOP_CONFIG.cached() or SHOP_CONFIG.latest() or env_defaults()
    return known.account_reminder_days


def renewal_day(moment: datetime | None) -> str:
    """The renewal date as the day field shows it ('02 Des 2026', the day in WIB)."""
    return day_words(moment) if moment else ""


class SubscriptionFields:
    """What the ChatGPT subscription costs each month and when it renews; a workspace the shop syncs has its
    renewal date from ChatGPT, so the form shows it and does not send it."""

    def __init__(self, existing: AccountCard | None) -> None:
        self.initial_day = renewal_day(existing.subscription_expires_at if existing else None)
        cost = existing.monthly_cost_idr if existing else None
        self.cost = (
            ui.input("Biaya langganan per bulan (Rp)", value=format_idr(cost) if cost else "")
            .props(f'inputmode=numeric hint="{COST_HINT}"')
            .classes("w-full")
            .mark("acc-monthly-cost")
        )
        self.parsed = ui.label("").classes("text-sm text-slate-600").mark("cost-parsed")
        self.cost.on_value_change(self.show_cost)
        self.show_cost()
        self.renewal = (
            day_picker("Tanggal perpanjangan langganan", self.initial_day)
            .props(f'hint="{RENEWAL_HINT.format(days=_reminder_days())}"')
            .classes("w-full")
            .mark("acc-renewal")
        )
        synced = when(existing.subscription_expires_at) if existing else ""
        self.synced = ui.label(f"Tanggal perpanjangan (dari sinkron workspace): {synced or 'belum diketahui'}").classes(
            "text-sm text-slate-600"
        )
        self.synced_mode = False

    def show_cost(self) -> None:
        """The cost as it will be saved, before saving (75.000 is seventy-five thousand, not 75)."""
        try:
            cost = parse_monthly_cost(self.cost.value)
        except ValidationFailed as exc:
            self.parsed.text = exc.message
            return
        self.parsed.text = f"Disimpan sebagai {format_idr(cost)}" if cost else "Biaya belum dicatat"

    def show(self, *, synced: bool) -> None:
        self.synced_mode = synced
        self.renewal.set_visibility(not synced)
        self.synced.set_visibility(synced)

    def fields(self) -> dict[str, Any]:
        out: dict[str, Any] = {"monthly_cost_idr": (self.cost.value or "").strip() or None}
        day = (self.renewal.value or "").strip()
        if not self.synced_mode and day != self.initial_day:  # an unchanged date keeps the stored moment
            picked = parse_day(day)  # '02 Des 2026' or '2026-12-02'; anything else goes on for the domain to refuse
            out["subscription_expires_at"] = (picked.astimezone(WIB).date().isoformat() if picked else day) or None
        return out


class SecretField:
    """A token's input: empty and masked; for a stored token, "tersimpan ••••" with "Ubah" to type a new one."""

    def __init__(self, label: str, hint: str, stored: bool, mark: str) -> None:
        with ui.column().classes("w-full gap-1"):
            if stored:
                with ui.row().classes("w-full items-center gap-2") as self.saved:
                    ui.label(f"{label}: tersimpan ••••").classes("text-sm").mark(f"{mark}-saved")
                    ui.button("Ubah", on_click=self.change).props("flat dense no-caps").classes("min-h-[44px]").mark(
                        f"{mark}-change"
                    )
            self.input = (
                ui.input(
                    label + (" baru (kosongkan agar tetap)" if stored else ""),
                    password=True,
                    password_toggle_button=True,
                )
                .props(f'autocomplete=off hint="{hint}"')
                .classes("w-full")
                .mark(mark)
            )
            self.input.set_visibility(not stored)

    def change(self) -> None:
        self.saved.set_visibility(False)
        self.input.set_visibility(True)

    @property
    def value(self) -> str:
        return (self.input.value or "").strip()


def _saved(existing: AccountCard | None, served: int = 0) -> str:
    """What saving said: orders waiting for stock are named only when the new account served some."""
    if existing:
        return "Akun disimpan"
    return f"Akun ditambahkan; {served} pesanan yang menunggu dilayani" if served else "Akun ditambahkan"


def serving(save: Callable[[Session], object], pool: str) -> Callable[[Session], int]:
    """`save`, answering how many orders waiting for stock in `pool` it served."""

    def work(session: Session) -> int:
        before = waiting_for_stock(session=session, pool=pool)
        save(session)
        return before - waiting_for_stock(session=session, pool=pool)

    return work


TOTP_HINT = "Kunci base32 dari pengaturan 2FA akun; pelanggan aktif melihat kode 6 angkanya"


class TotpField:
    """A shared login's TOTP secret: typed like a token (never shown again), and for a stored one a way to clear it."""

    def __init__(self, stored: bool) -> None:
        self.stored = stored
        self.secret = SecretField("Kunci TOTP (2FA)", TOTP_HINT, stored, "acc-totp")
        self.clear = ui.checkbox("Hapus kunci TOTP", value=False).mark("acc-totp-clear") if stored else None

    def wanted(self) -> str | None:
        """The secret to store, "" to clear it, None to keep what is stored."""
        if self.clear is not None and self.clear.value:
            return ""
        return self.secret.value or None


def with_totp(
    save: Callable[[Session], object], secret: str | None, admin: SignedIn, ip: str | None
) -> Callable[[Session], object]:
    """The account's save and its TOTP secret's, in one transaction (a bad secret saves nothing)."""
    if secret is None:
        return save

    def work(session: Session) -> object:
        clean_totp_secret(secret)  # refused before the account is written
        account = save(session)
        assert isinstance(account, ChatGPTAccount)
        store_totp_secret(session=session, account=account, actor=admin.actor, secret=secret, ip=ip)
        return account

    return work


def account_saver(
    admin: SignedIn, existing: AccountCard | None, fields: dict[str, Any], ip: str | None
) -> Callable[[Session], object]:
    if existing:
        return lambda s: update_account(session=s, actor=admin.actor, account_id=existing.id, ip=ip, **fields)
    return lambda s: add_account(session=s, actor=admin.actor, ip=ip, **fields)


def missing(fields: dict[str, Any], existing: AccountCard | None) -> str:
    """What an automated workspace still lacks, in words ("" when nothing)."""
    if fields["driver"] != Driver.CHATGPT:
        return ""
    if not fields["workspace_id"]:
        return "Isi ID workspace (chatgpt-account-id) untuk workspace otomatis"
    if not fields.get("access_token") and not (existing and existing.access_token_set):
        return "Tempel access token untuk workspace otomatis"
    return ""


def account_dialog(admin: SignedIn, on_done: Done, existing: AccountCard | None = None) -> None:
    """Add (existing=None) or edit an account."""
    with ui.dialog() as dialog, ui.card().classes("w-full max-w-lg"):
        ui.label("Ubah akun" if existing else "Tambah akun").classes("text-lg font-bold")
        email = ui.input("E-mail akun", value=existing.email if existing else "").classes("w-full").mark("acc-email")
        password = (
            ui.input(
                "Kata sandi" + (" (kosongkan jika tidak diubah)" if existing else ""),
                password=True,
                password_toggle_button=True,
            )
            .classes("w-full")
            .mark("acc-password")
        )
        pool = ui.input("Pool", value=existing.pool if existing else "default").classes("w-full")
        delivery = (
            ui.select(DELIVERY_CHOICES, value=existing.delivery if existing else Delivery.CREDENTIALS.value)
            .props('label="Cara pelanggan masuk"')
            .classes("w-full")
            .mark("acc-delivery")
        )
        seats = (  # text, read by the domain: 2.5 or 10.000 is refused, not cut to 2 or 10
            ui.input(
                "Maks. kursi (kosong = 1 pelanggan)",
                value=str(existing.max_seats) if existing and existing.max_seats is not None else "",
            )
            .props("inputmode=numeric")
            .classes("w-full")
            .mark("acc-seats")
        )
        note = (
            ui.input("Catatan (hanya untuk admin)", value=existing.note if existing else "")
            .props(f'hint="{NOTE_HINT}"')
            .classes("w-full")
            .mark("acc-note")
        )
        with ui.column().classes("w-full gap-2") as credentials_part:
            totp = TotpField(bool(existing and existing.totp_set))
        with ui.column().classes("w-full gap-2") as workspace_part:
            display_name = (
                ui.input("Nama workspace untuk pelanggan", value=existing.display_name if existing else "")
                .props(f'hint="{DISPLAY_HINT}" maxlength=120')
                .classes("w-full")
                .mark("acc-display-name")
            )
            driver = (
                ui.select(DRIVER_CHOICES, value=existing.driver if existing else Driver.MANUAL.value)
                .props('label="Siapa yang mengundang dan mengeluarkan"')
                .classes("w-full")
                .mark("acc-driver")
            )
            with ui.column().classes("w-full gap-2") as automated_part:
                workspace_id = (
                    ui.input("ID workspace", value=existing.workspace_id if existing else "")
                    .props('hint="Header chatgpt-account-id di ChatGPT"')
                    .classes("w-full")
                    .mark("acc-workspace-id")
                )
                access = SecretField(
                    "Access token",
                    "accessToken dari chatgpt.com/api/auth/session",
                    bool(existing and existing.access_token_set),
                    "acc-access-token",
                )
                session_token = SecretField(
                    "Session token",
                    "Cookie __Secure-next-auth.session-token (untuk memperbarui access token otomatis)",
                    bool(existing and existing.session_token_set),
                    "acc-session-token",
                )
                allow = (
                    ui.textarea(
                        "Daftar izin (satu e-mail per baris)",
                        value="\n".join(existing.allow_list) if existing else "",
                    )
                    .props(f'rows=3 hint="{ALLOW_HINT}"')
                    .classes("w-full")
                    .mark("acc-allow-list")
                )

        subscription = SubscriptionFields(existing)

        def show_parts() -> None:
            workspace_part.set_visibility(delivery.value == Delivery.INVITE)
            credentials_part.set_visibility(delivery.value == Delivery.CREDENTIALS)
            automated_part.set_visibility(delivery.value == Delivery.INVITE and driver.value == Driver.CHATGPT)
            subscription.show(synced=delivery.value == Delivery.INVITE and driver.value == Driver.CHATGPT)

        delivery.on_value_change(show_parts)
        driver.on_value_change(show_parts)
        show_parts()

        async def save() -> None:
            invite = delivery.value == Delivery.INVITE
            fields: dict[str, Any] = {
                "email": email.value,
                "pool": pool.value,
                "delivery": delivery.value,
                "note": note.value,
                "max_seats": (seats.value or "").strip() or None,
                "driver": driver.value if invite else Driver.MANUAL.value,
                "workspace_id": (workspace_id.value or "").strip(),
                "allow_list": allow.value or "",
                **subscription.fields(),
            }
            if invite:
                fields["display_name"] = display_name.value or ""
            if password.value or not existing:
                fields["password"] = password.value or ""
            for name, secret in (("access_token", access), ("session_token", session_token)):
                if secret.value and fields["driver"] == Driver.CHATGPT:
                    fields[name] = secret.value
            lacking = missing(fields, existing)
            if lacking:
                ui.notify(lacking, type="warning")
                return
            ip = client_ip()
            totp_secret = totp.wanted() if delivery.value == Delivery.CREDENTIALS else None
            saver = with_totp(account_saver(admin, existing, fields, ip), totp_secret, admin, ip)
            served = await attempt(serving(saver, str(pool.value)))
            if not isinstance(served, Refused):
                ui.notify(_saved(existing, served), type="positive")
                dialog.close()
                await on_done()

        with ui.row().classes("w-full justify-end"):
            ui.button("Batal", on_click=dialog.close).props("flat")
            ui.button("Simpan", on_click=save).mark("acc-save")
    dialog.open()
