"""Issue #19 on a 390x844 phone: a promo code applied at checkout (the new total shown and paid), then refused once
past its limit; a sold-out package's waitlist joined, the owner adds a seat, and the customer is told by e-mail
(captured by a loopback SMTP server). The app runs with its scheduler on, as in production."""

from __future__ import annotations

import re
import time

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import select

from domain.catalog.products import create_product
from domain.shared.links import access_token
from domain.shared.models import Order
from infra import db
from tests.e2e.conftest import ADMIN, sign_in, this_process_on
from tests.live import start_stack
from tests.sinks import Inbox

PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def inbox():
    box = Inbox()
    box.controller.start()
    yield box
    box.controller.stop()


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory, inbox: Inbox):
    folder = tmp_path_factory.mktemp("e2e-promo")
    url = f"sqlite:///{folder / 'shop.db'}"
    stack = start_stack(
        url,
        folder,
        midtrans=False,
        extra_env={
            "DEMO_DATA": "1",
            "ADMIN_EMAIL": ADMIN[0],
            "ADMIN_PASSWORD": ADMIN[1],
            "SCHEDULER_ENABLED": "1",
            "WAITLIST_INTERVAL_S": "5",  # the waitlist story waits for this job (a minute by default)
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": str(inbox.port),
            "SMTP_TLS": "0",
            "MAIL_FROM": "shop@example.com",
        },
    )
    with this_process_on(url):
        yield stack
        stack.stop()


def _admin(browser: Browser, shop) -> Page:
    return sign_in(browser.new_context(viewport={"width": 1280, "height": 800}).new_page(), shop.app_url)


def _contact(page: Page, email: str) -> None:
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Nama").fill("Dewi Lestari")
    page.get_by_label("Nomor WhatsApp").fill("081355556666")


def _apply(page: Page, code: str) -> None:
    page.get_by_text("Punya kode promo?").click()
    page.get_by_role("textbox", name="Kode promo").fill(code)
    page.get_by_role("button", name="Pakai").click()


def _status(shop, code: str) -> dict:
    return httpx.get(f"{shop.app_url}/api/orders/{code}/status?t={access_token(code)}", timeout=10).json()


def test_a_promo_code_lowers_the_total_is_paid_and_is_refused_past_its_limit(
    shop, page: Page, browser: Browser, shoot
) -> None:
    admin = _admin(browser, shop)
    admin.goto(f"{shop.app_url}/admin/promos")
    admin.get_by_role("button", name="Kode promo baru").click()
    admin.get_by_label("Kode").first.fill("hemat10")
    admin.get_by_label("Potongan (1–100 untuk persen, atau rupiah)").fill("10")
    admin.get_by_label("Batas pemakaian").fill("1")
    shoot(admin, "1-owner-creates-code")
    admin.get_by_role("button", name="Simpan").click()
    expect(admin.get_by_text("Kode HEMAT10 disimpan")).to_be_visible()
    row = admin.get_by_role("row").filter(has_text="HEMAT10")
    expect(row).to_contain_text("0 / 1")

    page.set_viewport_size(PHONE)
    page.goto(f"{shop.app_url}/checkout/paket-30-hari")
    _contact(page, "promo-1@example.com")
    _apply(page, "hemat10")
    expect(page.get_by_text("Kode HEMAT10: hemat Rp 7.900. Total baru Rp 71.100")).to_be_visible()
    page.get_by_text("QRIS (semua e-wallet & m-banking)").click()
    expect(page.get_by_text("Rp 71.100").last).to_be_visible()
    shoot(page, "2-code-applied")
    page.get_by_text("Saya setuju dengan syarat & ketentuan").click()
    page.get_by_role("button", name="Bayar sekarang").click()
    expect(page.get_by_text("Menunggu pembayaran. Halaman ini diperbarui otomatis.")).to_be_visible(timeout=15000)
    code = re.search(r"/order/(AG-[A-Z0-9]+)", page.url).group(1)
    status = _status(shop, code)
    assert status["amount"] == 71_100
    with db.read_session() as session:
        order = session.exec(select(Order).where(Order.code == code)).one()
    shop.control(order.provider_reference, "pay")
    expect(page.get_by_text("Pembayaran diterima").first).to_be_visible(timeout=20000)
    assert _status(shop, code)["status"] == "fulfilled"
    shoot(page, "3-paid-with-discount")
    expect(row).to_contain_text("1 / 1", timeout=10000)

    second = browser.new_context(viewport=PHONE).new_page()
    second.goto(f"{shop.app_url}/checkout/paket-30-hari")
    _contact(second, "promo-2@example.com")
    _apply(second, "HEMAT10")
    expect(second.get_by_text("Kode promo sudah habis dipakai")).to_be_visible()
    expect(second.get_by_text("Rp 79.000").last).to_be_visible()
    shoot(second, "4-refused-past-its-limit")
    refused = httpx.post(
        f"{shop.app_url}/api/orders",
        json={
            "customer_email": "promo-3@example.com",
            "package_id": "paket-30-hari",
            "full_name": "Tiga",
            "phone_number": "081299990000",
            "payment_method": "QRIS",
            "promo_code": "HEMAT10",
        },
        timeout=30,
    )
    assert refused.status_code == 400 and refused.json()["errors"] == {"promo_code": "Kode promo sudah habis dipakai"}
    second.context.close()
    admin.context.close()


def test_a_sold_out_package_tells_its_waitlist_when_the_owner_adds_a_seat(
    shop, page: Page, browser: Browser, inbox: Inbox, shoot
) -> None:
    db.in_transaction(
        lambda s: create_product(
            session=s,
            actor="test",
            slug="paket-langka",
            name="Paket Langka",
            price_idr=49_000,
            duration_days=14,
            pool="langka",
            sold_out_mode="stop",
        )
    )
    page.set_viewport_size(PHONE)
    page.goto(shop.app_url)
    page.get_by_role("link", name="Habis — kabari saya").click()
    expect(page.get_by_text("Paket ini sedang habis.")).to_be_visible()
    page.get_by_label("E-mail atau nomor WhatsApp").fill("budi")
    page.get_by_role("button", name="Kabari saya").click()
    expect(page.get_by_text("Tulis e-mail yang benar")).to_be_visible()
    page.get_by_label("E-mail atau nomor WhatsApp").fill("Tunggu@Example.com")
    page.get_by_role("button", name="Kabari saya").click()
    expect(page.get_by_text("Terima kasih! Kami kabari tunggu@example.com")).to_be_visible()
    shoot(page, "1-joined-the-waitlist")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], "nothing scrolls sideways"

    admin = _admin(browser, shop)
    admin.goto(f"{shop.app_url}/admin/accounts")
    admin.get_by_role("button", name="Tambah akun").click()
    admin.get_by_label("E-mail akun").fill("langka-1@pool.example")
    admin.get_by_label("Kata sandi").fill("Pool-Pass-1")
    admin.get_by_label("Pool").last.fill("langka")
    admin.get_by_role("button", name="Simpan").click()
    expect(admin.get_by_text("Akun ditambahkan")).to_be_visible()
    admin.context.close()

    deadline = time.monotonic() + 120  # the waitlist job: every 5 s here (default 60), then the outbox
    while time.monotonic() < deadline and "Paket Langka tersedia lagi" not in inbox.subjects():
        time.sleep(1)
    assert "Paket Langka tersedia lagi" in inbox.subjects()
    (told,) = [m for m in inbox.messages if "Paket Langka" in str(m["Subject"])]
    assert told["To"] == "tunggu@example.com"
    body = inbox.text(told)
    assert f"{shop.app_url}/checkout/paket-langka" in body
    page.goto(f"{shop.app_url}/checkout/paket-langka")
    expect(page.get_by_role("button", name="Bayar sekarang")).to_be_visible()
    shoot(page, "2-back-on-sale")
