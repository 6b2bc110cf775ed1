"""Issue #18, "words, not codes", in a real browser on a phone: an order's story in sentences with its record
behind "Detail", the ID/EN switch, and the audit's day picker writing "02 Des 2026"."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.conftest import place_order, sign_in

PHONE = {"width": 390, "height": 844}
ONE_DAY = re.compile(r"^\d{2} (Jan|Feb|Mar|Apr|Mei|Jun|Jul|Agu|Sep|Okt|Nov|Des) \d{4}$")


def _no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width} px wide on a {PHONE['width']} px phone"


def test_an_order_s_story_reads_in_sentences_and_switches_to_english(shop, page: Page, shoot) -> None:
    page.set_viewport_size(PHONE)
    order = place_order(shop.app_url, "cerita@example.com")
    shop.control(order["reference"], "pay")
    sign_in(page, shop.app_url)
    page.goto(f"{shop.app_url}/admin/orders/{order['order_id']}")
    expect(page.get_by_text(re.compile(r"^Dibayar lewat QRIS · Rp [\d.]+$"))).to_be_visible()
    expect(page.get_by_text(re.compile(r"^Kursi di akun \S+ \(\d+/\d+\)"))).to_be_visible()
    expect(page.get_by_text("Aktif (terlayani)", exact=True)).to_be_visible()
    expect(page.locator("text=fulfilled >> visible=true")).to_have_count(0)  # (the folded record holds it)
    _no_sideways_scroll(page)
    shoot(page, "1-order-id")
    page.get_by_text("Detail", exact=True).first.click()  # the raw record, on demand
    expect(page.locator('text=/"status": "/ >> visible=true').first).to_be_visible()
    shoot(page, "2-order-detail-open")

    page.get_by_role("button", name="English").click()
    expect(page.get_by_text(f"Order {order['order_id']}", exact=True)).to_be_visible()
    expect(page.get_by_text(re.compile(r"^Paid by QRIS · Rp [\d.]+$"))).to_be_visible()
    expect(page.get_by_text("Fulfilled", exact=True)).to_be_visible()
    _no_sideways_scroll(page)
    shoot(page, "3-order-en")
    page.get_by_role("button", name="Bahasa Indonesia").click()
    expect(page.get_by_text(f"Pesanan {order['order_id']}", exact=True)).to_be_visible()


def test_the_audit_day_picker_writes_the_admin_s_date_format(shop, page: Page, shoot) -> None:
    page.set_viewport_size(PHONE)
    sign_in(page, shop.app_url)
    page.goto(f"{shop.app_url}/admin/audit")
    since = page.get_by_label("Dari tanggal")
    expect(since).to_be_visible()
    page.get_by_role("button", name="Pilih tanggal").first.click()
    calendar = page.locator(".q-date")
    expect(calendar).to_be_visible()
    shoot(page, "1-picker")
    calendar.locator(".q-date__calendar-item--in button").first.click()
    expect(since).to_have_value(ONE_DAY)
    page.get_by_role("button", name="Terapkan").click()
    expect(page.get_by_text("Tanggal ditulis seperti")).to_have_count(0)
    shoot(page, "2-picked")
