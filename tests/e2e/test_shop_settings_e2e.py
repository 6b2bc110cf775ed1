"""The owner edits the shop's settings on a phone in a real browser, and the shop shows them at once."""

from __future__ import annotations

from playwright.sync_api import Page, expect
from sqlmodel import select

from domain.admin.shop_settings import save_shop_settings
from domain.shared.models import AdminUser
from infra import db
from tests.e2e.conftest import ADMIN, sign_in

PHONE = {"width": 390, "height": 844}
WIDTH = "document.documentElement.scrollWidth"


def _restore() -> None:
    """Back to what the other browser tests expect (the app hears it through the change feed)."""
    with db.read_session() as s:
        owner = s.exec(select(AdminUser).where(AdminUser.email == ADMIN[0])).one()
    changes = {"shop_name": "AksesGPT", "support_whatsapp": "", "banner_on": False, "banner_text": ""}
    db.in_transaction(lambda s: save_shop_settings(session=s, admin_id=owner.id or 0, changes=changes))


def test_the_owner_edits_the_shop_on_a_phone_and_the_shop_shows_it(shop, page: Page, shoot) -> None:
    page.set_viewport_size(PHONE)
    sign_in(page, shop.app_url)
    page.goto(f"{shop.app_url}/admin/shop")
    save = page.get_by_role("button", name="Simpan pengaturan")
    expect(save).to_be_visible()
    assert page.evaluate(WIDTH) <= PHONE["width"], "nothing scrolls sideways on a phone"
    box = save.bounding_box()
    assert box is not None and box["height"] >= 44, "a tap target of at least 44 px"
    try:
        page.get_by_label("Nama toko", exact=True).fill("Toko Budi")
        page.get_by_label("WhatsApp bantuan").fill("0812 3456 7890")
        page.get_by_label("Teks pengumuman").fill("Promo akhir tahun: diskon 10%")
        page.get_by_text("Tampilkan pengumuman").click()
        shoot(page, "1-form")
        save.click()
        expect(page.get_by_text("Pengaturan toko disimpan")).to_be_visible()

        page.goto(f"{shop.app_url}/")
        expect(page.get_by_text("Promo akhir tahun: diskon 10%")).to_be_visible()
        expect(page.locator("header [data-brand]")).to_have_text("Toko Budi")
        expect(page).to_have_title("Toko Budi — akses ChatGPT Plus")
        whatsapp = page.get_by_role("link", name="WhatsApp +6281234567890")
        expect(whatsapp).to_have_attribute("href", "https://wa.me/6281234567890")
        assert page.evaluate(WIDTH) <= PHONE["width"], "the banner and the contact fit a phone"
        shoot(page, "2-shop")
    finally:
        _restore()
