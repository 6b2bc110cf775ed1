"""Find anything in a real browser, on a laptop and a phone: search → results → the customer's page with its
WhatsApp link; nothing scrolls sideways."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import place_order, sign_in

DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
NO_SIDEWAYS = "document.documentElement.scrollWidth <= window.innerWidth"


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["1366x768", "390x844"])
def test_search_leads_to_the_customer_and_whatsapp(shop, page: Page, shoot, size) -> None:
    phone = size is PHONE
    name = "Wulan Ponsel" if phone else "Wulan Laptop"
    email = "wulan-ponsel@example.com" if phone else "wulan-laptop@example.com"
    order = place_order(shop.app_url, email, name=name)
    shop.control(order["reference"], "pay")
    page.set_viewport_size(size)
    sign_in(page, shop.app_url)
    if phone:  # no room for the box in a phone's header: its button opens the search page
        page.get_by_role("button", name="Cari").first.click()
        expect(page).to_have_url(re.compile(r"/admin/search"))
        page.get_by_label("Kode pesanan, e-mail").fill(name.lower())
        page.locator("main").get_by_role("button", name="Cari").click()
    else:
        page.get_by_label("Cari pesanan, pelanggan, akun").fill(name.lower())
        page.keyboard.press("Enter")
    expect(page.get_by_text(re.compile(r"^Pesanan \(1\)$"))).to_be_visible()
    assert page.evaluate(NO_SIDEWAYS)
    shoot(page, "results")
    page.get_by_role("link").filter(has_text=email).filter(has_text="1 pesanan").click()
    expect(page.get_by_text(name, exact=True)).to_be_visible()
    whatsapp = page.get_by_role("link").filter(has_text="WhatsApp +6281299990000")
    expect(whatsapp).to_have_attribute("href", "https://wa.me/6281299990000")
    expect(page.get_by_role("link").filter(has_text=f"E-mail {email}")).to_have_attribute("href", f"mailto:{email}")
    expect(page.get_by_role("button", name=re.compile("Kirim ulang e-mail akses"))).to_be_visible()
    assert page.evaluate(NO_SIDEWAYS)
    shoot(page, "customer")
    page.goto(f"{shop.app_url}/admin/customers")
    expect(page.get_by_text(email).first).to_be_visible()
    page.wait_for_timeout(300)
    assert page.evaluate(NO_SIDEWAYS), "the customers list scrolls sideways"
    shoot(page, "customers")
    page.get_by_role("button", name="Detail").first.click()  # a row's (or a phone's card's) labelled button
    expect(page).to_have_url(re.compile(r"/admin/customers/wulan-"))
    expect(page.get_by_text(name, exact=True)).to_be_visible()
