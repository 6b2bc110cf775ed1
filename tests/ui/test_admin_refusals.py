"""Trust #13: admin addresses and inputs that named nothing usable answered 500 (a select given a value it does
not offer, an id too large for an INTEGER column, a seat extended past year 9999). Each is now a page that
drops the filter and says so, or a refusal shown as a message; nothing changes."""

from __future__ import annotations

from datetime import datetime

import pytest
from nicegui.testing import User

from domain.admin.admins import create_admin
from domain.shared.models import AccountAssignment
from infra import db
from tests.ui.test_admin import EMAIL, PASSWORD, _login, _paid_order, _rows
from tests.ui.test_admin_numbers import click_for_message

HUGE = "99999999999999999999"
ADDRESSES = [
    ("/admin/orders?status=bogus", "orders-table"),
    ("/admin/audit?entity_id=" + HUGE, "audit-table"),
    ("/admin/audit?entity_id=abc", "audit-table"),
    ("/admin/audit?entity=bogus", "audit-table"),
    ("/admin/assignments?account_id=" + HUGE, "assignments-table"),
    ("/admin/assignments?account_id=-1", "assignments-table"),
    ("/admin/assignments?status=bogus", "assignments-table"),
    ("/admin/webhooks?outcome=bogus", "webhooks-table"),
]


@pytest.fixture
def owner(engine):
    return db.in_transaction(lambda s: create_admin(session=s, email=EMAIL, password=PASSWORD))


async def test_an_unusable_filter_in_the_address_is_ignored_with_a_note(user: User, owner) -> None:
    _paid_order()
    await _login(user)
    for path, table in ADDRESSES:
        response = await user.http_client.get(path)
        assert response.status_code == 200 and "Traceback" not in response.text, path
        await user.open(path)
        await user.should_see(marker="filter-ignored")
        await user.should_see("diabaikan")
        await user.should_see(marker=table)
        if table != "webhooks-table":
            assert _rows(user, table), f"{path}: every row is listed, as without the filter"


async def test_a_usable_filter_in_the_address_still_filters(user: User, owner) -> None:
    seat = _paid_order()
    await _login(user)
    await user.open(f"/admin/audit?entity=assignment&entity_id={seat}")
    await user.should_see(marker="audit-table")
    await user.should_not_see(marker="filter-ignored")
    assert {r["entity_label"] for r in _rows(user, "audit-table")} == {f"Kursi pelanggan #{seat}"}


async def test_an_audit_id_too_large_is_refused_in_the_page(user: User, owner) -> None:
    _paid_order()
    await _login(user)
    await user.open("/admin/audit")
    await user.should_see(marker="audit-table")
    before = _rows(user, "audit-table")
    user.find("audit-entity-id").type(HUGE)
    assert (await click_for_message(user, "audit-apply")).startswith("ID harus bilangan bulat")
    assert _rows(user, "audit-table") == before


def _end_of(seat_id: int) -> datetime:
    with db.read_session() as s:
        return s.get(AccountAssignment, seat_id).end_at


async def _open_extend(user: User, seat_id: int) -> None:
    await user.open("/admin/assignments")
    await user.should_see(marker="assignments-table")
    row = next(r for r in _rows(user, "assignments-table") if r["id"] == seat_id)
    user.find("assignments-table").trigger("extend", row)
    await user.should_see(marker="extend-save")


async def test_extension_days_it_cannot_use_are_refused_not_clamped(user: User, owner) -> None:
    seat_id = _paid_order()
    end = _end_of(seat_id)
    await _login(user)
    await _open_extend(user, seat_id)
    for typed in (HUGE, "10.000", "2.5", "0", "-3", "3651", "tujuh"):
        user.find("extend-days").clear().type(typed)
        preview = next(iter(user.find("extend-preview").elements)).text
        assert preview == "Jumlah hari harus bilangan bulat dari 1 sampai 3650", typed
        assert await click_for_message(user, "extend-save") == preview, typed
        assert _end_of(seat_id) == end, typed


async def test_a_new_end_date_in_year_9999_is_refused_with_a_message(user: User, owner) -> None:
    seat_id = _paid_order()
    end = _end_of(seat_id)
    await _login(user)
    await _open_extend(user, seat_id)
    with user.client:
        next(iter(user.find("extend-mode").elements)).value = "date"
    user.find("extend-date").clear().type("9999-12-31")
    assert await click_for_message(user, "extend-save") == "Satu perpanjangan paling banyak 3650 hari"  # translated
    assert _end_of(seat_id) == end
