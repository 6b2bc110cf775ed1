"""Sold out: the waitlist of a package that stopped selling (deduplicated, told once when a seat returns, by e-mail
and WhatsApp), and a queued order's place in line and refund request."""

from __future__ import annotations

import pytest
from sqlmodel import select

from domain.catalog.products import update_product
from domain.catalog.waitlist import join_waitlist, waiting_counts
from domain.orders.orders import refund_order
from domain.orders.waiting import queue_position, request_refund
from domain.shared.errors import Conflict, NotFound, ValidationFailed
from domain.shared.links import access_token
from domain.shared.models import AdminAlert, AuditLog, EmailOutbox, Order, OrderStatus, WaitlistEntry, WhatsAppOutbox
from infra import db
from runtime.jobs import tell_waitlist
from tests.helpers import ADMIN, make_account, make_order, make_product, pay


def _stop(product_id: int) -> None:
    db.in_transaction(lambda s: update_product(session=s, actor=ADMIN, product_id=product_id, sold_out_mode="stop"))


def _join(slug: str, contact: str, locale: str = "id") -> tuple[WaitlistEntry, bool]:
    return db.in_transaction(lambda s: join_waitlist(session=s, product_slug=slug, contact=contact, locale=locale))


def test_joining_is_checked_and_the_same_contact_is_kept_once(engine) -> None:
    product = make_product()
    _stop(product.id)
    first, new = _join(product.slug, " Budi@Example.com ")
    assert new and (first.email, first.phone) == ("budi@example.com", "")
    again, new_again = _join(product.slug, "budi@example.com")
    assert not new_again and again.id == first.id
    by_phone, _ = _join(product.slug, "0812-3456-7890")
    assert (by_phone.email, by_phone.phone) == ("", "+6281234567890")
    for bad in ("", "budi@", "12345", "021 555 1234"):
        with pytest.raises(ValidationFailed):
            _join(product.slug, bad)
    with pytest.raises(NotFound):
        _join("tidak-ada", "ani@example.com")
    with db.read_session() as s:
        assert len(s.exec(select(WaitlistEntry)).all()) == 2
        assert len(s.exec(select(AuditLog).where(AuditLog.action == "waitlist.join")).all()) == 2


def test_waiting_customers_are_told_once_when_a_seat_returns(engine) -> None:
    product = make_product()
    _stop(product.id)
    _join(product.slug, "budi@example.com")
    _join(product.slug, "+62 812 3456 7890", locale="en")
    assert tell_waitlist() == "told 0", "no seat yet: nobody is told"
    with db.read_session() as s:
        assert waiting_counts(session=s) == {product.id: 2}  # the owner's packages table: 2 waiting to hear
    make_account(max_seats=1)
    assert tell_waitlist() == "told 2"
    assert tell_waitlist() == "told 0", "told once"
    with db.read_session() as s:
        assert waiting_counts(session=s) == {}
    with db.read_session() as s:
        mail = s.exec(select(EmailOutbox).where(EmailOutbox.kind == "back_in_stock")).one()
        whatsapp = s.exec(select(WhatsAppOutbox)).one()
        entries = s.exec(select(WaitlistEntry)).all()
        audit = s.exec(select(AuditLog).where(AuditLog.action == "waitlist.notify")).one()
    assert mail.to == "budi@example.com" and f"/checkout/{product.slug}" in mail.text
    assert "tersedia lagi" in mail.subject
    assert whatsapp.to == "6281234567890" and "available again" in whatsapp.text
    assert all(e.notified_at is not None for e in entries)
    assert (audit.entity, audit.entity_id, audit.details["told"]) == ("product", product.id, 2)
    again, new = _join(product.slug, "budi@example.com")
    assert new, "after being told, joining again waits for the next time"


def test_a_seat_taken_by_an_order_already_waiting_tells_nobody(engine) -> None:
    product = make_product()
    _stop(product.id)
    waiting = make_order(product)
    pay(waiting)
    _join(product.slug, "budi@example.com")
    make_account(max_seats=1)
    assert tell_waitlist() == "told 0", "the paid order in line gets that seat"


def test_a_queued_order_knows_its_place_and_can_ask_for_a_refund(engine) -> None:
    product = make_product()
    orders = [make_order(product, email=f"c{i}@example.com") for i in range(3)]
    for order in orders:
        pay(order)
    with db.read_session() as s:
        positions = [queue_position(session=s, order=s.get(Order, o.id)) for o in orders]
    assert positions == [1, 2, 3]
    second = orders[1]
    with pytest.raises(NotFound):
        db.in_transaction(lambda s: request_refund(session=s, code=second.code, token="salah"))
    asked = db.in_transaction(lambda s: request_refund(session=s, code=second.code, token=access_token(second.code)))
    assert asked.refund_requested_at is not None and asked.status == OrderStatus.PENDING_STOCK
    again = db.in_transaction(lambda s: request_refund(session=s, code=second.code, token=access_token(second.code)))
    assert again.refund_requested_at == asked.refund_requested_at
    with db.read_session() as s:
        alert = s.exec(select(AdminAlert).where(AdminAlert.key == f"refund_request:{second.code}")).one()
        audits = s.exec(select(AuditLog).where(AuditLog.action == "order.refund_request")).all()
    assert alert.active and second.code in alert.message
    assert len(audits) == 1
    db.in_transaction(lambda s: refund_order(session=s, order_id=second.id, actor=ADMIN, reason="diminta pelanggan"))
    with db.read_session() as s:
        assert not s.exec(select(AdminAlert).where(AdminAlert.key == f"refund_request:{second.code}")).one().active
    make_account(max_seats=1)
    unpaid = make_order(product)
    with pytest.raises(Conflict):
        db.in_transaction(lambda s: request_refund(session=s, code=unpaid.code, token=access_token(unpaid.code)))


def test_a_refund_request_is_closed_when_the_order_gets_a_seat_after_all(engine) -> None:
    """The customer asked while waiting; a seat came before the owner acted: the alert ("still waiting") is
    resolved, and the order keeps the time it was asked (its admin page says so)."""
    product = make_product()
    order = make_order(product)
    pay(order)
    db.in_transaction(lambda s: request_refund(session=s, code=order.code, token=access_token(order.code)))
    make_account(max_seats=1)  # the waiting order is served at once
    with db.read_session() as s:
        served = s.get(Order, order.id)
        alert = s.exec(select(AdminAlert).where(AdminAlert.key == f"refund_request:{order.code}")).one()
    assert served.status == OrderStatus.FULFILLED and served.refund_requested_at is not None
    assert not alert.active
