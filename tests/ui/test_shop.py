"""The customer's pages through NiceGUI's simulated user: catalogue, checkout, order page, lookup."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from nicegui.testing import User
from sqlmodel import func, select

from domain.catalog.pool import add_account, list_accounts, retire_account, suspend_account
from domain.catalog.products import get_product, update_product
from domain.orders.orders import create_order, expire_order, record_payment
from domain.payments.checkout import attach_checkout
from domain.payments.gateway import Checkout
from domain.shared.links import access_token
from domain.shared.models import EmailOutbox, Order
from infra import db
from infra.types import utcnow
from tests.helpers import ADMIN

FORM = {"email": "Siti@Example.com", "name": "Siti Aminah", "phone": "0812 3456 7890"}


def _orders() -> int:
    with db.read_session() as s:
        return s.exec(select(func.count()).select_from(Order)).one()


def _new_order(slug: str = "paket-30-hari", qr: bool = True) -> Order:
    def work(s):
        order, _ = create_order(
            session=s, product_slug=slug, email="budi@example.com", name="Budi", phone="081234567890", locale="id"
        )
        checkout = Checkout(
            provider="tripay",
            reference=f"DEV-T{order.code[3:]}",
            method="QRIS" if qr else "BRIVA",
            checkout_url="http://sandbox.invalid/checkout",
            qr_string="00020101SANDBOXQR" if qr else None,
            pay_code=None if qr else "8808123456789",
            expires_at=utcnow() + timedelta(hours=1),
        )
        return attach_checkout(session=s, order_id=order.id, checkout=checkout, actor="test")

    return db.in_transaction(work)


def _link(order: Order) -> str:
    return f"/order/{order.code}?t={access_token(order.code)}"


def _fill(user: User, **values: str) -> None:
    for marker, value in values.items():
        user.find(marker).clear().type(value)


def _choose(user: User, group: str, code: str) -> None:
    radio = next(iter(user.find(f"group-{group}").elements))
    radio.set_value(code)


async def test_home_lists_active_packages_only(user: User) -> None:
    with db.write_session() as s:
        product = get_product(session=s, slug="paket-90-hari")
        update_product(session=s, actor=ADMIN, product_id=product.id, is_active=False)
    await user.open("/")
    await user.should_see("ChatGPT Plus 7 Hari")
    await user.should_see("Rp 79.000")
    await user.should_see("Populer")
    await user.should_not_see("ChatGPT Plus 90 Hari")
    await user.should_see("Cara kerja")


async def test_sold_out_pool_says_it_is_restocking(user: User) -> None:
    with db.write_session() as s:
        for account in list_accounts(session=s):
            suspend_account(session=s, actor=ADMIN, account_id=account.id, reason="test")
    await user.open("/")
    await user.should_see("Stok sedang diisi ulang")
    await user.should_not_see("Tersedia")


async def test_checkout_shows_each_field_error_and_creates_nothing(user: User) -> None:
    await user.open("/checkout/paket-30-hari")
    await user.should_see("Metode pembayaran")
    _fill(user, email="not-an-email", name=" ", phone="12345")
    user.find("submit").click()
    await user.should_see("Masukkan alamat e-mail yang valid.")
    await user.should_see("Nama wajib diisi.")
    await user.should_see("Masukkan nomor HP Indonesia")
    await user.should_see("Pilih metode pembayaran.")
    await user.should_see("Setujui syarat & ketentuan")
    assert _orders() == 0


async def test_field_errors_read_in_english_after_the_switch(user: User) -> None:
    await user.open("/checkout/paket-30-hari?lang=en")
    await user.should_see("Payment method")
    user.find("submit").click()
    await user.should_see("Enter a valid e-mail address.")
    await user.open("/")  # the choice is remembered
    await user.should_see("Choose a package")


async def test_two_quick_submits_place_one_order_and_land_on_its_page(user: User) -> None:
    await user.open("/checkout/paket-30-hari")
    _fill(user, **FORM)
    _choose(user, "QRIS", "QRIS")
    user.find("terms").click()
    await user.should_see("Rp 79.000")
    user.find("submit").click()
    user.find("submit").click()
    for _ in range(100):
        if _orders():
            break
        await asyncio.sleep(0.05)
    await user.should_see("Menunggu pembayaran", retries=50)
    assert _orders() == 1
    with db.read_session() as s:
        order = s.exec(select(Order)).one()
        mail = s.exec(select(EmailOutbox)).one()
    assert (order.email, order.phone, order.provider, order.payment_method) == (
        "siti@example.com",
        "+6281234567890",
        "tripay",
        "QRIS",
    )
    assert mail.kind == "order_created" and access_token(order.code) in mail.text


async def test_unpaid_order_page_shows_amount_countdown_and_qr(user: User) -> None:
    order = _new_order()
    await user.open(_link(order))
    await user.should_see("Rp 79.000")
    await user.should_see("Sisa waktu")
    await user.should_see(marker="qr")
    await user.should_see("Buka halaman pembayaran")


async def test_unpaid_virtual_account_shows_the_pay_code(user: User) -> None:
    order = _new_order(qr=False)
    await user.open(_link(order))
    await user.should_see("8808123456789")
    await user.should_see("Virtual Account")


async def test_order_page_turns_to_credentials_by_itself_when_paid(user: User) -> None:
    order = _new_order()
    await user.open(_link(order))
    await user.should_see("Menunggu pembayaran")
    db.in_transaction(
        lambda s: record_payment(session=s, order_id=order.id, amount_idr=order.amount_idr, actor="tripay_webhook")
    )
    await user.should_see("Pembayaran diterima", retries=60)
    await user.should_see("demo-1@demo.aksesgpt.invalid")
    await user.should_see(marker="password")
    await user.should_see("Jangan mengubah kata sandi")
    await user.should_see("30 hari lagi")


async def test_invite_seat_says_the_invitation_is_on_its_way(user: User) -> None:
    with db.write_session() as s:  # leave only the demo workspace that works by invitation
        for account in list_accounts(session=s):
            if account.delivery != "INVITE":
                retire_account(session=s, actor=ADMIN, account_id=account.id)
    order = _new_order()
    db.in_transaction(
        lambda s: record_payment(session=s, order_id=order.id, amount_idr=order.amount_idr, actor="tripay_webhook")
    )
    await user.open(_link(order))
    await user.should_see("sedang dikirim ke budi@example.com")
    await user.should_see("Cara masuk")


async def test_pending_stock_is_honest_and_turns_fulfilled_when_a_seat_appears(user: User) -> None:
    with db.write_session() as s:
        for account in list_accounts(session=s):
            retire_account(session=s, actor=ADMIN, account_id=account.id)
    order = _new_order()
    db.in_transaction(
        lambda s: record_payment(session=s, order_id=order.id, amount_idr=order.amount_idr, actor="tripay_webhook")
    )
    await user.open(_link(order))
    await user.should_see("Semua kursi sedang terisi")
    db.in_transaction(
        lambda s: add_account(session=s, actor=ADMIN, email="fresh@example.com", password="pw-fresh", max_seats=2)
    )
    await user.should_see("fresh@example.com", retries=60)


async def test_expired_order_offers_to_order_again_with_the_same_details(user: User) -> None:
    order = _new_order()
    db.in_transaction(lambda s: expire_order(session=s, order_id=order.id, actor="scheduler"))
    await user.open(_link(order))
    await user.should_see("Batas waktu pembayaran sudah lewat.")
    user.find("order-again").click()
    await user.should_see("Checkout: ChatGPT Plus 30 Hari")
    assert next(iter(user.find("email").elements)).value == "budi@example.com"


async def test_wrong_or_missing_token_is_the_same_not_found_as_an_unknown_code(user: User) -> None:
    order = _new_order()
    for path in (f"/order/{order.code}?t=wrong", f"/order/{order.code}", "/order/AG-UNKNOWN00?t=x"):
        await user.open(path)
        await user.should_see("Pesanan tidak ditemukan")
        await user.should_not_see("Rp 79.000")


async def test_lookup_answers_the_same_for_known_and_unknown_emails(user: User) -> None:
    _new_order()
    answers = []
    for email in ("budi@example.com", "nobody@example.com"):
        await user.open("/orders")
        user.find("lookup-email").type(email)
        user.find("lookup-submit").click()
        await user.should_see("Jika e-mail itu memiliki pesanan")
        answers.append(next(iter(user.find("lookup-answer").elements)).text)
    assert answers[0] == answers[1]
    with db.read_session() as s:
        lookups = s.exec(select(EmailOutbox).where(EmailOutbox.kind == "order_lookup")).all()
    assert [m.to for m in lookups] == ["budi@example.com"]


async def test_terms_page_shows_the_owners_text(user: User) -> None:
    await user.open("/terms")
    await user.should_see("Syarat & ketentuan")
    await user.should_not_see("Ubah teks ini")
