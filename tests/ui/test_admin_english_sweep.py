"""An admin who switched to English reads English on every admin page: form labels, buttons, placeholders, hints,
headings, dialogs and notices follow the switch (the data the shop holds, e-mails, codes and money stay as they are)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterable

import pytest
from nicegui import ui
from nicegui.element import Element
from nicegui.testing import User
from sqlmodel import select

from domain.admin.admins import create_admin
from domain.orders.orders import create_order, record_payment
from domain.shared.models import ChatGPTAccount, Order
from infra import db
from tests.ui.test_admin import EMAIL, PASSWORD, _login

# words of the admin's Indonesian that never occur in its English (whole words, as written on buttons and labels)
INDONESIAN = (
    "Simpan",
    "Batal",
    "Tambah",
    "Hapus",
    "Ubah",
    "Kirim",
    "Pilih",
    "Cari",
    "Tutup",
    "Kembali",
    "Tampilkan",
    "Unduh",
    "Perpanjang",
    "Cabut",
    "Pindahkan",
    "Tandai",
    "Terapkan",
    "Keluar",
    "Alasan",
    "Catatan",
    "Tanggal",
    "Pelanggan",
    "Pesanan",
    "Kursi",
    "kursi",
    "Akun",
    "akun",
    "Harga",
    "Kata sandi",
    "Nama",
    "Semua",
    "semua",
    "Belum",
    "belum",
    "Sudah",
    "sudah",
    "Tidak",
    "tidak",
    "bisa",
    "untuk",
    "dengan",
    "atau",
    "yang",
    "dari",
    "hari",
    "Hari",
    "bulan",
    "Bulan",
    "wajib",
    "Paket",
    "Toko",
    "toko",
    "Bantuan",
    "bantuan",
    "Pengaturan",
    "Pengumuman",
    "Keamanan",
    "Laporan",
    "Ringkasan",
    "Kosong",
    "kosong",
    "Masuk",
    "Aktif",
    "Ya",
    "Berhasil",
    "berhasil",
    "disimpan",
    "Berakhir",
    "berakhir",
    "Antrean",
    "Undangan",
    "undangan",
    "Kode",
    "Jumlah",
    "Lihat",
    "Buka",
    "Lainnya",
    "Sinkron",
    "Perangkat",
    "Metode",
    "Terima",
    "Gagal",
    "Terkirim",
    "Menunggu",
    "Dibuat",
    "Dibayar",
    "Diskon",
    "Biaya",
    "Pendapatan",
    "baru",
    "dulu",
    "sekarang",
    "Bunyi",
    "Perpanjangan",
    "Riwayat",
    "Pelaku",
    "Tindakan",
    "Kesehatan",
    "Sisa",
    "Periode",
)
WORDS = re.compile(r"(?<![\w@.-])(" + "|".join(re.escape(w) for w in INDONESIAN) + r")(?![\w@-])")
PAGES = (
    "/admin",
    "/admin/accounts",
    "/admin/accounts/{account}",
    "/admin/assignments",
    "/admin/orders",
    "/admin/orders/{order}",
    "/admin/customers",
    "/admin/customers/{email}",
    "/admin/reports",
    "/admin/webhooks",
    "/admin/audit",
    "/admin/outbox",
    "/admin/shop",
    "/admin/packages",
    "/admin/promos",
    "/admin/users",
    "/admin/security",
    "/admin/search?q=budi",
)
CUSTOMER = "budi@example.com"


@pytest.fixture
def owner(engine):
    return db.in_transaction(lambda s: create_admin(session=s, email=EMAIL, password=PASSWORD))


def _paid_order() -> Order:
    def work(s):
        order, _ = create_order(
            session=s, product_slug="paket-30-hari", email=CUSTOMER, name="Budi", phone="081234567890"
        )
        record_payment(session=s, order_id=order.id, amount_idr=order.amount_idr, actor="tripay")
        s.refresh(order)
        s.expunge(order)
        return order

    return db.in_transaction(work)


def _data() -> set[str]:
    """What the shop holds (package and account names, notes): data, shown as stored in either language."""
    from domain.shared.models import Product

    with db.read_session() as s:
        products = s.exec(select(Product)).all()
        notes = {a.note for a in s.exec(select(ChatGPTAccount)).all()}
    return {text for text in {p.name for p in products} | {p.description for p in products} | notes if text}


def _texts(element: Element) -> Iterable[str]:
    text = getattr(element, "text", None)
    if isinstance(text, str):
        yield text
    for prop in ("label", "placeholder", "hint", "title", "caption", "subtitle", "aria-label", "error-message"):
        value = element.props.get(prop)
        if isinstance(value, str):
            yield value
    options = getattr(element, "options", None)
    if isinstance(options, dict) and not isinstance(element, ui.echart):
        yield from (str(v) for v in options.values())
    elif isinstance(options, list):
        yield from (str(v) for v in options if isinstance(v, str))
    for slot in element.slots.values():
        if slot.template:
            yield re.sub(r"<[^>]*>", " ", slot.template)


def indonesian_on_page(user: User) -> list[str]:
    """Every text the page shows (labels, buttons, fields, choices, notices) still in Indonesian."""
    data = sorted(_data(), key=len, reverse=True)
    found = []
    for element in list(user.client.elements.values()):
        for text in _texts(element):
            said = text
            for stored in data:
                said = said.replace(stored, " ")
            if WORDS.search(said):
                found.append(f"{type(element).__name__}: {text.strip()}")
    for message in user.notify.messages:
        if WORDS.search(message):
            found.append(f"notice: {message}")
    return found


async def _settled(user: User) -> None:
    """The page drawn to its end (most pages read in a thread, then draw)."""
    await user.should_see(marker="logout")
    count, still = -1, 0
    for _ in range(60):
        now = len(user.client.elements)
        still = still + 1 if now == count else 0
        if still >= 4:
            return
        count = now
        await asyncio.sleep(0.05)


async def _english(user: User) -> None:
    await _login(user)
    await user.open("/admin")
    user.find("admin-lang").click()  # the header's switch: English from the next page on
    await user.open("/admin")
    await user.should_see("Overview")


async def test_every_admin_page_reads_in_english_after_the_switch(user: User, owner) -> None:
    order = _paid_order()
    with db.read_session() as s:
        account = s.exec(select(ChatGPTAccount.id)).first()
    await _english(user)
    left: dict[str, list[str]] = {}
    for page in PAGES:
        path = page.format(account=account, order=order.code, email=CUSTOMER)
        user.notify.messages.clear()
        await user.open(path)
        await _settled(user)
        found = indonesian_on_page(user)
        if found:
            left[path] = found
    assert not left, "\n".join(f"{path}:\n  " + "\n  ".join(found) for path, found in left.items())


async def test_dialogs_and_notices_read_in_english(user: User, owner) -> None:
    order = _paid_order()
    await _english(user)
    left: dict[str, list[str]] = {}

    async def check(where: str) -> None:
        await asyncio.sleep(0.1)
        found = indonesian_on_page(user)
        if found:
            left[where] = found

    await user.open("/admin/assignments")  # a row's extend and revoke dialogs
    await user.should_see(marker="assignments-table")
    table = user.find("assignments-table")
    row = next(iter(table.elements)).rows[0]
    table.trigger("extend", row)
    await user.should_see(marker="extend-save")
    await check("extend dialog")
    await user.open("/admin/assignments")
    await user.should_see(marker="assignments-table")
    table = user.find("assignments-table")
    table.trigger("revoke", next(iter(table.elements)).rows[0])
    await user.should_see(marker="revoke-save")
    user.find("revoke-save").click()  # without the confirmation box: refused, in English
    await user.should_see("Tick the confirmation first")
    await check("revoke dialog")

    await user.open("/admin/accounts")  # the add-account form and the CSV import
    await user.should_see(marker="acc-add")
    user.find("acc-add").click()
    await user.should_see(marker="acc-save")
    await check("account form")
    await user.open("/admin/accounts")
    await user.should_see(marker="acc-add")
    user.find("csv-import-open").click()
    await user.should_see(marker="csv-upload")
    await check("csv import")

    await user.open(f"/admin/orders/{order.code}")  # an order's refund dialog
    await user.should_see(marker="refund")
    user.find("refund").click()
    await user.should_see(marker="action-save")
    await check("refund dialog")

    await user.open("/admin/packages")  # a new package and a new promo
    await user.should_see(marker="packages-table")
    user.find("product-new").click()
    await user.should_see(marker="product-save")
    await check("package form")
    await user.open("/admin/promos")
    await user.should_see(marker="promo-new")
    user.find("promo-new").click()
    await user.should_see(marker="promo-save")
    user.find("promo-save").click()  # nothing filled in: refused in English
    await check("promo form")

    await user.open("/admin/shop")  # a refused setting: said in English on the page and in the notice
    await user.should_see(marker="shop-save")
    user.find("shop-window").clear().type("abc")
    user.find("shop-save").click()
    await user.should_see(marker="shop-error")
    await check("shop settings")
    assert not left, "\n".join(f"{where}:\n  " + "\n  ".join(found) for where, found in left.items())


async def test_indonesian_stays_as_it_was_without_the_switch(user: User, owner) -> None:
    await _login(user)
    await user.open("/admin/shop")
    await user.should_see("Simpan pengaturan")
    await user.should_see("Identitas toko")
    await user.open("/admin/accounts")
    await user.should_see("Impor CSV")
