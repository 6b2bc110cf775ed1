"""More stories end to end: an empty pool filled by the admin, a forged callback, the English shop."""

from __future__ import annotations

import json
import re

import httpx
from playwright.sync_api import Browser, Page, expect

from domain.catalog.products import create_product
from infra import db
from tests.e2e.conftest import pay_in_the_sandbox_tab, place_order, sign_in

PHONE = {"width": 390, "height": 844}


def _checkout(page: Page, shop, slug: str, email: str, *, english: bool = False) -> None:
    page.goto(f"{shop.app_url}/checkout/{slug}")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Name" if english else "Nama").fill("Dewi Lestari")
    page.get_by_label("WhatsApp number" if english else "Nomor WhatsApp").fill("081355556666")
    page.get_by_text("QRIS (semua e-wallet & m-banking)").click()
    page.get_by_text("I agree to the terms" if english else "Saya setuju dengan syarat & ketentuan").click()
    page.get_by_role("button", name="Pay now" if english else "Bayar sekarang").click()


def _admin_page(browser: Browser, shop) -> Page:
    return sign_in(browser.new_context(viewport={"width": 1280, "height": 800}).new_page(), shop.app_url)


def test_an_empty_pool_queues_the_order_until_the_admin_adds_an_account(
    shop, page: Page, browser: Browser, shoot
) -> None:
    db.in_transaction(
        lambda s: create_product(
            session=s,
            actor="test",
            slug="paket-kosong",
            name="Paket Kosong",
            price_idr=49_000,
            duration_days=14,
            pool="kosong",
        )
    )
    page.set_viewport_size(PHONE)
    _checkout(page, shop, "paket-kosong", "antre@example.com")
    expect(page.get_by_text("Menunggu pembayaran. Halaman ini diperbarui otomatis.")).to_be_visible(timeout=15000)
    pay_in_the_sandbox_tab(page, re.compile("Pembayaran diterima|Payment received"))
    expect(page.get_by_text("Semua kursi sedang terisi")).to_be_visible(timeout=15000)
    shoot(page, "1-pending-stock")

    admin = _admin_page(browser, shop)
    expect(admin.get_by_text("Pesanan menunggu stok: 1")).to_be_visible(timeout=10000)
    admin.goto(f"{shop.app_url}/admin/accounts")
    admin.get_by_role("button", name="Tambah akun").click()
    admin.get_by_label("E-mail akun").fill("kosong-1@pool.example")
    admin.get_by_label("Kata sandi").fill("Pool-Pass-1")
    admin.get_by_label("Pool").last.fill("kosong")
    shoot(admin, "2-admin-adds-account")
    admin.get_by_role("button", name="Simpan").click()
    expect(admin.get_by_text("Akun ditambahkan")).to_be_visible()

    # the customer's page was never reloaded
    expect(page.get_by_text("kosong-1@pool.example", exact=True)).to_be_visible(timeout=10000)
    expect(page.get_by_text("Pool-Pass-1")).to_be_visible()
    shoot(page, "3-fulfilled-without-reload")
    admin.context.close()


def test_a_forged_callback_is_rejected_and_shows_in_the_webhook_log(shop, page: Page, browser: Browser, shoot) -> None:
    order = place_order(shop.app_url, "forged@example.com", package="paket-7-hari", method="BRIVA", name="F")
    body = json.dumps(
        {
            "reference": order["reference"],
            "merchant_ref": order["order_id"],
            "status": "PAID",
            "total_amount": order["amount"],
            "fee_customer": 0,
            "paid_at": 1764288000,
        }
    ).encode()
    reply = httpx.post(
        f"{shop.app_url}/callback/tripay",
        content=body,
        timeout=10,
        headers={
            "Content-Type": "application/json",
            "X-Callback-Event": "payment_status",
            "X-Callback-Signature": "0" * 64,
        },
    )
    assert reply.status_code == 401 and reply.json()["success"] is False
    status = httpx.get(
        order["status_url"].replace("/order/", "/api/orders/").replace("?t=", "/status?t="), timeout=10
    ).json()
    assert status["status"] == "pending_payment", "nothing changed"

    admin = _admin_page(browser, shop)
    admin.goto(f"{shop.app_url}/admin/webhooks?outcome=rejected")
    row = admin.get_by_role("row").filter(has_text=order["reference"])
    expect(row).to_be_visible()
    expect(row.get_by_text("TIDAK VALID")).to_be_visible()
    shoot(admin, "webhook-log-rejected")
    row.click()
    expect(admin.get_by_text(order["order_id"]).first).to_be_visible()
    shoot(admin, "webhook-raw-body")
    admin.context.close()


def test_the_whole_flow_reads_in_english(shop, page: Page, shoot) -> None:
    page.set_viewport_size(PHONE)
    page.goto(shop.app_url)
    page.get_by_role("button", name="English").click()
    expect(page.get_by_text("Choose a package")).to_be_visible()
    shoot(page, "1-home-en")
    _checkout(page, shop, "paket-7-hari", "english@example.com", english=True)
    expect(page.get_by_text("Waiting for your payment. This page updates by itself.")).to_be_visible(timeout=15000)
    expect(page.get_by_text("Time left")).to_be_visible()
    shoot(page, "2-order-en")
    pay_in_the_sandbox_tab(page, re.compile("Pembayaran diterima|Payment received"))
    expect(page.get_by_text("Payment received")).to_be_visible(timeout=15000)
    expect(page.get_by_text(re.compile(r"Active until .* \(7 days left\)"))).to_be_visible()
    expect(page.get_by_text("Pembayaran diterima")).to_have_count(0)
    shoot(page, "3-access-en")
    page.get_by_role("button", name="Bahasa Indonesia").click()  # leave the shared browser state as we found it
