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
from pages.admin.error_words import as_raised
from pages.admin.frame import Done, Refused, SignedIn, attempt, client_ip
from pages.admin.words import DRIVER_LABELS, admin_lang, say

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
DELIVERY_CHOICES_EN = {
    Delivery.CREDENTIALS.value: "Shared login (the password is sent to the customer)",
    Delivery.INVITE.value: "Workspace invitation (the customer's e-mail is invited)",
}
HINTS_EN = {
    ALLOW_HINT: "Workspace members you keep on purpose: not flagged, not removed",
    NOTE_HINT: "Never seen by customers",
    DISPLAY_HINT: "Shown on the customer's order page and e-mails; empty = ChatGPT Workspace",
    COST_HINT: "E.g. 75.000 or Rp 75.000 (for the cost report)",
    RENEWAL_HINT: "You are reminded {days} days before (change it in Shop)",
}


def hint_words(hint: str) -> str:
    """One of the form's hints in the admin's language."""
    return say(hint, HINTS_EN.get(hint, hint))


def delivery_choices() -> dict[str, str]:
    return DELIVERY_CHOICES_EN if admin_lang() == "en" else DELIVERY_CHOICES


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
            ui.input(
                say("Biaya langganan per bulan (Rp)", "Monthly subscription cost (Rp)"),
                value=format_idr(cost) if cost else "",
            )
            .props(f'inputmode=numeric hint="{hint_words(COST_HINT)}"')
            .classes("w-full")
            .mark("acc-monthly-cost")
        )
        self.parsed = ui.label("").classes("text-sm text-slate-600").mark("cost-parsed")
        self.cost.on_value_change(self.show_cost)
        self.show_cost()
        self.renewal = (
            day_picker(say("Tanggal perpanjangan langganan", "Subscription renewal date"), self.initial_day)
            .props(f'hint="{hint_words(RENEWAL_HINT).format(days=_reminder_days())}"')
            .classes("w-full")
            .mark("acc-renewal")
        )
        synced = when(existing.subscription_expires_at) if existing else ""
        self.synced = ui.label(
            say(
                f"Tanggal perpanjangan (dari sinkron workspace): {synced or 'belum diketahui'}",
                f"Renewal date (from the workspace sync): {synced or 'not known yet'}",
            )
        ).classes("text-sm text-slate-600")
        self.synced_mode = False

    def show_cost(self) -> None:
        """The cost as it will be saved, before saving (75.000 is seventy-five thousand, not 75)."""
        try:
            cost = parse_monthly_cost(self.cost.value)
        except ValidationFailed as exc:
            self.parsed.text = as_raised(exc)
            return
        if cost:
            self.parsed.text = say("Disimpan sebagai ", "Saved as ") + format_idr(cost)
        else:
            self.parsed.text = say("Biaya belum dicatat", "No cost recorded")

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
                    ui.label(f"{label}: " + say("tersimpan ••••", "stored ••••")).classes("text-sm").mark(
                        f"{mark}-saved"
                    )
                    ui.button(say("Ubah", "Change"), on_click=self.change).props("flat dense no-caps").classes(
                        "min-h-[44px]"
                    ).mark(f"{mark}-change")
            self.input = (
                ui.input(
                    label + (say(" baru (kosongkan agar tetap)", " new (leave empty to keep)") if stored else ""),
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
        return say("Akun disimpan", "Account saved")
    if served:
        return say(
            f"Akun ditambahkan; {served} pesanan yang menunggu dilayani",
            f"Account added; {served} waiting orders served",
        )
    return say("Akun ditambahkan", "Account added")


def serving(save: Callable[[Session], object], pool: str) -> Callable[[Session], int]:
    """`save`, answering how many orders waiting for stock in `pool` it served."""

    def work(session: Session) -> int:
        before = waiting_for_stock(session=session, pool=pool)
        save(session)
        return before - waiting_for_stock(session=session, pool=pool)

    return work


TOTP_HINT = "Kunci base32 dari pengaturan 2FA akun; pelanggan aktif melihat kode 6 angkanya"
HINTS_EN[TOTP_HINT] = "The base32 key from the account's 2FA settings; active customers see its 6-digit code"


class TotpField:
    """A shared login's TOTP secret: typed like a token (never shown again), and for a stored one a way to clear it."""

    def __init__(self, stored: bool) -> None:
        self.stored = stored
        self.secret = SecretField(say("Kunci TOTP (2FA)", "TOTP key (2FA)"), hint_words(TOTP_HINT), stored, "acc-totp")
        self.clear = (
            ui.checkbox(say("Hapus kunci TOTP", "Remove the TOTP key"), value=False).mark("acc-totp-clear")
            if stored
            else None
        )

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
        return say(
            "Isi ID workspace (chatgpt-account-id) untuk workspace otomatis",
            "Fill in the workspace ID (chatgpt-account-id) for an automated workspace",
        )
    if not fields.get("access_token") and not (existing and existing.access_token_set):
        return say("Tempel access token untuk workspace otomatis", "Paste the access token for an automated workspace")
    return ""


def account_dialog(admin: SignedIn, on_done: Done, existing: AccountCard | None = None) -> None:
    """Add (existing=None) or edit an account."""
    with ui.dialog() as dialog, ui.card().classes("w-full max-w-lg"):
        title = say("Ubah akun", "Edit account") if existing else say("Tambah akun", "Add account")
        ui.label(title).classes("text-lg font-bold")
        email = (
            ui.input(say("E-mail akun", "Account e-mail"), value=existing.email if existing else "")
            .classes("w-full")
            .mark("acc-email")
        )
        password = (
            ui.input(
                say("Kata sandi", "Password")
                + (say(" (kosongkan jika tidak diubah)", " (leave empty to keep it)") if existing else ""),
                password=True,
                password_toggle_button=True,
            )
            .classes("w-full")
            .mark("acc-password")
        )
        pool = ui.input("Pool", value=existing.pool if existing else "default").classes("w-full")
        delivery = (
            ui.select(delivery_choices(), value=existing.delivery if existing else Delivery.CREDENTIALS.value)
            .props(f'label="{say("Cara pelanggan masuk", "How customers get in")}"')
            .classes("w-full")
            .mark("acc-delivery")
        )
        seats = (  # text, read by the domain: 2.5 or 10.000 is refused, not cut to 2 or 10
            ui.input(
                say("Maks. kursi (kosong = 1 pelanggan)", "Max. seats (empty = 1 customer)"),
                value=str(existing.max_seats) if existing and existing.max_seats is not None else "",
            )
            .props("inputmode=numeric")
            .classes("w-full")
            .mark("acc-seats")
        )
        note = (
            ui.input(say("Catatan (hanya untuk admin)", "Note (admins only)"), value=existing.note if existing else "")
            .props(f'hint="{hint_words(NOTE_HINT)}"')
            .classes("w-full")
            .mark("acc-note")
        )
        with ui.column().classes("w-full gap-2") as credentials_part:
            totp = TotpField(bool(existing and existing.totp_set))
        with ui.column().classes("w-full gap-2") as workspace_part:
            display_name = (
                ui.input(
                    say("Nama workspace untuk pelanggan", "Workspace name for customers"),
                    value=existing.display_name if existing else "",
                )
                .props(f'hint="{hint_words(DISPLAY_HINT)}" maxlength=120')
                .classes("w-full")
                .mark("acc-display-name")
            )
            driver = (
                ui.select(
                    {d.value: DRIVER_LABELS[d] for d in Driver},
                    value=existing.driver if existing else Driver.MANUAL.value,
                )
                .props(f'label="{say("Siapa yang mengundang dan mengeluarkan", "Who invites and removes")}"')
                .classes("w-full")
                .mark("acc-driver")
            )
            with ui.column().classes("w-full gap-2") as automated_part:
                workspace_id = (
                    ui.input(say("ID workspace", "Workspace ID"), value=existing.workspace_id if existing else "")
                    .props(f'hint="{say("Header chatgpt-account-id di ChatGPT", "The chatgpt-account-id header")}"')
                    .classes("w-full")
                    .mark("acc-workspace-id")
                )
                access = SecretField(
                    "Access token",
                    say(
                        "accessToken dari chatgpt.com/api/auth/session", "accessToken from chatgpt.com/api/auth/session"
                    ),
                    bool(existing and existing.access_token_set),
                    "acc-access-token",
                )
                session_token = SecretField(
                    "Session token",
                    say(
                        "Cookie __Secure-next-auth.session-token (untuk memperbarui access token otomatis)",
                        "The __Secure-next-auth.session-token cookie (to renew the access token automatically)",
                    ),
                    bool(existing and existing.session_token_set),
                    "acc-session-token",
                )
                allow = (
                    ui.textarea(
                        say("Daftar izin (satu e-mail per baris)", "Allow-list (one e-mail per line)"),
                        value="\n".join(existing.allow_list) if existing else "",
                    )
                    .props(f'rows=3 hint="{hint_words(ALLOW_HINT)}"')
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
            ui.button(say("Batal", "Cancel"), on_click=dialog.close).props("flat")
            ui.button(say("Simpan", "Save"), on_click=save).mark("acc-save")
    dialog.open()
