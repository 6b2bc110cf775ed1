"""Find anything (issue #18, item 3): one search over orders, customers, accounts and seats, a customer's page
and their notes, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from domain.admin.customers import (
    SEARCH_LIMIT,
    customer_summary,
    customers_page,
    latest_note,
    phone_forms,
    save_customer_note,
    search,
)
from domain.admin.listing import orders_page
from domain.orders.admin_actions import mark_paid_manually
from domain.orders.orders import create_order, refund_order
from domain.seats.assignments import extend_assignment
from domain.shared.errors import NotFound, ValidationFailed
from domain.shared.models import AccountAssignment, AuditLog, Order
from infra import db
from tests.helpers import ADMIN, fingerprint, make_account, make_product, pay

PHONE_FORMS = ["0812-9876-5432", "+62 812 9876 5432", "6281298765432", "081298765432", "+6281298765432"]


def _order(product, email: str, name: str = "Budi Santoso", phone: str = "081234567890") -> Order:
    def work(s: Session) -> Order:
        return create_order(session=s, product_slug=product.slug, email=email, name=name, phone=phone)[0]

    return db.in_transaction(work)


def _search(query: str):
    with db.read_session() as s:
        return search(session=s, query=query)


def _codes(query: str) -> list[str]:
    return [o.code for o in _search(query).orders.rows]


@pytest.fixture
def shop(engine):
    product = make_product()
    account = make_account(max_seats=5)
    siti = _order(product, "siti.rahma@example.com", name="Siti Rahmawati", phone="0812-9876-5432")
    pay(siti)
    budi = _order(product, "budi@example.com")
    pay(budi)
    _order(product, "budi@example.com")  # unpaid
    return {"product": product, "account": account, "siti": siti, "budi": budi}


@pytest.mark.parametrize("typed", PHONE_FORMS)
def test_the_orders_list_filter_finds_a_number_in_any_form_too(shop, typed: str) -> None:
    with db.read_session() as s:
        found = orders_page(session=s, search=typed)
        by_name = orders_page(session=s, search="rahmawati")
    assert [o.code for o in found.rows] == [shop["siti"].code]
    assert [o.code for o in by_name.rows] == [shop["siti"].code]


@pytest.mark.parametrize("typed", PHONE_FORMS)
def test_a_whatsapp_number_in_any_form_finds_the_one_order(shop, typed: str) -> None:
    assert _codes(typed) == [shop["siti"].code]
    customers = _search(typed).customers.rows
    assert [c.email for c in customers] == ["siti.rahma@example.com"]


def test_a_part_of_a_number_finds_it_and_a_number_nobody_gave_finds_nothing(shop) -> None:
    assert _codes("9876-5432") == [shop["siti"].code]
    assert _codes("0813-1111-2222") == []
    assert phone_forms("Siti") == (None, None)
    assert phone_forms("0812 9876 5432") == ("+6281298765432", "6281298765432")


def test_code_email_in_any_case_name_part_and_account_email(shop) -> None:
    siti = shop["siti"]
    assert _codes(siti.code.lower()) == [siti.code]
    assert _codes("SITI.RAHMA@Example.COM") == [siti.code]
    assert _codes("rahmaw") == [siti.code]
    assert len(_codes("budi")) == 2
    account = shop["account"]
    found = _search(account.email.upper())
    assert [a.id for a in found.accounts.rows] == [account.id]
    assert {seat.customer_email for seat in found.seats.rows} == {"siti.rahma@example.com", "budi@example.com"}
    assert _search(siti.code).seats.rows[0].order_id == siti.id


def test_percent_and_underscore_are_literal(shop) -> None:
    product = shop["product"]
    odd = _order(product, "a_b@example.com", name="Persen 100%")
    assert _codes("%") == [odd.code]
    assert _codes("_") == [odd.code]
    assert _codes("a_b") == [odd.code]
    assert _codes("100%") == [odd.code]
    assert _codes("\\") == []
    assert _search("%").accounts.rows == []


def test_results_are_bounded_and_say_there_are_more(engine) -> None:
    product = make_product()
    for n in range(SEARCH_LIMIT + 2):
        _order(product, f"ramai{n}@example.com")
    found = _search("ramai")
    assert len(found.orders.rows) == SEARCH_LIMIT and found.orders.more
    assert len(found.customers.rows) == SEARCH_LIMIT and found.customers.more
    assert _search("   ").empty
    assert _search("x" * 5000).empty
    assert len(_search("ram\x00ai").orders.rows) == SEARCH_LIMIT  # NUL is dropped, never sent to PostgreSQL


PLAIN_SPENT = """
SELECT COALESCE(SUM(CASE WHEN paid_at IS NOT NULL
                          AND id NOT IN (SELECT order_id FROM manual_payments WHERE kind = 'order')
                         THEN COALESCE(paid_amount_idr, 0) ELSE 0 END
                    + (SELECT COALESCE(SUM(amount_idr), 0) FROM manual_payments m WHERE m.order_id = orders.id)
                    - COALESCE(refunded_amount_idr, 0)),
                0)
FROM orders WHERE email = :email
"""


def test_customer_summary_totals_equal_a_plain_sql_sum(shop) -> None:
    product = shop["product"]
    third = _order(product, "budi@example.com")
    pay(third)
    refunded = _order(product, "budi@example.com")
    pay(refunded)
    db.in_transaction(lambda s: refund_order(session=s, order_id=refunded.id, actor=ADMIN, reason="batal"))
    with db.write_session() as s:  # a partial refund recorded with its amount
        s.exec(sa.update(Order).where(Order.id == third.id).values(refunded_amount_idr=9_000))  # type: ignore[call-overload]
    by_hand = _order(product, "budi@example.com")  # paid in cash, less than the price, then extended for cash
    db.in_transaction(
        lambda s: mark_paid_manually(
            session=s, order_id=by_hand.id, actor=ADMIN, reason="tunai", amount_idr=70_000, method="cash"
        )
    )
    with db.read_session() as s:
        seat = s.exec(select(AccountAssignment).where(AccountAssignment.order_id == by_hand.id)).one()
    db.in_transaction(
        lambda s: extend_assignment(
            session=s, assignment_id=seat.id, actor=ADMIN, days=30, amount_idr=50_000, method="transfer"
        )
    )
    with db.read_session() as s:
        summary = customer_summary(session=s, key="BUDI@example.com")
        plain = s.connection().execute(sa.text(PLAIN_SPENT), {"email": "budi@example.com"}).scalar_one()
        paid = s.connection().execute(
            sa.text("SELECT COUNT(*) FROM orders WHERE email = :e AND paid_at IS NOT NULL"), {"e": "budi@example.com"}
        )
        listed = {row.email: row for row in customers_page(session=s).rows}
    assert summary is not None
    # the refunded order counts nothing (refunded in full), the cash order what was taken, not its price
    assert summary.spent_idr == plain == 79_000 * 2 - 9_000 + 70_000 + 50_000
    assert summary.paid_orders == paid.scalar_one() == 4
    assert summary.order_count == 5 and len(summary.orders) == 5
    assert summary.orders[0].id == by_hand.id, "newest first"
    assert listed["budi@example.com"].spent_idr == plain and listed["budi@example.com"].orders == 5
    active = [s.order_code for s in summary.seats if s.seat.status == "ACTIVE"]
    assert active == [by_hand.code, third.code, shop["budi"].code]
    assert summary.resend_order_id == by_hand.id


def test_a_customer_found_by_phone_shows_the_orders_with_that_phone(shop) -> None:
    other = _order(shop["product"], "siti.lain@example.com", phone="+62 812 9876 5432")
    with db.read_session() as s:
        summary = customer_summary(session=s, key="0812-9876-5432")
        assert customer_summary(session=s, key="nobody@example.com") is None
        assert customer_summary(session=s, key="bukan nomor") is None
    assert summary is not None and summary.by_phone and summary.key == "+6281298765432"
    assert [o.id for o in summary.orders] == [other.id, shop["siti"].id]
    assert summary.emails == ["siti.lain@example.com", "siti.rahma@example.com"]


def test_customers_list_is_newest_first_paged_and_filtered(shop) -> None:
    with db.read_session() as s:
        first = customers_page(session=s, per_page=1)
        second = customers_page(session=s, page=2, per_page=1)
        filtered = customers_page(session=s, search="0812 9876 5432")
    assert first.total == 2 and [r.email for r in first.rows] == ["budi@example.com"]
    assert [r.email for r in second.rows] == ["siti.rahma@example.com"]
    assert filtered.total == 1 and filtered.rows[0].name == "Siti Rahmawati"


def test_a_note_is_audited_and_the_latest_is_shown(shop) -> None:
    key = "siti.rahma@example.com"
    db.in_transaction(lambda s: save_customer_note(session=s, key=key, note="Bayar tunai", actor=ADMIN))
    db.in_transaction(lambda s: save_customer_note(session=s, key=key.upper(), note=" Pelanggan setia ", actor=ADMIN))
    with db.read_session() as s:
        note = latest_note(session=s, key=key)
        rows = s.exec(select(AuditLog).where(AuditLog.action == "customer.note")).all()
        assert latest_note(session=s, key="budi@example.com") is None
    assert note is not None and note.text == "Pelanggan setia" and note.by == ADMIN
    assert len(rows) == 2 and rows[-1].details["before"] == {"note": "Bayar tunai"}


def test_a_bad_note_changes_nothing(shop, engine) -> None:
    before = fingerprint(engine)
    for key, note, error in [
        ("nobody@example.com", "x", NotFound),
        ("bukan kunci", "x", ValidationFailed),
        ("budi@example.com", "x" * 2001, ValidationFailed),
        ("budi@example.com", "a\x00b", ValidationFailed),
    ]:
        with pytest.raises(error, match="Catatan|Pelanggan|pesanan"):  # said in Indonesian
            db.in_transaction(lambda s, k=key, n=note: save_customer_note(session=s, key=k, note=n, actor=ADMIN))
    assert fingerprint(engine) == before
