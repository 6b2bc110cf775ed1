"""Login help end to end on a 390x844 phone (issue #19 item 1): the owner stores a shared login's TOTP secret in
the account form, a customer buys a seat on it, the order page shows the steps and — after the button — the code
pyotp computes now; the owner revokes the seat, the open page drops the code and the server refuses another."""

from __future__ import annotations

from urllib.parse import urlsplit

import httpx
import pyotp
from playwright.sync_api import Browser, Page, expect

from domain.catalog.products import create_product
from infra import db
from infra.types import utcnow
from tests.e2e.conftest import place_order, sign_in

PHONE = {"width": 390, "height": 844}
SECRET = pyotp.random_base32()
CUSTOMER = "kode-login@example.com"


def _no_sideways_scroll(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_the_seat_holder_sees_the_login_code_and_not_after_revoke(shop, page: Page, browser: Browser, shoot) -> None:
    db.in_transaction(
        lambda s: create_product(
            session=s,
            actor="test",
            slug="paket-kode",
            name="Paket Kode",
            price_idr=59_000,
            duration_days=30,
            pool="kode",
        )
    )
    admin = sign_in(browser.new_context(viewport={"width": 1280, "height": 800}).new_page(), shop.app_url)
    admin.goto(f"{shop.app_url}/admin/accounts")
    admin.get_by_role("button", name="Tambah akun").click()
    admin.get_by_label("E-mail akun").fill("kode-1@pool.example")
    admin.get_by_label("Kata sandi").fill("Kode-Pass-1")
    admin.get_by_label("Pool").last.fill("kode")
    admin.get_by_label("Maks. kursi (kosong = 1 pelanggan)").fill("3")
    admin.get_by_label("Kunci TOTP (2FA)").fill(SECRET)
    shoot(admin, "1-admin-adds-totp")
    admin.get_by_role("button", name="Simpan").click()
    expect(admin.get_by_text("Akun ditambahkan")).to_be_visible()

    order = place_order(shop.app_url, CUSTOMER, package="paket-kode")
    shop.control(order["reference"], "pay")
    page.set_viewport_size(PHONE)
    page.goto(order["status_url"])
    expect(page.get_by_text("kode-1@pool.example").first).to_be_visible(timeout=15000)
    expect(page.get_by_text("Cara masuk")).to_be_visible()
    expect(page.get_by_text("Buka chatgpt.com dan tekan 'Log in'.")).to_be_visible()
    expect(page.get_by_role("link", name="Buka chatgpt.com")).to_have_attribute("href", "https://chatgpt.com")
    button = page.get_by_role("button", name="Tampilkan kode login")
    assert button.bounding_box()["height"] >= 44
    shoot(page, "2-steps")

    totp = pyotp.TOTP(SECRET)
    before = utcnow()
    button.click()
    shown = page.get_by_test_id("login-code-value")
    expect(shown).to_be_visible(timeout=10000)
    after = utcnow()
    code = shown.inner_text().strip()
    assert len(code) == 6 and code in {totp.at(before), totp.at(after)}
    expect(page.get_by_text("Kode berganti dalam")).to_be_visible()
    _no_sideways_scroll(page)
    shoot(page, "3-login-code")

    admin.goto(f"{shop.app_url}/admin/assignments")
    row = admin.get_by_role("row").filter(has_text=CUSTOMER)
    row.get_by_role("button", name="Cabut").click()
    admin.get_by_label("Alasan (wajib, dikirim ke pelanggan)").fill("berbagi login")
    admin.get_by_text("Saya yakin").click()
    admin.locator(".q-dialog").get_by_role("button", name="Cabut").click()
    expect(admin.get_by_role("cell", name="Dicabut")).to_be_visible()

    # the customer's page, never reloaded, drops the code and the button
    expect(page.get_by_test_id("login-code-value")).to_have_count(0, timeout=10000)
    expect(page.get_by_role("button", name="Tampilkan kode login")).to_have_count(0)
    expect(page.get_by_text("kode-1@pool.example")).to_have_count(0)
    shoot(page, "4-after-revoke")
    link = urlsplit(order["status_url"])
    refused = httpx.post(f"{shop.app_url}/api/orders/{order['order_id']}/login-code?{link.query}", timeout=10)
    assert refused.status_code == 409 and "code" not in refused.json()
    admin.context.close()
