"""Find anything, as the owner uses it: the header's search box → results by kind → the customer's page (WhatsApp
and e-mail links, note, resend access), the customers list, and the order page's WhatsApp link."""

from __future__ import annotations

import asyncio

import pytest
from nicegui import ui
from nicegui.testing import User
from sqlmodel import select

from domain.admin.admins import create_admin
from domain.orders.orders import create_order, record_payment
from domain.shared.models import AdminUser, AuditLog, Order
from infra import db
from pages.admin.frame import NAV
from tests.helpers import fingerprint

EMAIL, PASSWORD = "owner@example.com", "owner-password-123"
SITI = "siti.rahma@example.com"


@pytest.fixture
def owner(engine) -> AdminUser:
    return db.in_transaction(lambda s: create_admin(session=s, email=EMAIL, password=PASSWORD))


@pytest.fixture
def siti(owner) -> Order:
    def work(s) -> Order:
        order, _ = create_order(
            session=s, product_slug="paket-30-hari", email=SITI, name="Siti Rahmawati", phone="0812-9876-5432"
        )
        record_payment(session=s, order_id=order.id, amount_idr=order.amount_idr, actor="test")
        return order

    return db.in_transaction(work)


async def _login(user: User) -> None:
    await user.open("/admin/login")
    user.find("admin-email").type(EMAIL)
    user.find("admin-password").type(PASSWORD)
    user.find("login-submit").click()
    await user.should_see(marker="logout", retries=50)


def _only(user: User, marker: str) -> ui.element:
    found = user.find(marker).elements
    assert len(found) == 1, f"{marker}: {len(found)} elements"
    return next(iter(found))


@pytest.mark.parametrize("typed", ["0812-9876-5432", "+62 812 9876 5432", "6281298765432"])
async def test_the_header_search_finds_the_order_and_leads_to_the_customer_and_whatsapp(
    user: User, siti: Order, typed: str
) -> None:
    await _login(user)
    user.find("header-search").type(typed).trigger("keydown.enter")
    await user.should_see(marker="search-orders", retries=50)
    await user.should_see(siti.code)
    assert len(user.find("search-order").elements) == 1
    user.find("search-customer").click()
    await user.should_see(marker="customer-name", retries=50)
    await user.should_see("Siti Rahmawati")
    assert _only(user, "customer-wa").props["href"] == "https://wa.me/6281298765432"
    assert _only(user, "customer-mail").props["href"] == f"mailto:{SITI}"
    await user.should_see(siti.code)
    await user.should_see("Rp 79.000")
    await user.should_see("Aktif")  # the order's and the seat's status in words, not "fulfilled"
    await user.should_not_see("fulfilled")


async def test_every_admin_page_has_the_search_box_and_the_menu_lists_customers(user: User, siti: Order) -> None:
    await _login(user)
    for _label, path, _icon in NAV:
        await user.open(path)
        await user.should_see(marker="header-search", retries=50)
    await user.should_see("Pelanggan")
    user.find("header-search").type(SITI).trigger("keydown.enter")
    await user.should_see(marker="search-customers", retries=50)


async def test_nothing_found_is_said_and_wildcards_find_nothing(user: User, siti: Order) -> None:
    await _login(user)
    await user.open("/admin/search?q=%25")
    await user.should_see(marker="search-nothing", retries=50)
    user.find("search-query").clear().type(siti.code.lower())
    user.find("search-go").click()
    await user.should_see(marker="search-orders", retries=50)
    await user.should_see(siti.code)


async def test_a_note_is_saved_audited_and_a_bad_one_changes_nothing(user: User, siti: Order, engine) -> None:
    await _login(user)
    await user.open(f"/admin/customers/{SITI}")
    await user.should_see(marker="customer-note", retries=50)
    user.find("customer-note").clear().type("Bayar tunai setiap bulan")
    user.find("customer-note-save").click()
    await user.should_see("Catatan disimpan", retries=50)
    with db.read_session() as s:
        note = s.exec(select(AuditLog).where(AuditLog.action == "customer.note")).one()
    assert note.details["customer"] == SITI and note.details["note"] == "Bayar tunai setiap bulan"
    assert note.actor == f"admin:{EMAIL}"
    before = fingerprint(engine)
    user.find("customer-note").clear().type("x" * 2001)
    user.find("customer-note-save").click()
    await user.should_see("Catatan terlalu panjang", retries=50)
    assert fingerprint(engine) == before


async def test_resend_access_from_the_customer_page(user: User, siti: Order) -> None:
    await _login(user)
    await user.open(f"/admin/customers/{SITI}")
    await user.should_see(marker="customer-resend", retries=50)
    assert _only(user, "customer-manage-seats").props["href"] == f"/admin/assignments?email={SITI}"
    assert _only(user, "customer-open-order").props["href"] == f"/admin/orders/{siti.code}"
    user.find("customer-resend").click()
    await user.should_see("E-mail akses dijadwalkan", retries=50)
    with db.read_session() as s:
        resent = s.exec(select(AuditLog).where(AuditLog.action == "order.resend_access")).all()
    assert [r.details["order_code"] for r in resent] == [siti.code]


async def test_a_customer_by_phone_and_an_unknown_one(user: User, siti: Order) -> None:
    await _login(user)
    await user.open("/admin/customers/081298765432")
    await user.should_see(marker="customer-name", retries=50)
    await user.should_see("Semua pesanan dengan nomor +6281298765432")
    await user.open("/admin/customers/nobody@example.com")
    await user.should_see(marker="customer-missing", retries=50)


async def test_the_customers_list_filters_and_opens_a_customer(user: User, siti: Order) -> None:
    def other(s) -> None:
        create_order(
            session=s, product_slug="paket-30-hari", email="budi@example.com", name="Budi", phone="081234567890"
        )

    db.in_transaction(other)
    await _login(user)
    await user.open("/admin/customers")
    await user.should_see(marker="customers-table", retries=50)
    table = _only(user, "customers-table")
    assert [r["email"] for r in table.rows] == ["budi@example.com", SITI]  # newest first
    assert table.rows[1]["spent"] == "Rp 79.000" and table.rows[0]["spent"] == "Rp 0"
    user.find("customer-search").type("9876 5432").trigger("keydown.enter")
    for _ in range(50):
        if len(table.rows) == 1:
            break
        await asyncio.sleep(0.05)
    assert [r["email"] for r in table.rows] == [SITI]
    user.find("customers-table").trigger("open", table.rows[0])
    await user.should_see(marker="customer-name", retries=50)


async def test_the_order_page_links_to_whatsapp_and_the_customer(user: User, siti: Order) -> None:
    await _login(user)
    await user.open(f"/admin/orders/{siti.code}")
    await user.should_see(marker="order-wa", retries=50)
    assert _only(user, "order-wa").props["href"] == "https://wa.me/6281298765432"
    user.find("order-customer").click()
    await user.should_see(marker="customer-name", retries=50)


@pytest.mark.parametrize(
    ("path", "marker"),
    [
        ("/admin/customers/%00", "customer-missing"),
        ("/admin/customers/%ED%A0%80", "customer-missing"),
        ("/admin/search?q=%00", "search-query"),  # nothing left to search for: the box alone
        (f"/admin/search?q={'9' * 500}", "search-nothing"),
    ],
)
async def test_what_no_database_keeps_is_no_customer_and_no_error(
    user: User, siti: Order, path: str, marker: str
) -> None:
    await _login(user)
    await user.open(path)
    await user.should_see(marker=marker, retries=50)
    await user.should_not_see(marker="search-orders")
