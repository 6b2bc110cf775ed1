"""Trust #16: `75.000` typed as a package's price saved Rp 75 (a number box read the dot as a decimal point) and a
duration of 0 became 1 day. Prices are text read as rupiah, shown as saved before saving; numbers the admin
cannot mean are refused, never clamped or cut; a price no payment channel accepts is refused."""

from __future__ import annotations

import asyncio

import pytest
from nicegui.testing import User
from sqlmodel import select

from domain.admin.admins import create_admin
from domain.shared.models import ChatGPTAccount, Product
from infra import db
from tests.ui.test_admin import EMAIL, PASSWORD, _login


@pytest.fixture
def owner(engine):
    return db.in_transaction(lambda s: create_admin(session=s, email=EMAIL, password=PASSWORD))


def _product(slug: str) -> Product | None:
    with db.read_session() as s:
        return s.exec(select(Product).where(Product.slug == slug)).first()


async def click_for_message(user: User, marker: str) -> str:
    """Click, then wait for the notification the click's handler ends with (handlers run as tasks: the next
    typing must not overtake them) and return it."""
    seen = len(user.notify.messages)
    user.find(marker).click()
    for _ in range(200):
        if len(user.notify.messages) > seen:
            return user.notify.messages[-1]
        await asyncio.sleep(0.02)
    raise AssertionError(f"no message after clicking {marker}")


def _text(user: User, marker: str) -> str:
    return next(iter(user.find(marker).elements)).text


async def _new_package(user: User, slug: str) -> None:
    await user.open("/admin/packages")
    await user.should_see(marker="packages-table")
    user.find("Tambah paket").click()
    await user.should_see(marker="product-save")
    user.find("product-slug").type(slug)
    user.find("product-name").type("Paket uji")


async def test_a_price_typed_the_indonesian_way_is_saved_as_typed(user: User, owner) -> None:
    await _login(user)
    for slug, typed in (("paket-uji", "75.000"), ("paket-dua", "Rp 75.000"), ("paket-tiga", "75000")):
        await _new_package(user, slug)
        user.find("product-price").clear().type(typed)
        assert _text(user, "price-parsed") == "Disimpan sebagai Rp 75.000", f"{typed}: shown before saving"
        assert await click_for_message(user, "product-save") == "Paket disimpan"
        assert _product(slug).price_idr == 75_000, typed
    await user.should_see("Rp 75.000")  # in the packages table


async def test_numbers_it_cannot_use_are_refused_and_nothing_is_saved(user: User, owner) -> None:
    await _login(user)
    await _new_package(user, "paket-uji")
    for typed in ("75,5", "7.50", "", "tujuh puluh", "-75000"):
        user.find("product-price").clear().type(typed)
        assert _text(user, "price-parsed").startswith("Harga tidak terbaca"), typed
        assert (await click_for_message(user, "product-save")).startswith("Harga tidak terbaca"), typed
    user.find("product-price").clear().type("75.000")
    for typed in ("0", "1.5", "30.000", ""):
        user.find("product-days").clear().type(typed)
        assert await click_for_message(user, "product-save") == "Durasi harus bilangan bulat dari 1 sampai 3650 hari"
    user.find("product-days").clear().type("30")
    user.find("product-order").clear().type("1e9")
    assert (await click_for_message(user, "product-save")).startswith("Urutan harus bilangan bulat")
    assert _product("paket-uji") is None


async def test_a_price_no_payment_channel_accepts_is_refused(user: User, owner) -> None:
    """The UI tests' gateway is the sandbox: its cheapest channels (QRIS, e-wallets) start at Rp 1.000."""
    await _login(user)
    await _new_package(user, "paket-uji")
    user.find("product-price").clear().type("999")
    message = await click_for_message(user, "product-save")
    assert message == "Harga Rp 999 di bawah Rp 1.000, batas terendah kanal pembayaran yang aktif"  # translated
    assert _product("paket-uji") is None
    user.find("product-price").clear().type("1.000")
    assert await click_for_message(user, "product-save") == "Paket disimpan"
    assert _product("paket-uji").price_idr == 1_000


async def test_max_seats_that_are_not_a_whole_number_are_refused_not_cut(user: User, owner) -> None:
    await _login(user)
    await user.open("/admin/accounts")
    await user.should_see(marker="acc-add")
    user.find("acc-add").click()
    user.find("acc-email").type("team@example.com")
    user.find("acc-password").type("pw-team-123")
    for typed in ("2.5", "10.000", "0"):
        user.find("acc-seats").clear().type(typed)
        assert "harus bilangan bulat 1 sampai 500" in await click_for_message(user, "acc-save"), typed
    with db.read_session() as s:
        assert s.exec(select(ChatGPTAccount).where(ChatGPTAccount.email == "team@example.com")).first() is None
    user.find("acc-seats").clear().type("3")
    assert (await click_for_message(user, "acc-save")).startswith("Akun ditambahkan")
    with db.read_session() as s:
        assert s.exec(select(ChatGPTAccount).where(ChatGPTAccount.email == "team@example.com")).one().max_seats == 3
