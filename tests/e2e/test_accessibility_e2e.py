"""axe-core (bundled by axe-playwright-python) in Chromium on the home, checkout and order pages, on a phone and a
laptop: no serious or critical violation; with the checks axe leaves to people: payment rows and buttons at least
44 px tall, nothing scrolling sideways, the first error of an empty submit brought into view and focused."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.e2e.conftest import place_order

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 768}
SIZES = pytest.mark.parametrize("size", [PHONE, LAPTOP], ids=["390x844", "1366x768"])
AXE = Axe()


def serious(page: Page) -> list[str]:
    """Each serious or critical violation on the page as a line naming the rule and the first elements."""
    results = AXE.run(page)
    lines = []
    for violation in results.response["violations"]:
        if violation.get("impact") in ("serious", "critical"):
            targets = [
                f"{', '.join(node['target'])}: {node.get('failureSummary', '')}" for node in violation["nodes"][:3]
            ]
            lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']} at {targets}")
    return lines


def no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert width <= 0, f"the page scrolls sideways by {width}px"


@SIZES
def test_home_has_no_serious_violation(shop, page: Page, size: dict, shoot) -> None:
    page.set_viewport_size(size)
    page.goto(shop.app_url)
    expect(page.get_by_text("Apa itu akun bersama?")).to_be_visible()
    expect(page.get_by_role("img", name="BRI Virtual Account")).to_be_visible()
    shoot(page, "home")
    assert serious(page) == []
    no_sideways_scroll(page)


@SIZES
def test_checkout_has_no_serious_violation_and_rows_are_tappable(shop, page: Page, size: dict, shoot) -> None:
    page.set_viewport_size(size)
    page.goto(f"{shop.app_url}/checkout/paket-30-hari")
    row = page.locator(".pay-methods .q-radio").first
    expect(row).to_be_visible()
    expect(page.get_by_text("BRI Virtual Account · Biaya Rp 2.500")).to_be_visible()
    heights = page.eval_on_selector_all(
        ".pay-methods .q-radio", "els => els.map(e => e.getBoundingClientRect().height)"
    )
    assert heights and min(heights) >= 44, heights
    pay = page.get_by_role("button", name="Bayar sekarang")
    terms = page.get_by_text("Saya setuju dengan syarat & ketentuan")
    if size is LAPTOP:  # the terms and the pay button in view together, the terms just above it
        expect(pay).to_be_in_viewport()
        expect(terms).to_be_in_viewport()
    assert (pay.bounding_box() or {}).get("height", 0) >= 44
    assert serious(page) == []
    no_sideways_scroll(page)

    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    pay.click()  # empty: the first error (the e-mail) comes into view with the cursor in it
    expect(page.get_by_text("Masukkan alamat e-mail yang valid.")).to_be_visible()
    email = page.get_by_label("E-mail")
    expect(email).to_be_focused()
    expect(email).to_be_in_viewport()
    shoot(page, "checkout-errors")
    assert serious(page) == []


@SIZES
@pytest.mark.parametrize("method", ["QRIS", "BRIVA", "ALFAMART"])
def test_unpaid_order_pages_have_no_serious_violation(shop, page: Page, size: dict, method: str, shoot) -> None:
    order = place_order(shop.app_url, f"a11y-{method.lower()}-{size['width']}@example.com", method=method)
    page.set_viewport_size(size)
    page.goto(order["status_url"])
    expect(page.get_by_text("Menunggu pembayaran. Halaman ini diperbarui otomatis.")).to_be_visible()
    if method == "QRIS":
        expect(page.get_by_role("link", name="Simpan QR")).to_be_visible()
    else:
        expect(page.get_by_text("Cara bayar")).to_be_visible()
    shoot(page, f"order-{method}")
    assert serious(page) == []
    no_sideways_scroll(page)


@SIZES
def test_a_paid_order_page_has_no_serious_violation(shop, page: Page, size: dict, shoot) -> None:
    order = place_order(shop.app_url, f"a11y-paid-{size['width']}@example.com")
    shop.control(order["reference"], "pay")
    page.set_viewport_size(size)
    page.goto(order["status_url"])
    expect(page.get_by_text("Pembayaran diterima")).to_be_visible(timeout=15000)
    shoot(page, "order-paid")
    assert serious(page) == []
    no_sideways_scroll(page)


def test_lookup_and_404_have_no_serious_violation(shop, page: Page) -> None:
    page.set_viewport_size(PHONE)
    for path in ("/orders", "/no-such-page"):
        page.goto(f"{shop.app_url}{path}")
        expect(page.locator("footer")).to_be_visible()
        assert serious(page) == [], path
