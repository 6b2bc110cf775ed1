"""Issue #18, "words, not codes", as an owner sees it: states, the order's story, refusals, dates and the audit
filters in Indonesian (English after the switch), and the overview without codes, fractions or "0.0B"."""

from __future__ import annotations

import asyncio
import csv
import io
import re

import pytest
from nicegui import ui
from nicegui.testing import User
from sqlmodel import select

from domain.admin.admins import create_admin
from domain.orders.orders import create_order, record_payment
from domain.shared.i18n import format_idr
from domain.shared.models import ChatGPTAccount, Order, OrderStatus
from infra import db
from pages.admin import logs
from tests.ui.test_admin import EMAIL, PASSWORD, _login, _rows
from tests.ui.test_admin_numbers import click_for_message

ONE_FORMAT = re.compile(r"^\d{2} (Jan|Feb|Mar|Apr|Mei|Jun|Jul|Agu|Sep|Okt|Nov|Des) \d{4} \d{2}\.\d{2} WIB$")
RAW_CODES = ("fulfilled", "payment_expired", "pending_stock", "CREDENTIALS", "TO_INVITE", "order.fulfil", "assignment.")


@pytest.fixture
def owner(engine):
    return db.in_transaction(lambda s: create_admin(session=s, email=EMAIL, password=PASSWORD))


def _paid_by_qris() -> Order:
    def work(s):
        order, _ = create_order(
            session=s, product_slug="paket-30-hari", email="budi@example.com", name="Budi", phone="081234567890"
        )
        order.payment_method = "QRIS"
        s.add(order)
        record_payment(session=s, order_id=order.id, amount_idr=order.amount_idr, actor="tripay")
        s.refresh(order)
        s.expunge(order)
        return order

    return db.in_transaction(work)


def _timeline(user: User) -> list[str]:
    return [entry.props["title"] for entry in user.find(kind=ui.timeline_entry).elements]


def _options(user: User, marker: str) -> dict:
    return next(iter(user.find(marker).elements)).options


async def test_the_order_page_tells_its_story_in_sentences_with_the_record_behind_detail(user: User, owner) -> None:
    order = _paid_by_qris()
    await _login(user)
    await user.open(f"/admin/orders/{order.code}")
    await user.should_see(marker="order-timeline")
    titles = _timeline(user)
    assert f"Dibayar lewat QRIS · {format_idr(order.amount_idr)}" in titles
    seat = next(t for t in titles if t.startswith("Kursi di akun "))
    assert re.fullmatch(r"Kursi di akun \S+@\S+ \(\d+/\d+\) · aktif sampai \d{2} \w{3} \d{4}", seat), seat
    assert "E-mail akses menunggu dikirim" in titles or "E-mail akses terkirim" in titles
    assert not [t for t in titles for code in RAW_CODES if code in t], titles
    subtitles = [entry.props["subtitle"] for entry in user.find(kind=ui.timeline_entry).elements]
    assert all(ONE_FORMAT.match(s.split(" · ")[0]) for s in subtitles), subtitles
    assert "oleh Tripay" in " ".join(subtitles)
    await user.should_see(marker="timeline-detail")  # the raw record, folded away
    chip = next(iter(user.find(marker="state-order").elements))
    assert chip.text == "Aktif (terlayani)" and chip.props["color"] == "green-9"


async def test_the_orders_list_and_its_filter_speak_words_and_one_date_format(user: User, owner) -> None:
    _paid_by_qris()
    await _login(user)
    await user.open("/admin/orders")
    rows = _rows(user, "orders-table")
    assert [r["status"] for r in rows] == ["Aktif (terlayani)"]
    assert (rows[0]["status_colour"], rows[0]["status_ink"]) == ("green-9", "white")  # drawn as its coloured chip
    assert "q-chip" in next(iter(user.find("orders-table").elements)).slots["body-cell-status"].template
    assert ONE_FORMAT.match(rows[0]["created"]) and ONE_FORMAT.match(rows[0]["paid"]), rows[0]
    statuses = next(iter(user.find(kind=ui.select).elements)).options
    assert statuses[OrderStatus.PAYMENT_EXPIRED.value] == "Tidak dibayar (kedaluwarsa)"
    await user.open("/admin/assignments")
    seat = _rows(user, "assignments-table")[0]
    assert (seat["status_label"], seat["status_colour"]) == ("Aktif", "green-9")
    assert "body-cell-status" in next(iter(user.find("assignments-table").elements)).slots


async def test_a_refusal_reaches_the_admin_in_indonesian_then_in_english_after_the_switch(user: User, owner) -> None:
    with db.read_session() as s:
        taken = s.exec(select(ChatGPTAccount.email)).first()
    await _login(user)
    for lang, expected in (("id", f"Akun {taken} sudah ada di daftar akun"), ("en", f"Account {taken} is already in")):
        await user.open("/admin/accounts")
        await user.should_see(marker="acc-add")
        user.find("acc-add").click()
        user.find("acc-email").type(taken)
        user.find("acc-password").type("pw-team-123")
        message = await click_for_message(user, "acc-save")
        assert message.startswith(expected) and "pool" not in message.replace("is already in the pool", ""), message
        if lang == "id":
            assert "already" not in message
            user.find("admin-lang").click()  # the header's switch: English from the next page on
    with db.read_session() as s:
        assert len(s.exec(select(ChatGPTAccount).where(ChatGPTAccount.email == taken)).all()) == 1


async def test_the_switch_turns_navigation_titles_states_and_the_timeline_into_english(user: User, owner) -> None:
    order = _paid_by_qris()
    await _login(user)
    await user.open("/admin")  # (a page the test opens: its handlers carry the signed-in session's cookie)
    await user.should_see("Ringkasan")
    user.find("admin-lang").click()
    await user.open("/admin")
    await user.should_see("Overview")
    await user.should_see("Orders")  # the navigation
    switch = next(iter(user.find("admin-lang").elements))
    assert (switch.props["label"], switch.props["aria-label"]) == ("ID", "Bahasa Indonesia")  # the switch back
    await user.open(f"/admin/orders/{order.code}")
    await user.should_see(f"Order {order.code}")
    assert f"Paid by QRIS · {format_idr(order.amount_idr)}" in _timeline(user)
    assert next(iter(user.find(marker="state-order").elements)).text == "Fulfilled"
    await user.open("/admin/orders")
    assert [r["status"] for r in _rows(user, "orders-table")] == ["Fulfilled"]
    headings = [c["label"] for c in next(iter(user.find("orders-table").elements)).columns]
    assert "Code" in headings and "Created (WIB)" in headings and "Kode" not in headings
    user.find("admin-lang").click()
    await user.open("/admin")
    await user.should_see("Ringkasan")


async def test_audit_filters_are_choices_in_words_and_its_csv_is_in_wib(user: User, owner) -> None:
    _paid_by_qris()
    await _login(user)
    await user.open("/admin/audit")
    await user.should_see(marker="audit-table")
    actors = _options(user, "audit-actor")
    assert actors["admin:owner@example.com"] == "owner@example.com" and actors["scheduler"] == "Jadwal otomatis"
    assert _options(user, "audit-action")["assignment.create"] == "Kursi diberikan"
    assert _options(user, "audit-entity")["assignment"] == "Kursi pelanggan"
    for marker in ("audit-since", "audit-until"):  # day fields in the admin's words, no browser mm/dd/yyyy picker
        field = next(iter(user.find(marker).elements))
        assert field.props.get("type") != "date" and field.props.get("placeholder") == "02 Des 2026"
    next(iter(user.find("audit-action").elements)).value = "assignment.create"
    user.find("audit-apply").click()
    await user.should_see(marker="audit-table")
    for _ in range(200):
        rows = _rows(user, "audit-table")
        if rows and {r["action"] for r in rows} == {"Kursi diberikan"}:
            break
        await asyncio.sleep(0.02)
    assert rows and {r["action"] for r in rows} == {"Kursi diberikan"}, rows
    assert all(ONE_FORMAT.match(r["at"]) for r in rows)
    next(iter(user.find("audit-since").elements)).value = "12/02/2026"  # not a day in our words: said, not guessed
    assert (await click_for_message(user, "audit-apply")).startswith("Tanggal ditulis seperti 02 Des 2026")
    exported = list(csv.reader(io.StringIO(logs.audit_csv(logs.AuditFilters(action="assignment.create")).decode())))
    assert exported[0][:3] == ["waktu_wib", "pelaku", "tindakan"]
    assert exported[1][2] == "Kursi diberikan" and ONE_FORMAT.match(exported[1][0]), exported[1]


async def test_the_overview_has_no_codes_fractions_or_empty_waiting_line(user: User, owner) -> None:
    _paid_by_qris()
    await _login(user)
    await user.should_see(marker="gauge-free")
    await user.should_not_see(marker="pending-stock-count")  # nobody waits for stock: not said
    free = next(iter(user.find("gauge-free").elements)).options["series"][0]
    assert free["max"] % free["splitNumber"] == 0  # every tick a whole seat
    chart = next(iter(user.find("daily-chart").elements)).options
    assert "id-ID" in chart["yAxis"][1]["axisLabel"][":formatter"]  # Rp 80.000, not 80,000
    await user.should_see("Aktif (terlayani)")
    await user.should_not_see("p95")
    await user.should_not_see("Invarian")
    await user.should_see("Pemeriksaan data: semua cocok", retries=60)


async def test_the_csv_uploader_says_what_to_do_not_zero_bytes(user: User, owner) -> None:
    await _login(user)
    await user.open("/admin/accounts")
    await user.should_see("Impor CSV")
    user.find("Impor CSV").click()
    await user.should_see(marker="csv-upload")
    uploader = next(iter(user.find("csv-upload").elements))
    header = uploader.slots["header"].template or ""
    assert "Pilih berkas .csv" in header and "0.0B" not in header and "uploadSizeLabel" not in header
