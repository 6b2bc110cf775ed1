"""The owner's Toko page (/admin/shop) through NiceGUI's simulated user, and the shop showing what was saved:
name, announcement, support contact, terms; a package that stops selling while its pool is empty."""

from __future__ import annotations

import asyncio

import pytest
import sqlalchemy as sa
from nicegui.testing import User
from sqlmodel import select

from domain.admin.admins import create_admin
from domain.catalog.products import update_product
from domain.shared.models import AuditLog, Product, ShopSetting
from domain.shared.shop_settings import SHOP_CONFIG
from infra import db
from infra.changes import CHANNEL, change_events
from infra.rows import table_of
from infra.types import utcnow
from tests.helpers import ADMIN, fingerprint, make_product
from tests.ui.test_open_admin_tabs import OWNER, STAFF, sign_in


@pytest.fixture
def admins(engine) -> None:
    def work(s) -> None:
        create_admin(session=s, email=OWNER[0], password=OWNER[1])
        create_admin(session=s, email=STAFF[0], password=STAFF[1], role="staff")

    db.in_transaction(work)


async def click_for_message(user: User, marker: str) -> str:
    """Click, then wait for the notification the click's handler ends with."""
    seen = len(user.notify.messages)
    user.find(marker).click()
    for _ in range(200):
        if len(user.notify.messages) > seen:
            return user.notify.messages[-1]
        await asyncio.sleep(0.02)
    raise AssertionError(f"no message after clicking {marker}")


def _element(user: User, marker: str):
    return next(iter(user.find(marker).elements))


def _settings() -> dict[str, object]:
    with db.read_session() as s:
        return {row.key: row.value for row in s.exec(select(ShopSetting))}


async def _open_form(user: User) -> None:
    await sign_in(user, OWNER)
    await user.open("/admin/shop")
    await user.should_see(marker="shop-save")


async def test_the_owner_saves_and_the_shop_shows_it(user: User, admins) -> None:
    await user.open("/")
    await user.should_see("AksesGPT")  # the default name, now kept by this process's cache
    await _open_form(user)
    user.find("shop-name").clear().type("Toko Budi GPT")
    user.find("shop-whatsapp").clear().type("0812-3456-7890")
    user.find("shop-email").clear().type("cs@example.com")
    user.find("shop-window").clear().type("30")
    user.find("shop-reminders").clear().type("5,2")
    user.find("shop-threshold").clear().type("9")
    _element(user, "shop-banner-on").set_value(True)
    user.find("shop-banner-text").clear().type("Promo 12.12: diskon!")
    user.find("shop-terms").clear().type("# Syarat Toko Budi\n\nBayar dulu, baru aktif.")
    assert await click_for_message(user, "shop-save") == "Pengaturan toko disimpan"
    assert _settings() == {
        "shop_name": "Toko Budi GPT",
        "support_whatsapp": "+6281234567890",
        "support_email": "cs@example.com",
        "payment_window_minutes": 30,
        "reminder_days": [5, 2],
        "low_pool_threshold": 9,
        "banner_on": True,
        "banner_text": "Promo 12.12: diskon!",
        "terms_text": "# Syarat Toko Budi\n\nBayar dulu, baru aktif.",
    }
    assert _element(user, "shop-whatsapp").value == "+6281234567890", "shown as stored"
    with db.read_session() as s:
        assert s.exec(select(AuditLog).where(AuditLog.action == "settings.update")).one().actor == f"admin:{OWNER[0]}"

    await user.open("/")
    await user.should_see("Toko Budi GPT")
    assert user.client is not None and user.client.resolve_title() == "Toko Budi GPT — akses ChatGPT Plus"
    await user.should_see("Promo 12.12: diskon!")
    await user.should_see("WhatsApp +6281234567890")
    await user.should_see("cs@example.com")
    await user.should_not_see("AksesGPT")
    await user.should_see("Kami mengingatkan lewat e-mail 5 hari dan 2 hari sebelumnya.")  # the FAQ
    await user.open("/checkout/paket-30-hari")
    await user.should_see("Promo 12.12: diskon!")
    await user.should_see("WhatsApp +6281234567890")
    await user.open("/terms")
    await user.should_see("Bayar dulu, baru aktif.")
    await user.open("/admin")
    await user.should_see("Batas stok menipis: 9 kursi")


async def test_bad_input_is_refused_with_its_reason_and_nothing_changes(user: User, admins, engine) -> None:
    await _open_form(user)
    before = fingerprint(engine)
    user.find("shop-name").clear().type("Toko Baru")
    user.find("shop-whatsapp").clear().type("021-555-1234")
    message = await click_for_message(user, "shop-save")
    assert message == "Nomor WhatsApp bantuan harus nomor HP Indonesia (08… atau +62…)."
    await user.should_see(message)  # stays on the page, by the form
    user.find("shop-whatsapp").clear()
    user.find("shop-window").clear().type("2 jam")
    assert (await click_for_message(user, "shop-save")).startswith("Batas waktu bayar harus bilangan bulat")
    user.find("shop-window").clear().type("60")
    _element(user, "shop-banner-on").set_value(True)
    assert await click_for_message(user, "shop-save") == "Tulis teks pengumuman sebelum menyalakannya."
    assert fingerprint(engine) == before
    assert SHOP_CONFIG.load().shop_name == "AksesGPT"


async def test_an_admin_who_is_not_an_owner_only_reads_them(user: User, admins, engine) -> None:
    await sign_in(user, STAFF)
    await user.open("/admin/shop")
    await user.should_see(marker="shop-read-only")
    await user.should_see("Hanya pemilik (owner) yang bisa mengubah pengaturan toko.")
    assert _element(user, "shop-show-shop_name").text == "AksesGPT"
    await user.should_not_see(marker="shop-save")
    await user.should_not_see(marker="shop-name")


async def test_the_package_dialog_saves_the_sold_out_choice(user: User, admins) -> None:
    await sign_in(user, OWNER)
    await user.open("/admin/packages")
    await user.should_see(marker="packages-table")
    user.find("Tambah paket").click()
    await user.should_see(marker="product-save")
    user.find("product-slug").type("paket-habis")
    user.find("product-name").type("Paket habis")
    await user.should_see("Bila pool tidak punya kursi kosong:")
    assert _element(user, "product-sold-out").value == "queue", "a new package sells and queues, as before"
    await user.should_see("Berhenti jual: paket tampil Habis sampai ada kursi")
    _element(user, "product-sold-out").set_value("stop")
    assert await click_for_message(user, "product-save") == "Paket disimpan"
    with db.read_session() as s:
        assert s.exec(select(Product).where(Product.slug == "paket-habis")).one().sold_out_mode == "stop"
    for _ in range(100):  # the table reads its rows again after the dialog closed
        rows = {r["slug"]: r for r in _element(user, "packages-table").rows}
        if "paket-habis" in rows:
            break
        await asyncio.sleep(0.05)
    assert rows["paket-habis"]["sold_out_mode"] == "stop", "what the edit dialog opens with"


async def test_a_package_that_stops_selling_shows_habis_and_takes_no_order(user: User) -> None:
    product = make_product(slug="paket-kosong", pool="kosong")
    await user.open("/")
    await user.should_see(marker="packages")
    page = _element(user, "packages").content
    assert "data-sold-out" not in page, "queue (the default): still sold"
    db.in_transaction(lambda s: update_product(session=s, actor=ADMIN, product_id=product.id, sold_out_mode="stop"))
    await user.open("/")
    await user.should_see("Habis")
    page = _element(user, "packages").content
    assert 'href="/checkout/paket-kosong"' not in page and 'href="/checkout/paket-30-hari"' in page
    await user.open("/checkout/paket-kosong")
    await user.should_see(marker="sold-out")
    await user.should_not_see(marker="submit")
    with db.read_session() as s:
        assert s.get(Product, product.id).sold_out_mode == "stop"


async def test_a_save_by_another_process_reaches_this_ones_pages_through_the_change_feed(user: User) -> None:
    await user.open("/")
    await user.should_see("AksesGPT")
    assert SHOP_CONFIG.cached() is not None, "kept: the next page reads nothing"
    # another app process's save: its row and its change, committed without this process's own commit hooks
    row = {"key": "shop_name", "value": "Toko Sebelah", "updated_at": utcnow()}
    with db.get_engine().begin() as conn:
        conn.execute(sa.insert(table_of(ShopSetting)).values(**row))
        insert = sa.insert(change_events).values(at=utcnow(), topics="settings").returning(change_events.c.id)
        change_id = conn.execute(insert).scalar_one()
        if conn.dialect.name == "postgresql":  # as infra/changes.py tells the other processes
            notify = "SELECT pg_notify(left(:channel || '.' || current_schema(), 63), :payload)"
            conn.execute(sa.text(notify), {"channel": CHANNEL, "payload": f"{change_id} settings"})
    assert SHOP_CONFIG.load().shop_name == "AksesGPT", "not heard yet: still the kept settings"
    for _ in range(100):  # SQLite: the feed reads other processes' changes every few seconds
        if SHOP_CONFIG.cached() is None:
            break
        await asyncio.sleep(0.1)
    await user.open("/")
    await user.should_see("Toko Sebelah")


async def test_the_owner_sets_the_renewal_grace_days(user: User, admins, engine) -> None:
    await _open_form(user)
    assert _element(user, "shop-renewal-grace").value == "3"  # the .env default
    before = fingerprint(engine)
    user.find("shop-renewal-grace").clear().type("seminggu")
    message = await click_for_message(user, "shop-save")
    assert message == "Masa tenggang perpanjangan harus bilangan bulat dari 0 sampai 60 hari."
    assert fingerprint(engine) == before
    user.find("shop-renewal-grace").clear().type("7")
    assert await click_for_message(user, "shop-save") == "Pengaturan toko disimpan"
    assert _settings() == {"renewal_grace_days": 7}
    assert SHOP_CONFIG.load().renewal_grace_days == 7
