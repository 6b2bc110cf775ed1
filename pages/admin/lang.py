"""The admin's language (Indonesian unless they switched; kept in their browser session), its switch in the
header, and the frame's words in English: navigation, page titles, table headings."""

from __future__ import annotations

from typing import TypeVar

from nicegui import app, ui

from domain.shared.i18n import language

T = TypeVar("T")
LANG_KEY = "admin_lang"  # app.storage.user: the admin's language ("id" unless they switched)


def admin_lang() -> str:
    """The language of the admin being served ("id" outside a page: a job, a test without a browser)."""
    try:
        return language(app.storage.user.get(LANG_KEY))
    except (RuntimeError, AssertionError, KeyError):
        return "id"


def set_admin_lang(lang: str) -> None:
    app.storage.user[LANG_KEY] = language(lang)


def say(id_text: str, en_text: str, lang: str | None = None) -> str:
    """One of two texts, by the admin's language."""
    return en_text if (lang or admin_lang()) == "en" else id_text


def by_lang(id_value: T, en_value: T, lang: str | None = None) -> T:
    """One of two values (a dict of words, say), by the admin's language."""
    return en_value if (lang or admin_lang()) == "en" else id_value


# --- the frame: navigation and page titles in English when the admin switched ---
NAV_EN: dict[str, str] = {
    "Ringkasan": "Overview",
    "Akun": "Accounts",
    "Penugasan": "Seats",
    "Pesanan": "Orders",
    "Webhook": "Webhooks",
    "Audit": "Audit",
    "Outbox e-mail": "E-mail outbox",
    "Paket": "Packages",
    "Admin": "Admins",
    "Keamanan": "Security",
    "Pelanggan": "Customers",
    "Laporan": "Reports",
    "Pengaturan toko": "Shop settings",
    "Toko": "Shop",
    "Promo": "Promos",
    "Cari": "Search",
}
TITLES_EN: dict[str, str] = {
    "Keamanan akun": "Account security",
    "Ringkasan": "Overview",
    "Akun ChatGPT": "ChatGPT accounts",
    "Penugasan kursi": "Seats",
    "Pesanan": "Orders",
    "Audit log": "Audit log",
    "Webhook pembayaran": "Payment webhooks",
    "Outbox e-mail": "E-mail outbox",
    "Paket": "Packages",
    "Admin": "Admins",
    "Pelanggan": "Customers",
    "Laporan": "Reports",
    "Pengaturan toko": "Shop settings",
    "Kode promo": "Promo codes",
    "Cari": "Search",
}


def nav_word(label: str, lang: str | None = None) -> str:
    return say(label, NAV_EN.get(label, label), lang)


def title_word(title: str, lang: str | None = None) -> str:
    """A page's title in the admin's language ("Pesanan AG-1" -> "Order AG-1"); one not listed stays as given."""
    if (lang or admin_lang()) != "en":
        return title
    if title.startswith("Pesanan ") and title not in TITLES_EN:
        return "Order " + title.removeprefix("Pesanan ")
    return TITLES_EN.get(title, title)


def language_switch() -> ui.button:
    """The admin's ID/EN switch (kept in the admin's browser session): the page is drawn again in the other."""
    other = "en" if admin_lang() == "id" else "id"

    def switch() -> None:
        set_admin_lang(other)
        ui.navigate.reload()

    name = "English" if other == "en" else "Bahasa Indonesia"
    button = (
        ui.button(other.upper(), icon="translate", on_click=switch)  # short: the header fits a 390 px phone
        .props(f'flat dense no-caps color=white aria-label="{name}"')
        .classes("min-h-[44px] min-w-[44px]")
        .mark("admin-lang")
    )
    button.tooltip(name)
    return button


# the tables' column headings in English (ServerTable asks at drawing time; one not listed stays as written)
COLUMNS_EN: dict[str, str] = {
    "Akun": "Account",
    "Aktif": "Active",
    "Berakhir (WIB)": "Ends (WIB)",
    "Berlaku": "Valid",
    "Dibayar (WIB)": "Paid (WIB)",
    "Dibuat (WIB)": "Created (WIB)",
    "Dijual": "On sale",
    "Dipakai": "Used",
    "Diskon diberikan": "Discount given",
    "Entitas": "Record",
    "Galat terakhir": "Last error",
    "Harga": "Price",
    "Hari": "Days",
    "Hasil": "Outcome",
    "Jenis": "Kind",
    "Jumlah": "Amount",
    "Kepada": "To",
    "Kesehatan": "Health",
    "Keterangan": "Detail",
    "Kode": "Code",
    "Kolom": "Field",
    "Kunci": "Key",
    "Kursi": "Seats",
    "Login terakhir": "Last sign-in",
    "Masalah terakhir": "Last problem",
    "Menunggu kabar": "Waiting list",
    "Metode bayar": "Payment method",
    "Min. beli": "Min. purchase",
    "Nama": "Name",
    "Nomor": "Number",
    "Paket": "Package",
    "Pelaku": "Who",
    "Pelanggan": "Customer",
    "Per pelanggan": "Per customer",
    "Peran": "Role",
    "Percobaan": "Attempts",
    "Perubahan": "Changes",
    "Pesanan": "Order",
    "Pesanan terakhir": "Last order",
    "Populer": "Popular",
    "Potongan": "Discount",
    "Sebelum": "Before",
    "Sesudah": "After",
    "Sinkron terakhir": "Last sync",
    "Sisa hari": "Days left",
    "Subjek": "Subject",
    "Tanda tangan": "Signature",
    "Telepon": "Phone",
    "Terkunci sampai": "Locked until",
    "Tindakan": "Action",
    "Total dibayar": "Total paid",
    "Undangan": "Invitation",
    "Urutan": "Sort order",
    "Waktu (WIB)": "Time (WIB)",
}


# a table row's buttons in English (RowAction asks at drawing time; one not listed stays as written)
ACTIONS_EN: dict[str, str] = {
    "Ubah": "Edit",
    "Nonaktifkan": "Deactivate",
    "Aktifkan": "Activate",
    "Reset sandi": "Reset password",
    "Perpanjang": "Extend",
    "Cabut": "Revoke",
    "Pindah akun": "Move account",
    "Sudah diundang": "Invited",
    "Sudah dikeluarkan": "Removed",
    "Tangguhkan": "Suspend",
    "Aktifkan lagi": "Reactivate",
    "Pensiunkan": "Retire",
    "Lihat kata sandi": "Show password",
    "Lihat penugasan akun ini": "Seats on this account",
    "Buka": "Open",
}


def action_label(label: str, lang: str | None = None) -> str:
    """A row button's words in the admin's language."""
    return say(label, ACTIONS_EN.get(label, label), lang)


def column_words(columns: list[dict], lang: str | None = None) -> list[dict]:
    """Table columns with their headings in the admin's language."""
    if (lang or admin_lang()) != "en":
        return columns
    return [c | {"label": COLUMNS_EN.get(c.get("label", ""), c.get("label", ""))} for c in columns]
