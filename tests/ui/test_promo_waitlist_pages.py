"""Issue #19's promo and sold-out parts through NiceGUI's simulated user: the promo field at checkout, the sold-out
waitlist form, a queued order's place in line and refund request, and the owner's /admin/promos."""

from __future__ import annotations

import asyncio

import pytest
from nicegui.testing import User
from sqlmodel import select

from domain.admin.admins import create_admin
from domain.catalog.pool import list_accounts, retire_account
from domain.catalog.products import get_product, update_product
from domain.orders.orders import create_order, record_payment, refund_order
from domain.payments.promos import save_promo
from domain.shared.links import access_token
from domain.shared.models import AdminAlert, Order, PromoCode, PromoUse, WaitlistEntry
from infra import db
from tests.helpers import ADMIN
from tests.ui.test_open_admin_tabs import OWNER, STAFF, sign_in


@pytest.fixture
def admins(engine) -> int:
    def work(s) -> int:
        owner = create_admin(session=s, email=OWNER[0], password=OWNER[1])
        create_admin(session=s, email=STAFF[0], password=STAFF[1], role="staff")
        return owner.id

    return db.in_transaction(work)


def _code(owner_id: int, **data) -> None:
    fields = {"code": "HEMAT10", "kind": "percent", "value": 10} | data
    db.in_transaction(lambda s: save_promo(session=s, admin_id=owner_id, data=fields))


def _element(user: User, marker: str):
    return next(iter(user.find(marker).elements))


async def _wait(check, tries: int = 100) -> None:
    for _ in range(tries):
        if check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("not reached")


async def test_a_promo_code_shows_the_new_total_and_goes_into_the_order(user: User, admins) -> None:
    _code(admins)
    await user.open("/checkout/paket-30-hari")
    await user.should_see("Punya kode promo?")
    user.find("promo-code").type("salah")
    user.find("promo-apply").click()
    await user.should_see("Kode promo tidak ditemukan")
    user.find("promo-code").clear().type("hemat10")
    user.find("promo-apply").click()
    await user.should_see("Kode HEMAT10: hemat Rp 7.900. Total baru Rp 71.100")
    assert _element(user, "total").text == "Rp 71.100"
    for marker, value in {"email": "siti@example.com", "name": "Siti", "phone": "081234567890"}.items():
        user.find(marker).clear().type(value)
    next(iter(user.find("group-QRIS").elements)).set_value("QRIS")
    user.find("terms").click()
    user.find("submit").click()
    await user.should_see("Menunggu pembayaran", retries=50)
    with db.read_session() as s:
        order = s.exec(select(Order)).one()
        use = s.exec(select(PromoUse)).one()
    assert (order.amount_idr, order.discount_idr, use.order_id) == (71_100, 7_900, order.id)


async def test_a_percentage_fee_is_asked_again_for_the_discounted_amount(user: User, admins) -> None:
    """ShopeePay's customer fee is 1.5 % in the sandbox: Rp 1.185 on Rp 79.000, Rp 1.067 on Rp 71.100 after the
    code, and the row and the total say the second once the code is applied."""
    _code(admins)
    await user.open("/checkout/paket-30-hari")
    await user.should_see("ShopeePay · Biaya Rp 1.185 · Total Rp 80.185")
    user.find("promo-code").type("hemat10")
    user.find("promo-apply").click()
    await user.should_see("Kode HEMAT10: hemat Rp 7.900. Total baru Rp 71.100")
    await user.should_see("ShopeePay · Biaya Rp 1.067 · Total Rp 72.167", retries=50)
    _element(user, "group-E-Wallet").set_value("SHOPEEPAY")
    await user.should_see("Rp 72.167", marker="total")


async def test_the_english_shop_says_why_a_code_does_not_apply(user: User, admins) -> None:
    with db.read_session() as s:
        other = get_product(session=s, slug="paket-7-hari")
    _code(admins, product_ids=[other.id])
    await user.open("/checkout/paket-30-hari?lang=en")
    user.find("promo-code").type("HEMAT10")
    user.find("promo-apply").click()
    await user.should_see("This promo code does not apply to this package")
    assert _element(user, "total").text == "Rp 79.000"


async def test_a_sold_out_package_takes_a_waitlist_contact_checked_and_once(user: User) -> None:
    with db.write_session() as s:
        product = get_product(session=s, slug="paket-30-hari")
        update_product(session=s, actor=ADMIN, product_id=product.id, sold_out_mode="stop")
        for account in list_accounts(session=s):
            retire_account(session=s, actor=ADMIN, account_id=account.id)
    await user.open("/")
    await user.should_see("Habis — kabari saya")
    await user.open("/checkout/paket-30-hari")
    await user.should_see(marker="waitlist")
    user.find("waitlist-contact").type("0812")
    user.find("waitlist-submit").click()
    await user.should_see("Tulis e-mail yang benar")
    with db.read_session() as s:
        assert s.exec(select(WaitlistEntry)).all() == [], "bad input changes nothing"
    user.find("waitlist-contact").clear().type("0812 3456 7890")
    user.find("waitlist-submit").click()
    await user.should_see("Terima kasih! Kami kabari +6281234567890")
    with db.read_session() as s:
        (entry,) = s.exec(select(WaitlistEntry)).all()
    assert (entry.product_id, entry.phone, entry.notified_at) == (product.id, "+6281234567890", None)


async def test_a_queued_order_shows_its_place_and_asks_for_a_refund(user: User) -> None:
    with db.write_session() as s:
        for account in list_accounts(session=s):
            retire_account(session=s, actor=ADMIN, account_id=account.id)

    def paid_order(email: str) -> Order:
        def work(s) -> Order:
            order, _ = create_order(
                session=s, product_slug="paket-30-hari", email=email, name="Budi", phone="081234567890"
            )
            record_payment(session=s, order_id=order.id, amount_idr=order.amount_idr, actor="tripay_webhook")
            return order

        return db.in_transaction(work)

    first = paid_order("first@example.com")
    order = paid_order("second@example.com")
    await user.open(f"/order/{order.code}?t={access_token(order.code)}")
    await user.should_see("Semua kursi sedang terisi")
    await user.should_see("Posisi Anda di antrean: nomor 2.")
    # the order ahead leaves the line (refunded): this open page moves up without a reload
    db.in_transaction(lambda s: refund_order(session=s, order_id=first.id, actor=ADMIN, reason="customer asked"))
    await user.should_see("Posisi Anda di antrean: nomor 1.", retries=100)
    user.find("refund-request").click()
    await user.should_see("Minta refund pesanan ini?")
    user.find("refund-confirm").click()
    await user.should_see("Permintaan refund diterima", retries=50)
    with db.read_session() as s:
        asked = s.get(Order, order.id)
        alert = s.exec(select(AdminAlert).where(AdminAlert.kind == "refund_request")).one()
    assert asked.refund_requested_at is not None and order.code in alert.message
    await user.open(f"/order/{order.code}?t={access_token(order.code)}")
    await user.should_see("Permintaan refund diterima")
    await user.should_not_see(marker="refund-request")


async def test_the_owner_creates_a_code_on_the_promo_page_and_staff_only_read(user: User, admins) -> None:
    await sign_in(user, OWNER)
    await user.open("/admin/promos")
    await user.should_see(marker="promos-table")
    user.find("promo-new").click()
    await user.should_see("Kode promo baru")
    user.find("promo-code-input").type("akhirtahun")
    user.find("promo-value").type("150")
    user.find("promo-save").click()
    await user.should_see("Potongan persen harus angka bulat 1–100.")
    with db.read_session() as s:
        assert s.exec(select(PromoCode)).all() == [], "a refused field saves nothing"
    user.find("promo-value").clear().type("15")
    user.find("promo-max-uses").type("50")
    user.find("promo-save").click()
    await user.should_see("Kode AKHIRTAHUN disimpan")
    table = _element(user, "promos-table")
    await _wait(lambda: [r["uses"] for r in table.rows] == ["0 / 50"])
    assert table.rows[0]["discount"] == "15%" and table.rows[0]["packages"] == "Semua paket"
    with db.read_session() as s:
        promo = s.exec(select(PromoCode)).one()
    assert (promo.code, promo.kind, promo.value, promo.max_uses) == ("AKHIRTAHUN", "percent", 15, 50)

    await sign_in(user, STAFF)
    await user.open("/admin/promos")
    await user.should_see(marker="promos-read-only")
    assert [r["code"] for r in _element(user, "promos-table").rows] == ["AKHIRTAHUN"]
    await user.should_not_see(marker="promo-new")
