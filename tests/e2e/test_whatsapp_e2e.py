"""WhatsApp in a real browser on a 390x844 phone: the floating contact button never covers the pay button, the
"send to WhatsApp" choice is on, and the customer's messages reach a Fonnte-compatible gateway on loopback
(order placed with the payment link, access ready with the order link, no password or code)."""

from __future__ import annotations

import re
import secrets
import time

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import pay_in_the_sandbox_tab
from tests.live import start_stack
from tests.sinks import FonnteApi

PHONE = {"width": 390, "height": 844}
SUPPORT = "6281200001111"


@pytest.fixture(scope="module")
def wa_shop(tmp_path_factory: pytest.TempPathFactory):
    """A shop with a support number and WhatsApp on, its scheduler delivering to the loopback gateway."""
    token = secrets.token_urlsafe(18)
    gateway = FonnteApi(token=token).start()
    folder = tmp_path_factory.mktemp("e2e-wa")
    stack = start_stack(
        f"sqlite:///{folder / 'shop.db'}",
        folder,
        midtrans=False,
        extra_env={
            "DEMO_DATA": "1",
            "SCHEDULER_ENABLED": "1",
            "SUPPORT_WHATSAPP": "0812-0000-1111",
            "WHATSAPP_PROVIDER": "fonnte",
            "WHATSAPP_API_BASE": gateway.url,
            "WHATSAPP_TOKEN": token,
        },
    )
    yield stack, gateway, token, folder
    stack.stop()
    gateway.stop()


def _covers(page: Page, fab, target) -> bool:
    """Whether the floating button is shown on top of `target` right now."""
    if fab.evaluate("e => getComputedStyle(e).visibility") != "visible":
        return False
    f, r = fab.bounding_box(), target.bounding_box()
    if not f or not r:
        return False
    return (
        r["x"] < f["x"] + f["width"]
        and r["x"] + r["width"] > f["x"]
        and r["y"] < f["y"] + f["height"]
        and (r["y"] + r["height"] > f["y"])
    )


def _messages(gateway: FonnteApi, count: int) -> list[str]:
    for _ in range(150):  # the scheduler is woken by the commit; allow for a slow machine
        if len(gateway.accepted) >= count:
            break
        time.sleep(0.1)
    return [r.form["message"] for r in gateway.accepted]


def test_a_phone_customer_gets_whatsapp_news_and_the_contact_button_stays_off_the_pay_button(
    wa_shop, page: Page, shoot
) -> None:
    stack, gateway, token, folder = wa_shop
    page.set_viewport_size(PHONE)
    page.goto(f"{stack.app_url}/checkout/paket-30-hari")
    expect(page.get_by_role("link", name="Hubungi kami lewat WhatsApp")).to_be_visible()
    fab = page.locator("[data-whatsapp-fab]")  # (by role it is not found while it steps aside)
    assert fab.get_attribute("href") == f"https://wa.me/{SUPPORT}"
    box = fab.bounding_box()
    assert box and box["width"] >= 56 and box["height"] >= 56
    notify = page.get_by_role("checkbox", name="Kirim info pesanan ke WhatsApp")
    expect(notify).to_be_checked()
    page.get_by_label("E-mail").fill("dewi@example.com")
    page.get_by_label("Nama").fill("Dewi Lestari")
    page.get_by_label("Nomor WhatsApp").fill("0813 2222 3333")
    page.get_by_text("QRIS (semua e-wallet & m-banking)").click()
    page.get_by_text("Saya setuju dengan syarat & ketentuan").click()
    pay = page.get_by_role("button", name="Bayar sekarang")
    height = page.evaluate("document.documentElement.scrollHeight")
    stepped_aside = 0
    for y in range(0, height, 40):  # the pay button passes the button's corner as the customer scrolls
        page.evaluate(f"window.scrollTo(0, {y})")
        page.wait_for_timeout(80)
        assert not _covers(page, fab, pay), f"the WhatsApp button covers the pay button at scroll {y}"
        stepped_aside += fab.evaluate("e => getComputedStyle(e).visibility") == "hidden"
    assert stepped_aside, "the pay button passed under the button's place, and the button made way"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shoot(page, "1-checkout")
    pay.click()
    expect(page.get_by_text("Menunggu pembayaran. Halaman ini diperbarui otomatis.")).to_be_visible(timeout=15000)
    order_url = page.url
    expect(fab).to_be_visible()

    pay_in_the_sandbox_tab(page, "Pembayaran diterima")
    expect(page.get_by_text("Pembayaran diterima")).to_be_visible(timeout=15000)
    shoot(page, "2-order-paid")

    created, ready = _messages(gateway, 2)[:2]
    assert {r.form["target"] for r in gateway.accepted} == {"6281322223333"}
    assert all(r.authorization == token for r in gateway.requests)
    link = order_url.replace("127.0.0.1", "localhost").split("/order/")[1]
    assert "Bayar Rp 79.000" in created and "Bayar di sini: http" in created
    assert f"/order/{link}" in created and f"/order/{link}" in ready
    assert "Akses ChatGPT Anda siap" in ready
    for message in (created, ready):
        assert "sandi:" not in message.lower()
        assert not re.search(r"\d{6}", re.sub(r"https?://\S+", "", message)), message
    assert token not in "".join(p.read_text() for p in folder.rglob("*.log"))
