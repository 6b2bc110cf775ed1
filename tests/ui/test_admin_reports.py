"""The reports page (Laporan) and the orders export, through NiceGUI's simulated user: figures on screen, the CSV
files' content, and a bad range refused with words."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from nicegui.testing import User
from sqlmodel import select

from domain.orders.orders import create_order, record_payment
from domain.shared.i18n import format_idr
from domain.shared.models import AccountAssignment, ManualPayment, Order
from infra import db
from pages.admin import reports as reports_page
from tests.ui.test_admin import _login, _rows, owner  # noqa: F401  (the fixture)


def _sale(email: str = "budi@example.com", fee: int | None = 1_300) -> Order:
    def work(s) -> Order:
        order, _ = create_order(session=s, product_slug="paket-30-hari", email=email, name="Budi", phone="081234567890")
        order.payment_method = "QRIS"
        s.add(order)
        return record_payment(
            session=s, order_id=order.id, amount_idr=order.amount_idr, actor="test", fee_idr=fee
        ).order

    return db.in_transaction(work)


def _csv(content: bytes) -> list[list[str]]:
    assert content.startswith("\ufeff".encode())  # Excel reads the names right
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


async def test_reports_show_todays_figures_and_download_them_as_csv(user: User, owner) -> None:  # noqa: F811
    order = _sale()
    await _login(user)
    await user.open("/admin/reports")
    await user.should_see(marker="report-keuangan-chart")
    await user.should_see(f"pendapatan {format_idr(order.amount_idr)}")
    today = reports_page.bucket_label(reports_page.wib_today(), reports_page.Grouping.DAY)
    money = {row["c0"]: row for row in _rows(user, "report-keuangan-table")}
    assert money[today]["c1"] == format_idr(order.amount_idr)  # through the gateway
    assert money[today]["c4"] == format_idr(1_300)  # its fee
    assert money[today]["c6"] == format_idr(order.amount_idr - 1_300)  # net
    per_method = {row["c0"]: row for row in _rows(user, "report-per-metode-table")}
    assert per_method[today]["c1"] == format_idr(order.amount_idr)
    assert [r["c0"] for r in _rows(user, "report-kursi-sekarang-table")] == ["default"]
    chart = next(iter(user.find("report-keuangan-chart").elements)).options
    assert '"Rp " + ' in chart["yAxis"]["axisLabel"][":formatter"]  # axis labels read "Rp 80.000"
    revenue = next(serie for serie in chart["series"] if serie["name"] == "Pendapatan")
    assert revenue["data"][chart["xAxis"]["data"].index(today)] == order.amount_idr

    user.find("report-keuangan-csv").click()
    lines = _csv((await user.download.next(timeout=5)).content)
    assert lines[0] == ["Periode", *reports_page.MONEY_HEADERS]
    assert len(lines) == 1 + reports_page.DEFAULT_DAYS
    row = next(line for line in lines if line[0] == today)
    assert row[1:4] == [str(order.amount_idr), "0", str(order.amount_idr)]
    assert row[4] == "1300" and row[6] == str(order.amount_idr - 1_300)

    user.find("report-pesanan-csv").click()
    lines = _csv((await user.download.next(timeout=5)).content)
    assert lines[0] == ["Periode", "Dibuat", "Dibayar", "Kedaluwarsa"]
    assert next(line for line in lines if line[0] == today)[1:] == ["1", "1", "0"]


async def test_monthly_grouping_and_a_bad_range(user: User, owner) -> None:  # noqa: F811
    order = _sale()
    await _login(user)
    await user.open("/admin/reports")
    await user.should_see(marker="report-keuangan-table")
    user.find("report-first").clear().type("2026-13-01")
    user.find("report-show").click()
    await user.should_see("Tanggal tidak valid")
    user.find("report-first").clear().type(reports_page.wib_today().replace(day=1).isoformat())
    user.find("report-grouping").click()
    user.find("Bulanan").click()
    first = reports_page.wib_today().replace(day=1)
    month = reports_page.bucket_label(first, reports_page.Grouping.MONTH)
    await user.should_see(f"{reports_page.bucket_label(first, reports_page.Grouping.DAY)} s.d.")  # the new range
    await user.should_see(f"pendapatan {format_idr(order.amount_idr)}")
    assert [row["c0"] for row in _rows(user, "report-keuangan-table")] == [month]


@pytest.mark.parametrize("status", ["", "fulfilled"])
async def test_orders_list_shows_package_method_phone_and_exports_its_filtered_view(
    user: User,
    owner,  # noqa: F811
    status: str,
) -> None:
    paid = _sale("paid@example.com")
    db.in_transaction(
        lambda s: create_order(
            session=s, product_slug="paket-30-hari", email="unpaid@example.com", name="Ani", phone="081311112222"
        )
    )
    await _login(user)
    await user.open(f"/admin/orders?status={status}" if status else "/admin/orders")
    await user.should_see(marker="orders-table")
    rows = {row["email"]: row for row in _rows(user, "orders-table")}
    assert rows["paid@example.com"]["method"] == "QRIS"
    assert rows["paid@example.com"]["phone"] == paid.phone
    assert rows["paid@example.com"]["package"] == "ChatGPT Plus 30 Hari"  # the demo shop's package
    user.find("orders-export").click()
    lines = _csv((await user.download.next(timeout=5)).content)
    assert lines[0][:3] == ["Kode", "Dibuat (WIB)", "Pelanggan"]
    emails = {line[2] for line in lines[1:]}
    assert emails == ({"paid@example.com"} if status else {"paid@example.com", "unpaid@example.com"})
    exported = next(line for line in lines[1:] if line[2] == "paid@example.com")
    assert paid.code in exported and "QRIS" in exported and str(paid.amount_idr) in exported


def _unpaid(email: str = "ani@example.com") -> Order:
    return db.in_transaction(
        lambda s: create_order(session=s, product_slug="paket-30-hari", email=email, name="Ani", phone="081311112222")[
            0
        ]
    )


def _stored(model, **where):
    with db.read_session() as s:
        return list(s.exec(select(model).filter_by(**where)))


async def test_mark_paid_in_cash_records_the_amount_and_a_bad_amount_is_refused(user: User, owner) -> None:  # noqa: F811
    order = _unpaid()
    await _login(user)
    await user.open(f"/admin/orders/{order.code}")
    user.find("mark-paid").click()
    user.find("paid-method").click()
    user.find("Tunai").click()
    user.find("paid-amount").clear().type("75,5")
    user.find("action-reason").type("dibayar di toko")
    user.find("action-save").click()
    await user.should_see("Jumlah tidak valid")
    assert _stored(ManualPayment) == [] and _stored(Order, code=order.code)[0].status == "pending_payment"
    user.find("paid-amount").clear().type("Rp 75.000")
    user.find("action-save").click()
    await user.should_see("Dicatat dibayar")
    [payment] = _stored(ManualPayment)
    assert (payment.kind, payment.amount_idr, payment.method, payment.order_id) == ("order", 75_000, "cash", order.id)
    assert _stored(Order, code=order.code)[0].status == "fulfilled"


async def test_refund_records_amount_method_and_time_at_most_the_paid_amount(user: User, owner) -> None:  # noqa: F811
    order = _sale()
    await _login(user)
    await user.open(f"/admin/orders/{order.code}")
    user.find("refund").click()
    user.find("refund-amount").clear().type(str(order.amount_idr + 1))
    user.find("action-reason").type("pelanggan batal")
    user.find("action-save").click()
    await user.should_see("Refund paling banyak")
    assert _stored(Order, code=order.code)[0].status == "fulfilled"
    user.find("refund-amount").clear().type("50.000")
    user.find("refund-method").click()
    user.find("Transfer bank").click()
    user.find("refund-at-date").clear().type("2026-11-04")
    user.find("refund-at-time").clear().type("23:59")
    user.find("action-save").click()
    await user.should_see("Direfund")
    refunded = _stored(Order, code=order.code)[0]
    assert (refunded.status, refunded.refunded_amount_idr, refunded.refund_method) == ("refunded", 50_000, "transfer")
    assert refunded.refunded_at == datetime(2026, 11, 4, 16, 59, tzinfo=UTC)  # 23:59 WIB


async def test_a_paid_extension_records_a_manual_payment(user: User, owner) -> None:  # noqa: F811
    order = _sale()
    await _login(user)
    await user.open("/admin/assignments")
    await user.should_see(marker="assignments-table")
    table = user.find("assignments-table")
    table.trigger("extend", next(iter(table.elements)).rows[0])
    user.find("extend-days").clear().type("30")
    user.find("extend-paid").click()
    user.find("extend-amount").type("79.000")
    user.find("extend-method").click()
    user.find("Tunai").click()
    user.find("extend-save").click()
    await user.should_see("Diperpanjang")
    [payment] = _stored(ManualPayment)
    assert (payment.kind, payment.amount_idr, payment.method, payment.order_id) == (
        "extension",
        79_000,
        "cash",
        order.id,
    )
    assert payment.assignment_id == _stored(AccountAssignment, order_id=order.id)[0].id
