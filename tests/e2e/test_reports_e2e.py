"""The reports page in a real browser, on a laptop and a 390 px phone: charts drawn, figures shown, nothing
scrolls sideways; the orders list's new columns and its export button are there."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import place_order, sign_in

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
OVERFLOW_JS = "document.documentElement.scrollWidth - window.innerWidth"


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["1280x800", "390x844"])
def test_reports_render_charts_and_figures_without_sideways_scrolling(shop, page: Page, shoot, size) -> None:
    order = place_order(shop.app_url, "laporan@example.com")
    shop.control(order["reference"], "pay")
    page.set_viewport_size(size)
    sign_in(page, shop.app_url)
    page.goto(f"{shop.app_url}/admin/reports")
    expect(page.locator("main").get_by_text("Pendapatan, biaya, refund dan laba")).to_be_visible()
    expect(page.locator("main canvas").first).to_be_visible()  # ECharts drew
    expect(page.get_by_text("pendapatan Rp ").first).to_be_visible()
    expect(page.get_by_role("button", name="Unduh CSV").first).to_be_visible()
    page.wait_for_timeout(500)
    assert page.evaluate(OVERFLOW_JS) <= 0
    shoot(page, f"reports-{size['width']}")

    page.goto(f"{shop.app_url}/admin/orders")
    # a table on a laptop, a card per order (each field under its label) on a phone
    expect(page.get_by_text("Metode bayar", exact=True).first).to_be_visible()
    expect(page.get_by_role("button", name="Unduh CSV")).to_be_visible()
    shoot(page, f"orders-{size['width']}")
