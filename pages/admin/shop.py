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
from pages.admin.frame import Refused, SignedIn, attempt, client_ip

READ_ONLY = "Hanya pemilik (owner) yang bisa mengubah pengaturan toko. Anda dapat melihatnya saja."
SAVED = "Pengaturan toko disimpan"
FIELD = "w-full"


LOGO_HEADER = (  # the uploader's own header is an unnamed icon button: words instead
    '<div class="flex items-center gap-2 q-pa-sm">'
    '<q-btn v-if="props.canAddFiles" icon="image" label="Pilih gambar logo" no-caps flat dense '
    'class="min-h-[44px]" @click="props.pickFiles"><q-uploader-add-trigger /></q-btn>'
    '<q-spinner v-if="props.isUploading" size="sm" />'
    f'<span class="text-sm">PNG, JPEG, WebP atau GIF; paling besar {LOGO_MAX_BYTES // 1000} KB</span></div>'
)


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


def read_only_ui(config: ShopConfig) -> None:
    """The settings for an admin who is not an owner: shown, not editable."""
    ui.label(READ_ONLY).classes("text-amber-800").mark("shop-read-only")
    shown: dict[str, Any] = {
        "shop_name": config.shop_name,
        "tagline": config.tagline or "(bawaan)",
        "support_whatsapp": config.support_whatsapp or "-",
        "support_email": config.support_email or "-",
        "owner_whatsapp": config.owner_whatsapp or "-",
        "payment_window_minutes": config.payment_window_minutes,
        "low_pool_threshold": config.low_pool_threshold,
        "reminder_days": _days_text(config.reminder_days),
        "banner": config.banner or "(mati)",
        "renewal_grace_days": config.renewal_grace_days,
        "account_reminder_days": config.account_reminder_days,
    }
    with ui.card().classes("w-full max-w-2xl").props("flat bordered"):
        for key, label in ROWS:
            with ui.column().classes("gap-0 w-full"):
                ui.label(label).classes("text-sm text-slate-600")
                ui.label(str(shown[key])).classes("break-words w-full").mark(f"shop-show-{key}")


class ShopForm:
    """The owner's form: every field read at once and saved in one action (one refused value saves nothing)."""

    def __init__(self, admin: SignedIn, view: ShopView) -> None:
        self.admin = admin
        config, defaults = view.config, view.defaults
        with ui.card().classes("w-full max-w-2xl gap-3").props("flat bordered"):
            ui.label("Identitas toko").classes("text-lg font-bold")
            self.shop_name = ui.input("Nama toko", value=config.shop_name).classes(FIELD).mark("shop-name")
            self.tagline = (
                ui.input("Slogan", value=config.tagline)
                .props('hint="Kosong: slogan bawaan toko."')
                .classes(FIELD)
                .mark("shop-tagline")
            )
            self.logo = (
                ui.input("Logo (alamat https://)", value=config.logo)
                .props('hint="Atau unggah gambar di bawah."')
                .classes(FIELD)
                .mark("shop-logo")
            )
            with ui.row().classes("items-center gap-3 w-full"):
                self.preview = ui.image(config.logo or "").classes("w-16 h-16 object-contain").mark("shop-logo-preview")
                self.preview.set_visibility(bool(config.logo))
                ui.upload(
                    label=f"Unggah logo (PNG, JPEG, WebP, GIF; maks. {LOGO_MAX_BYTES // 1000} KB)",
                    auto_upload=True,
                    max_file_size=LOGO_MAX_BYTES,
                    on_upload=self.uploaded,
                ).props("accept=image/png,image/jpeg,image/webp,image/gif flat bordered").classes(
                    "flex-1 min-w-0"
                ).add_slot("header", LOGO_HEADER)
                ui.button("Hapus logo", on_click=self.clear_logo).props("flat no-caps").classes("min-h-[44px]")
            self.logo.on_value_change(self.show_logo)

            ui.label("Kontak bantuan").classes("text-lg font-bold mt-2")
            self.whatsapp = (
                ui.input("WhatsApp bantuan", value=config.support_whatsapp)
                .props('inputmode=tel hint="Nomor HP: 08… atau +62…"')
                .classes(FIELD)
                .mark("shop-whatsapp")
            )
            self.email = (
                ui.input("E-mail bantuan", value=config.support_email)
                .props("type=email")
                .classes(FIELD)
                .mark("shop-email")
            )
            self.owner_whatsapp = (
                ui.input("WhatsApp pemilik (notifikasi penjualan baru)", value=config.owner_whatsapp)
                .props(
                    'inputmode=tel hint="Setiap penjualan baru dikabarkan ke nomor ini lewat WhatsApp. Kosong: tidak."'
                )
                .classes(FIELD)
                .mark("shop-owner-whatsapp")
            )

            ui.label("Penjualan").classes("text-lg font-bold mt-2")
            self.window = (
                ui.input("Batas waktu bayar (menit)", value=str(config.payment_window_minutes))
                .props(f'inputmode=numeric hint="Bawaan {defaults.payment_window_minutes} menit."')
                .classes(FIELD)
                .mark("shop-window")
            )
            self.threshold = (
                ui.input("Batas stok menipis (kursi)", value=str(config.low_pool_threshold))
                .props(
                    "inputmode=numeric "
                    f'hint="Peringatan bila kursi kosong kurang dari ini (bawaan {defaults.low_pool_threshold})."'
                )
                .classes(FIELD)
                .mark("shop-threshold")
            )
            self.reminders = (
                ui.input("Hari pengingat", value=_days_text(config.reminder_days))
                .props('hint="Dua angka, mis. 3,1: e-mail 3 hari dan 1 hari sebelum masa aktif berakhir."')
                .classes(FIELD)
                .mark("shop-reminders")
            )
            self.grace = (
                ui.input("Masa tenggang perpanjangan (hari)", value=str(config.renewal_grace_days))
                .props(
                    "inputmode=numeric "
                    f'hint="Pelanggan masih bisa memperpanjang kursinya sekian hari setelah berakhir '
                    f'(bawaan {defaults.renewal_grace_days})."'
                )
                .classes(FIELD)
                .mark("shop-renewal-grace")
            )
            self.account_reminder = (
                ui.input("Pengingat langganan akun (hari)", value=str(config.account_reminder_days))
                .props(
                    "inputmode=numeric "
                    'hint="Anda diingatkan sekian hari sebelum langganan ChatGPT sebuah akun diperpanjang '
                    f'(bawaan {defaults.account_reminder_days})."'
                )
                .classes(FIELD)
                .mark("shop-account-reminder")
            )

            ui.label("Pengumuman di toko").classes("text-lg font-bold mt-2")
            self.banner_on = ui.switch("Tampilkan pengumuman", value=config.banner_on).mark("shop-banner-on")
            self.banner_text = (
                ui.textarea("Teks pengumuman", value=config.banner_text)
                .props("rows=2 autogrow")
                .classes(FIELD)
                .mark("shop-banner-text")
            )

            ui.label("Halaman hukum").classes("text-lg font-bold mt-2")
            ui.label("Kosong: teks bawaan dari berkas content/ dipakai. Boleh memakai Markdown.").classes(
                "text-sm text-slate-600"
            )
            self.terms = (
                ui.textarea("Syarat & ketentuan", value=config.terms_text)
                .props("rows=6")
                .classes(FIELD)
                .mark("shop-terms")
            )
            self.privacy = (
                ui.textarea("Kebijakan privasi", value=config.privacy_text)
                .props("rows=6")
                .classes(FIELD)
                .mark("shop-privacy")
            )
            ui.label("Penjelasan akun bersama").classes("text-lg font-bold mt-2")
            ui.label(
                "Tampil di beranda: berapa orang per akun, apakah chat pribadi. Kosong: teks bawaan (ID/EN)."
            ).classes("text-sm text-slate-600")
            self.shared = (
                ui.textarea("Penjelasan akun bersama", value=config.shared_text)
                .props("rows=3 autogrow")
                .classes(FIELD)
                .mark("shop-shared-text")
            )
            self.error = ui.label("").classes("text-negative text-sm").mark("shop-error")
            self.error.set_visibility(False)
            with ui.row().classes("w-full justify-end"):
                ui.button("Simpan pengaturan", icon="save", on_click=self.save).classes("min-h-[44px]").mark(
                    "shop-save"
                )

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
            ui.notify(exc.message, type="negative")

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
            self.error.text = exc.message
            self.error.set_visibility(True)
            ui.notify(exc.message, type="negative")
            return
        self.error.set_visibility(False)
        saved = await attempt(work, owner_only=True)
        if isinstance(saved, Refused):
            return
        self.whatsapp.set_value(saved.support_whatsapp)  # as stored (+62…)
        self.email.set_value(saved.support_email)
        self.owner_whatsapp.set_value(saved.owner_whatsapp)
        ui.notify(SAVED, type="positive")


def shop_ui(admin: SignedIn, view: ShopView) -> None:
    ui.label("Nama, logo, kontak bantuan dan aturan penjualan toko Anda.").classes("text-slate-600")
    if admin.role != "owner":
        read_only_ui(view.config)
        return
    ShopForm(admin, view)
