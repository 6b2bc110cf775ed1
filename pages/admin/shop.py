"""The shop's settings (/admin/shop): name, logo, tagline, support contact, payment window, low-pool threshold,
reminder days, announcement banner, terms and privacy. An owner edits them; any other admin reads them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nicegui import events, ui
from sqlmodel import Session

from domain.admin.shop_settings import LOGO_MAX_BYTES, check_setting, logo_data_url, save_shop_settings
from domain.shared.errors import ValidationFailed
from domain.shared.shop_settings import ShopConfig, env_defaults, read_shop_config
from infra import db
from pages.admin.error_words import error_text
from pages.admin.frame import Refused, SignedIn, attempt, client_ip
from pages.admin.words import admin_lang, say

READ_ONLY = "Hanya pemilik (owner) yang bisa mengubah pengaturan toko. Anda dapat melihatnya saja."
READ_ONLY_EN = "Only the owner can change the shop settings. You can only view them."
SAVED = "Pengaturan toko disimpan"
FIELD = "w-full"


def logo_header() -> str:
    """The uploader's header (its own is an unnamed icon button: words instead), in the admin's language."""
    pick = say("Pilih gambar logo", "Choose a logo image")
    kinds = say(
        f"PNG, JPEG, WebP atau GIF; paling besar {LOGO_MAX_BYTES // 1000} KB",
        f"PNG, JPEG, WebP or GIF; {LOGO_MAX_BYTES // 1000} KB at most",
    )
    return (
        '<div class="flex items-center gap-2 q-pa-sm">'
        f'<q-btn v-if="props.canAddFiles" icon="image" label="{pick}" no-caps flat dense '
        'class="min-h-[44px]" @click="props.pickFiles"><q-uploader-add-trigger /></q-btn>'
        '<q-spinner v-if="props.isUploading" size="sm" />'
        f'<span class="text-sm">{kinds}</span></div>'
    )


LOGO_HEADER = logo_header()  # (in Indonesian; the page draws `logo_header()`)


@dataclass(frozen=True)
class ShopView:
    config: ShopConfig  # what the shop uses now
    defaults: ShopConfig  # what .env gives when a setting is not saved


def load_view() -> ShopView:
    with db.read_session() as session:
        return ShopView(read_shop_config(session=session), env_defaults())


def _days_text(days: tuple[int, int]) -> str:
    return f"{days[0]},{days[1]}"


ROWS: tuple[tuple[str, str], ...] = (
    ("shop_name", "Nama toko"),
    ("tagline", "Slogan"),
    ("support_whatsapp", "WhatsApp bantuan"),
    ("support_email", "E-mail bantuan"),
    ("owner_whatsapp", "WhatsApp pemilik (notifikasi penjualan baru)"),
    ("payment_window_minutes", "Batas waktu bayar (menit)"),
    ("low_pool_threshold", "Peringatan stok menipis bila kursi kosong kurang dari"),
    ("reminder_days", "Pengingat e-mail (hari sebelum berakhir)"),
    ("banner", "Pengumuman"),
    ("renewal_grace_days", "Masa tenggang perpanjangan (hari setelah berakhir)"),
    ("account_reminder_days", "Pengingat langganan akun ChatGPT (hari sebelumnya)"),
)
ROWS_EN: dict[str, str] = {
    "shop_name": "Shop name",
    "tagline": "Tagline",
    "support_whatsapp": "Support WhatsApp",
    "support_email": "Support e-mail",
    "owner_whatsapp": "Owner's WhatsApp (new sale notices)",
    "payment_window_minutes": "Payment window (minutes)",
    "low_pool_threshold": "Low-stock warning when free seats fall below",
    "reminder_days": "E-mail reminders (days before the end)",
    "banner": "Announcement",
    "renewal_grace_days": "Renewal grace period (days after the end)",
    "account_reminder_days": "ChatGPT account subscription reminder (days before)",
}


def refusal(exc: ValidationFailed) -> str:
    """A refused setting (the domain words it in Indonesian): as raised, or in English after the switch."""
    return error_text(exc) if admin_lang() == "en" else exc.message


def hint(id_text: str, en_text: str) -> str:
    """A field's hint prop in the admin's language."""
    return f'hint="{say(id_text, en_text)}"'


def read_only_ui(config: ShopConfig) -> None:
    """The settings for an admin who is not an owner: shown, not editable."""
    ui.label(say(READ_ONLY, READ_ONLY_EN)).classes("text-amber-800").mark("shop-read-only")
    shown: dict[str, Any] = {
        "shop_name": config.shop_name,
        "tagline": config.tagline or say("(bawaan)", "(default)"),
        "support_whatsapp": config.support_whatsapp or "-",
        "support_email": config.support_email or "-",
        "owner_whatsapp": config.owner_whatsapp or "-",
        "payment_window_minutes": config.payment_window_minutes,
        "low_pool_threshold": config.low_pool_threshold,
        "reminder_days": _days_text(config.reminder_days),
        "banner": config.banner or say("(mati)", "(off)"),
        "renewal_grace_days": config.renewal_grace_days,
        "account_reminder_days": config.account_reminder_days,
    }
    with ui.card().classes("w-full max-w-2xl").props("flat bordered"):
        for key, label in ROWS:
            with ui.column().classes("gap-0 w-full"):
                ui.label(say(label, ROWS_EN[key])).classes("text-sm text-slate-600")
                ui.label(str(shown[key])).classes("break-words w-full").mark(f"shop-show-{key}")


class ShopForm:
    """The owner's form: every field read at once and saved in one action (one refused value saves nothing)."""

    def __init__(self, admin: SignedIn, view: ShopView) -> None:
        self.admin = admin
        config, defaults = view.config, view.defaults
        with ui.card().classes("w-full max-w-2xl gap-3").props("flat bordered"):
            ui.label(say("Identitas toko", "Shop identity")).classes("text-lg font-bold")
            self.shop_name = (
                ui.input(say("Nama toko", "Shop name"), value=config.shop_name).classes(FIELD).mark("shop-name")
            )
            self.tagline = (
                ui.input(say("Slogan", "Tagline"), value=config.tagline)
                .props(hint("Kosong: slogan bawaan toko.", "Empty: the shop's default tagline."))
                .classes(FIELD)
                .mark("shop-tagline")
            )
            self.logo = (
                ui.input(say("Logo (alamat https://)", "Logo (https:// address)"), value=config.logo)
                .props(hint("Atau unggah gambar di bawah.", "Or upload an image below."))
                .classes(FIELD)
                .mark("shop-logo")
            )
            with ui.row().classes("items-center gap-3 w-full"):
                self.preview = ui.image(config.logo or "").classes("w-16 h-16 object-contain").mark("shop-logo-preview")
                self.preview.set_visibility(bool(config.logo))
                ui.upload(
                    label=say(
                        f"Unggah logo (PNG, JPEG, WebP, GIF; maks. {LOGO_MAX_BYTES // 1000} KB)",
                        f"Upload a logo (PNG, JPEG, WebP, GIF; max. {LOGO_MAX_BYTES // 1000} KB)",
                    ),
                    auto_upload=True,
                    max_file_size=LOGO_MAX_BYTES,
                    on_upload=self.uploaded,
                ).props("accept=image/png,image/jpeg,image/webp,image/gif flat bordered").classes(
                    "flex-1 min-w-0"
                ).add_slot("header", logo_header())
                ui.button(say("Hapus logo", "Remove logo"), on_click=self.clear_logo).props("flat no-caps").classes(
                    "min-h-[44px]"
                )
            self.logo.on_value_change(self.show_logo)

            ui.label(say("Kontak bantuan", "Support contact")).classes("text-lg font-bold mt-2")
            self.whatsapp = (
                ui.input(say("WhatsApp bantuan", "Support WhatsApp"), value=config.support_whatsapp)
                .props("inputmode=tel " + hint("Nomor HP: 08… atau +62…", "Mobile number: 08… or +62…"))
                .classes(FIELD)
                .mark("shop-whatsapp")
            )
            self.email = (
                ui.input(say("E-mail bantuan", "Support e-mail"), value=config.support_email)
                .props("type=email")
                .classes(FIELD)
                .mark("shop-email")
            )
            self.owner_whatsapp = (
                ui.input(
                    say("WhatsApp pemilik (notifikasi penjualan baru)", "Owner's WhatsApp (new sale notices)"),
                    value=config.owner_whatsapp,
                )
                .props(
                    "inputmode=tel "
                    + hint(
                        "Setiap penjualan baru dikabarkan ke nomor ini lewat WhatsApp. Kosong: tidak.",
                        "Every new sale is announced to this number on WhatsApp. Empty: none.",
                    )
                )
                .classes(FIELD)
                .mark("shop-owner-whatsapp")
            )

            ui.label(say("Penjualan", "Sales")).classes("text-lg font-bold mt-2")
            self.window = (
                ui.input(
                    say("Batas waktu bayar (menit)", "Payment window (minutes)"),
                    value=str(config.payment_window_minutes),
                )
                .props(
                    "inputmode=numeric "
                    + hint(
                        f"Bawaan {defaults.payment_window_minutes} menit.",
                        f"Default {defaults.payment_window_minutes} minutes.",
                    )
                )
                .classes(FIELD)
                .mark("shop-window")
            )
            self.threshold = (
                ui.input(
                    say("Batas stok menipis (kursi)", "Low-stock threshold (seats)"),
                    value=str(config.low_pool_threshold),
                )
                .props(
                    "inputmode=numeric "
                    + hint(
                        f"Peringatan bila kursi kosong kurang dari ini (bawaan {defaults.low_pool_threshold}).",
                        f"A warning when free seats fall below this (default {defaults.low_pool_threshold}).",
                    )
                )
                .classes(FIELD)
                .mark("shop-threshold")
            )
            self.reminders = (
                ui.input(say("Hari pengingat", "Reminder days"), value=_days_text(config.reminder_days))
                .props(
                    hint(
                        "Dua angka, mis. 3,1: e-mail 3 hari dan 1 hari sebelum masa aktif berakhir.",
                        "Two numbers, e.g. 3,1: an e-mail 3 days and 1 day before the seat ends.",
                    )
                )
                .classes(FIELD)
                .mark("shop-reminders")
            )
            self.grace = (
                ui.input(
                    say("Masa tenggang perpanjangan (hari)", "Renewal grace period (days)"),
                    value=str(config.renewal_grace_days),
                )
                .props(
                    "inputmode=numeric "
                    + hint(
                        "Pelanggan masih bisa memperpanjang kursinya sekian hari setelah berakhir "
                        f"(bawaan {defaults.renewal_grace_days}).",
                        "A customer can still renew their seat this many days after it ended "
                        f"(default {defaults.renewal_grace_days}).",
                    )
                )
                .classes(FIELD)
                .mark("shop-renewal-grace")
            )
            self.account_reminder = (
                ui.input(
                    say("Pengingat langganan akun (hari)", "Account subscription reminder (days)"),
                    value=str(config.account_reminder_days),
                )
                .props(
                    "inputmode=numeric "
                    + hint(
                        "Anda diingatkan sekian hari sebelum langganan ChatGPT sebuah akun diperpanjang "
                        f"(bawaan {defaults.account_reminder_days}).",
                        "You are reminded this many days before an account's ChatGPT subscription renews "
                        f"(default {defaults.account_reminder_days}).",
                    )
                )
                .classes(FIELD)
                .mark("shop-account-reminder")
            )

            ui.label(say("Pengumuman di toko", "Announcement in the shop")).classes("text-lg font-bold mt-2")
            self.banner_on = ui.switch(
                say("Tampilkan pengumuman", "Show the announcement"), value=config.banner_on
            ).mark("shop-banner-on")
            self.banner_text = (
                ui.textarea(say("Teks pengumuman", "Announcement text"), value=config.banner_text)
                .props("rows=2 autogrow")
                .classes(FIELD)
                .mark("shop-banner-text")
            )

            ui.label(say("Halaman hukum", "Legal pages")).classes("text-lg font-bold mt-2")
            ui.label(
                say(
                    "Kosong: teks bawaan dari berkas content/ dipakai. Boleh memakai Markdown.",
                    "Empty: the default text from the content/ files is used. Markdown is allowed.",
                )
            ).classes("text-sm text-slate-600")
            self.terms = (
                ui.textarea(say("Syarat & ketentuan", "Terms & conditions"), value=config.terms_text)
                .props("rows=6")
                .classes(FIELD)
                .mark("shop-terms")
            )
            self.privacy = (
                ui.textarea(say("Kebijakan privasi", "Privacy policy"), value=config.privacy_text)
                .props("rows=6")
                .classes(FIELD)
                .mark("shop-privacy")
            )
            ui.label(say("Penjelasan akun bersama", "About shared accounts")).classes("text-lg font-bold mt-2")
            ui.label(
                say(
                    "Tampil di beranda: berapa orang per akun, apakah chat pribadi. Kosong: teks bawaan (ID/EN).",
                    "Shown on the home page: how many people per account, whether chats are private. "
                    "Empty: the default text (ID/EN).",
                )
            ).classes("text-sm text-slate-600")
            self.shared = (
                ui.textarea(say("Penjelasan akun bersama", "About shared accounts"), value=config.shared_text)
                .props("rows=3 autogrow")
                .classes(FIELD)
                .mark("shop-shared-text")
            )
            self.error = ui.label("").classes("text-negative text-sm").mark("shop-error")
            self.error.set_visibility(False)
            with ui.row().classes("w-full justify-end"):
                ui.button(say("Simpan pengaturan", "Save settings"), icon="save", on_click=self.save).classes(
                    "min-h-[44px]"
                ).mark("shop-save")

    def show_logo(self) -> None:
        logo = (self.logo.value or "").strip()
        self.preview.set_source(logo)
        self.preview.set_visibility(bool(logo))

    def clear_logo(self) -> None:
        self.logo.set_value("")

    async def uploaded(self, event: events.UploadEventArguments) -> None:
        try:
            self.logo.set_value(logo_data_url(await event.file.read()))
        except ValidationFailed as exc:
            ui.notify(refusal(exc), type="negative")

    def changes(self) -> dict[str, Any]:
        return {
            "shop_name": self.shop_name.value or "",
            "tagline": self.tagline.value or "",
            "logo": self.logo.value or "",
            "support_whatsapp": self.whatsapp.value or "",
            "support_email": self.email.value or "",
            "payment_window_minutes": self.window.value or "",
            "low_pool_threshold": self.threshold.value or "",
            "reminder_days": self.reminders.value or "",
            "banner_on": bool(self.banner_on.value),
            "banner_text": self.banner_text.value or "",
            "terms_text": self.terms.value or "",
            "privacy_text": self.privacy.value or "",
            "owner_whatsapp": self.owner_whatsapp.value or "",
            "renewal_grace_days": self.grace.value or "",
            "account_reminder_days": self.account_reminder.value or "",
            "shared_text": self.shared.value or "",
        }

    async def save(self) -> None:
        changes, ip, admin_id = self.changes(), client_ip(), self.admin.id

        def work(session: Session) -> ShopConfig:
            return save_shop_settings(session=session, admin_id=admin_id, changes=changes, ip=ip)

        try:  # each value checked here first, so the reason stays on the page (the save checks them again)
            for key, value in changes.items():
                check_setting(key, value)
        except ValidationFailed as exc:
            self.error.text = refusal(exc)
            self.error.set_visibility(True)
            ui.notify(self.error.text, type="negative")
            return
        self.error.set_visibility(False)
        saved = await attempt(work, owner_only=True)
        if isinstance(saved, Refused):
            return
        self.whatsapp.set_value(saved.support_whatsapp)  # as stored (+62…)
        self.email.set_value(saved.support_email)
        self.owner_whatsapp.set_value(saved.owner_whatsapp)
        ui.notify(say(SAVED, "Shop settings saved"), type="positive")


def shop_ui(admin: SignedIn, view: ShopView) -> None:
    ui.label(
        say(
            "Nama, logo, kontak bantuan dan aturan penjualan toko Anda.",
            "Your shop's name, logo, support contact and sales rules.",
        )
    ).classes("text-slate-600")
    if admin.role != "owner":
        read_only_ui(view.config)
        return
    ShopForm(admin, view)
