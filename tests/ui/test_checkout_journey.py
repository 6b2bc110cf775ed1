"""The checkout that converts (issue 19): each channel's fee and total, the bank or outlet named with its own
steps, "Simpan QR", lookup by code and contact, "Pesan lagi" without personal data in the URL."""

from __future__ import annotations

import base64
import re
from datetime import timedelta

from nicegui.testing import User

from domain.orders.orders import create_order, expire_order
from domain.payments.checkout import attach_checkout
from domain.payments.gateway import Checkout
from domain.shared.links import access_token
from domain.shared.models import Order
from infra import db
from infra.ratelimit import lookup_limit
from infra.types import utcnow

STEPS = [
    {"title": "ATM <b>BRI</b>", "steps": ["Masukkan nomor <b>8808123456789</b>.", "<script>alert(1)</script>Selesai"]}
]


def _order(method: str = "BRIVA", pay_code: str | None = "8808123456789", qr: str | None = None) -> Order:
    def work(s):
        order, _ = create_order(
            session=s, product_slug="paket-30-hari", email="budi@example.com", name="Budi", phone="081234567890"
        )
        checkout = Checkout(
            provider="tripay",
            reference=f"DEV-T{order.code[3:]}",
            method=method,
            checkout_url="http://sandbox.invalid/checkout",
            pay_code=pay_code,
            qr_string=qr,
            expires_at=utcnow() + timedelta(hours=1),
            instructions=STEPS,
            fee_customer_idr=2_500 if pay_code else 0,
        )
        return attach_checkout(session=s, order_id=order.id, checkout=checkout, actor="test")

    return db.in_transaction(work)


def _link(order: Order) -> str:
    return f"/order/{order.code}?t={access_token(order.code)}"


def _text(user: User, marker: str) -> str:
    return next(iter(user.find(marker).elements)).text


async def test_each_channel_shows_its_fee_and_the_total_follows_the_choice(user: User) -> None:
    await user.open("/checkout/paket-30-hari")
    await user.should_see("BRI Virtual Account · Biaya Rp 2.500 · Total Rp 81.500")
    await user.should_see("QRIS (semua e-wallet & m-banking) · Tanpa biaya tambahan · Total Rp 79.000")
    assert _text(user, "total") == "Rp 79.000"
    next(iter(user.find("group-Virtual Account").elements)).set_value("BCAVA")
    await user.should_see("Rp 82.000", marker="total")


async def test_an_empty_submit_shows_every_error_and_the_terms_sit_by_the_pay_button(user: User) -> None:
    await user.open("/checkout/paket-30-hari")
    user.find("submit").click()
    await user.should_see("Masukkan alamat e-mail yang valid.")
    await user.should_see("Pilih metode pembayaran.")
    await user.should_see("Setujui syarat & ketentuan")
    submit = next(iter(user.find(marker="submit").elements))
    terms = next(iter(user.find(marker="terms").elements))
    assert terms.parent_slot is submit.parent_slot, "the terms checkbox is in the pay button's card"


async def test_a_virtual_account_page_names_the_bank_and_shows_its_own_steps_as_text(user: User) -> None:
    order = _order()
    await user.open(_link(order))
    await user.should_see("Bayar dengan BRI Virtual Account")
    await user.should_see("Nomor Virtual Account")
    await user.should_see("Rp 81.500")  # the fee on top, and said
    await user.should_see("Termasuk biaya BRI Virtual Account Rp 2.500")
    html = next(iter(user.find("how-to-pay").elements)).content
    assert "<li>Masukkan nomor 8808123456789.</li>" in html and "ATM BRI" in html
    assert "<script" not in html and "<b>" not in html


async def test_a_retail_code_is_a_payment_code_at_the_named_outlet(user: User) -> None:
    order = _order(method="ALFAMART", pay_code="TP123456789012")
    await user.open(_link(order))
    await user.should_see("Bayar dengan Alfamart")
    await user.should_see("Kode pembayaran")
    await user.should_not_see("Nomor Virtual Account")


async def test_qris_can_be_saved_as_a_png(user: User) -> None:
    order = _order(method="QRIS", pay_code=None, qr="00020101SANDBOXQR")
    await user.open(_link(order))
    await user.should_see("Simpan QR")
    await user.should_see("pilih gambar QR dari galeri")
    html = next(iter(user.find(marker="qr").elements)).content
    link = re.search(r'<a href="data:image/png;base64,([^"]+)" download="QRIS-([^"]+)\.png"', html)
    assert link is not None and link.group(2) == order.code
    png = base64.b64decode(link.group(1))
    assert png.startswith(b"\x89PNG") and int.from_bytes(png[16:20], "big") >= 200, "big enough to scan from a photo"


async def test_lookup_by_code_and_a_number_in_any_form_opens_the_order(user: User) -> None:
    lookup_limit.reset()
    order = _order()
    for contact in ("0812-3456-7890", "+62 812 3456 7890"):
        await user.open("/orders")
        user.find("lookup-code").type(order.code.lower())
        user.find("lookup-contact").type(contact)
        user.find("lookup-open").click()
        await user.should_see("Bayar dengan BRI Virtual Account")


async def test_lookup_says_the_same_for_a_wrong_code_and_a_wrong_contact(user: User) -> None:
    lookup_limit.reset()
    order = _order()
    answers = []
    for code, contact in ((order.code, "budi@other.example"), ("AG-NOPE000000", "budi@example.com")):
        await user.open("/orders")
        user.find("lookup-code").type(code)
        user.find("lookup-contact").type(contact)
        user.find("lookup-open").click()
        await user.should_see("tidak cocok dengan pesanan mana pun")
        answers.append(_text(user, "lookup-code-answer"))
    assert answers[0] == answers[1]


async def test_order_again_carries_no_contact_details_in_the_url(user: User) -> None:
    order = _order()
    db.in_transaction(lambda s: expire_order(session=s, order_id=order.id, actor="scheduler"))
    await user.open(_link(order))
    user.find("order-again").click()
    await user.should_see("Checkout: ChatGPT Plus 30 Hari")
    assert next(iter(user.find("email").elements)).value == "budi@example.com"
    url = user.back_history[-1]
    assert "budi" not in url and "0812" not in url and "again=" in url
    # a stranger's link with a wrong token fills in nothing
    await user.open(f"/checkout/paket-30-hari?again={order.code}&t=guess")
    assert next(iter(user.find("email").elements)).value == ""


async def test_home_explains_bersama_in_either_language_and_the_owner_can_reword_it(user: User) -> None:
    await user.open("/")
    await user.should_see("Apa itu akun bersama?")
    await user.should_see("chat Anda tetap pribadi", marker="packages")
    await user.open("/?lang=en")
    await user.should_see("What is a shared account?")

    from domain.admin.admins import create_admin
    from domain.admin.shop_settings import save_shop_settings

    owner = db.in_transaction(lambda s: create_admin(session=s, email="owner@example.com", password="pw-123456789"))
    changes = {"shared_text": "Maksimal 4 orang per akun.\nChat <b>tidak</b> pribadi."}
    db.in_transaction(lambda s: save_shop_settings(session=s, admin_id=owner.id, changes=changes, ip="10.0.0.1"))
    await user.open("/?lang=id")
    await user.should_see("Maksimal 4 orang per akun.", marker="packages")
    html = next(iter(user.find("packages").elements)).content
    assert "Chat &lt;b&gt;tidak&lt;/b&gt; pribadi." in html, "the owner's text is text"


async def test_home_shows_the_payment_methods_badges_each_with_alt_text(user: User) -> None:
    await user.open("/")
    html = next(iter(user.find("packages").elements)).content
    for name, alt in (
        ("QRIS", "QRIS: semua e-wallet dan m-banking"),
        ("BRI", "BRI Virtual Account"),
        ("Alfamart", "Alfamart"),
    ):
        assert f'aria-label="{alt}"' in html and f'data-payment-logo="{name}"' in html
    assert "http" not in html.split("data-payment-logos", 1)[1].split("</section>", 1)[0].replace(
        "http://www.w3.org/2000/svg", ""
    ), "nothing fetched from the net"
