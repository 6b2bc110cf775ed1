"""The order timeline carries what its sentences name (issue #18): the payment's method and amount, the seat's
account and how full it was, the e-mail's kind, on both databases; and the count of orders waiting for stock."""

from __future__ import annotations

from domain.orders.admin_actions import order_timeline, waiting_for_stock
from domain.seats.assignments import revoke_assignment
from infra import db
from pages.admin.timeline import sentence
from tests.helpers import checked_out, make_account, make_order, make_product, pay


def test_a_paid_order_s_timeline_names_method_amount_seat_and_mail(engine) -> None:
    product = make_product(price_idr=79_000)
    account = make_account(max_seats=5)
    order = checked_out(product)
    pay(order, actor="tripay")
    with db.read_session() as s:
        timeline = order_timeline(session=s, order_id=order.id)
    by_event = {entry.event: entry for entry in timeline}
    paid = by_event["order.fulfil"]
    assert paid.facts["method"] == "QRIS" and paid.facts["amount_idr"] == 79_000 and paid.facts["actor"] == "tripay"
    seat = by_event["assignment.create"]
    assert (seat.facts["account"], seat.facts["seats_used"], seat.facts["max_seats"]) == (account.email, 1, 5)
    kinds = {entry.facts["kind"] for entry in timeline if entry.event == "email"}
    assert "access_ready" in kinds
    said = [sentence(entry, "id") for entry in timeline]
    assert "Dibayar lewat QRIS · Rp 79.000" in said
    assert "Menunggu pembayaran lewat QRIS (Tripay)" in said
    assert any(s.startswith(f"Kursi di akun {account.email} (1/5)") for s in said), said
    assert [e.at for e in timeline] == sorted(e.at for e in timeline)


def test_a_revoked_seat_s_sentence_carries_the_admin_s_reason(engine) -> None:
    product = make_product()
    make_account(max_seats=2)
    order = make_order(product)
    seat = pay(order).assignment
    db.in_transaction(
        lambda s: revoke_assignment(session=s, assignment_id=seat.id, actor="admin:o@x.id", reason="berbagi login")
    )
    with db.read_session() as s:
        revoked = next(e for e in order_timeline(session=s, order_id=order.id) if e.event == "assignment.revoke")
    assert sentence(revoked, "id") == "Kursi dicabut · alasan: berbagi login"


def test_orders_waiting_for_stock_are_counted_per_pool(engine) -> None:
    product = make_product(pool="kosong")
    for _ in range(2):
        pay(make_order(product))  # no account in that pool: each waits for a seat
    with db.read_session() as s:
        assert waiting_for_stock(session=s, pool="kosong") == 2
        assert waiting_for_stock(session=s, pool="default") == 0
        assert waiting_for_stock(session=s) == 2
