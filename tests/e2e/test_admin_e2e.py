"""The owner's stories in a real browser: log in, watch the gauge move, extend, revoke, read the audit log."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import ADMIN, place_order, sign_in

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def _buy_and_pay(shop, email: str) -> dict:
    order = place_order(shop.app_url, email)
    shop.control(order["reference"], "pay")
    return order


def _login(page: Page, shop) -> None:
    page.goto(f"{shop.app_url}/admin")
    expect(page.get_by_text("AksesGPT admin")).to_be_visible()  # /admin sends a stranger to the login page
    sign_in(page, shop.app_url)


def test_wrong_password_is_refused(shop, page: Page, shoot) -> None:
    page.goto(f"{shop.app_url}/admin/accounts")
    expect(page).to_have_url(re.compile(r"/admin/login"))
    page.get_by_label("E-mail").fill(ADMIN[0])
    page.get_by_label("Kata sandi").fill("not the password")
    page.get_by_role("button", name="Masuk").click()
    expect(page.get_by_text("E-mail atau kata sandi salah")).to_be_visible()
    shoot(page, "login-refused")


def test_owner_sees_the_gauge_move_extends_and_revokes_and_finds_both_in_the_audit(shop, page: Page, shoot) -> None:
    page.set_viewport_size(DESKTOP)
    _login(page, shop)
    used = page.get_by_text(re.compile(r"\d+ dari \d+ kursi"))
    expect(used).to_be_visible()
    before = used.inner_text()
    shoot(page, "1-overview")
    _buy_and_pay(shop, "gauge@example.com")
    expect(used).not_to_have_text(before, timeout=5000)  # the live overview moves by itself
    shoot(page, "2-overview-after-purchase")
    _buy_and_pay(shop, "revoke-me@example.com")

    page.goto(f"{shop.app_url}/admin/assignments")
    row = page.get_by_role("row").filter(has_text="gauge@example.com")
    expect(row).to_be_visible()
    shoot(page, "3-assignments")
    row.get_by_role("button", name="Perpanjang").click()
    page.get_by_label("Tambah hari").fill("7")
    expect(page.get_by_text(re.compile(r"Berakhir baru: .* WIB"))).to_be_visible()
    shoot(page, "4-extend-dialog")
    page.locator(".q-dialog").get_by_role("button", name="Perpanjang").click()
    expect(page.get_by_text("Diperpanjang")).to_be_visible()

    victim = page.get_by_role("row").filter(has_text="revoke-me@example.com")
    victim.get_by_role("button", name="Cabut").click()
    page.get_by_label("Alasan (wajib, dikirim ke pelanggan)").fill("berbagi login")
    page.get_by_text("Saya yakin").click()
    shoot(page, "5-revoke-dialog")
    page.locator(".q-dialog").get_by_role("button", name="Cabut").click()
    expect(page.get_by_role("cell", name="Dicabut")).to_be_visible()

    page.goto(f"{shop.app_url}/admin/audit")
    extend_row = page.get_by_role("row").filter(has_text="Masa aktif diperpanjang")  # actions in words
    expect(extend_row).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="Kursi dicabut")).to_be_visible()
    shoot(page, "6-audit")
    extend_row.first.click()
    expect(page.get_by_text("Sebelum")).to_be_visible()
    expect(page.get_by_role("cell", name="Berakhir", exact=True)).to_be_visible()
    shoot(page, "7-audit-diff")


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["1280x800", "390x844"])
def test_every_admin_page_renders(shop, page: Page, shoot, size) -> None:
    page.set_viewport_size(size)
    _login(page, shop)
    for path, expected in (
        ("/admin", "Ringkasan"),
        ("/admin/accounts", "Akun ChatGPT"),
        ("/admin/assignments", "Penugasan kursi"),
        ("/admin/orders", "Pesanan"),
        ("/admin/webhooks", "Webhook pembayaran"),
        ("/admin/audit", "Audit log"),
        ("/admin/outbox", "Outbox e-mail"),
        ("/admin/packages", "Paket"),
        ("/admin/users", "Admin"),
    ):
        page.goto(shop.app_url + path)
        expect(page.locator("main").get_by_text(expected, exact=True).first).to_be_visible()
        page.wait_for_timeout(300)
        shoot(page, path.strip("/").replace("/", "-"))
