"""The order page's "Perpanjang" section (issue #19 item 2): offered under an active seat and one ended within the
grace period, with the packages of the seat's pool and the end each gives; not offered past the grace period; a
wrong choice is said in words and places nothing."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import sqlalchemy as sa
from nicegui.testing import User
from sqlmodel import col, select

from domain.admin.admins import create_admin
from domain.catalog.pool import retire_account
from domain.orders.orders import create_order, record_payment
from domain.orders.renewals import create_renewal
from domain.seats.assignments import release_expired_assignments
from domain.shared.links import access_token
from domain.shared.models import AccountAssignment, Order
from infra import db
from infra.types import utcnow
from tests.ui.test_open_admin_tabs import OWNER, sign_in


def _paid_order() -> Order:
    def work(s):
        order, _ = create_order(
            session=s, product_slug="paket-30-hari", email="sari@example.com", name="Sari", phone="081234567890"
        )
        record_payment(session=s, order_id=order.id, amount_idr=order.amount_idr, actor="tripay_webhook")
        return order

    return db.in_transaction(work)


def _link(order: Order, renew: bool = False) -> str:
    return f"/order/{order.code}?t={access_token(order.code)}" + ("&renew=1" if renew else "")


def _end_seat(order: Order, days_ago: float) -> None:
    with db.write_session() as s:
        s.execute(
            sa.update(AccountAssignment)
            .where(col(AccountAssignment.order_id) == order.id)
            .values(start_at=utcnow() - timedelta(days=40), end_at=utcnow() - timedelta(minutes=1))
        )
    db.in_transaction(lambda s: release_expired_assignments(session=s))
    past = utcnow() - timedelta(days=days_ago)
    with db.write_session() as s:
        s.execute(
            sa.update(AccountAssignment)
            .where(col(AccountAssignment.order_id) == order.id)
            .values(end_at=past, ended_at=past)
        )


def _renewals() -> list[Order]:
    with db.read_session() as s:
        return list(s.exec(select(Order).where(col(Order.renews_order_id).is_not(None))))


async def test_an_active_seat_offers_the_packages_of_its_pool(user: User) -> None:
    order = _paid_order()
    await user.open(_link(order))
    await user.should_see("Perpanjang kursi yang sama: akun dan riwayat chat Anda tetap.")
    user.find("renew-open").click()
    await user.should_see("Pilih paket")
    await user.should_see("ChatGPT Plus 90 Hari · Rp 199.000 · 90 hari → berakhir")
    await user.should_see("Bayar perpanjangan")
    package = next(iter(user.find("renew-package").elements))
    method = next(iter(user.find("renew-method").elements))
    assert package.value == "paket-30-hari"  # the seat's own package comes chosen
    assert method.options["BRIVA"].endswith("Total Rp 81.500")  # its price plus the channel's fee
    package.set_value("paket-90-hari")
    for _ in range(50):  # the fees are asked for the new price in a thread
        if method.options["BRIVA"].endswith("Total Rp 201.500"):
            break
        await asyncio.sleep(0.05)
    assert method.options["BRIVA"].endswith("Total Rp 201.500")


async def test_a_seat_ended_within_grace_opens_from_the_reminder_link_and_wants_a_method(user: User) -> None:
    order = _paid_order()
    _end_seat(order, days_ago=1)
    await user.open(_link(order, renew=True))
    await user.should_see("Masa aktif berakhir pada")
    await user.should_see("kursi ini masih bisa diperpanjang sampai")
    await user.should_see("Pilih paket")  # opened at once by the reminder's link
    user.find("renew-submit").click()
    await user.should_see("Pilih metode pembayaran.")
    assert _renewals() == []  # nothing placed


async def test_past_the_grace_period_only_a_new_package_is_offered(user: User) -> None:
    order = _paid_order()
    _end_seat(order, days_ago=5)
    await user.open(_link(order, renew=True))
    await user.should_see("Masa aktif berakhir pada")
    await user.should_see("Perpanjang dengan paket baru")
    await user.should_not_see("Pilih paket")
    await user.should_not_see("Bayar perpanjangan")


async def test_a_renewal_seated_elsewhere_is_pointed_to_from_the_first_order(user: User) -> None:
    """The old account was retired after the seat ended: the paid renewal gets a seat on another account, and the
    first order's page (which keeps its ended seat) says so and links to the renewal's page with the new login."""
    order = _paid_order()
    _end_seat(order, days_ago=1)
    with db.read_session() as s:
        [old] = s.exec(select(AccountAssignment).where(AccountAssignment.order_id == order.id)).all()
    db.in_transaction(lambda s: retire_account(session=s, actor="test", account_id=old.chatgpt_account_id))

    def renew(s):
        renewal, _ = create_renewal(
            session=s, code=order.code, token=access_token(order.code), product_slug="paket-30-hari", actor="test"
        )
        record_payment(session=s, order_id=renewal.id, amount_idr=renewal.amount_idr, actor="tripay_webhook")
        return renewal

    renewal = db.in_transaction(renew)
    with db.read_session() as s:
        [seat] = s.exec(select(AccountAssignment).where(AccountAssignment.order_id == renewal.id)).all()
    assert seat.chatgpt_account_id != old.chatgpt_account_id
    await user.open(_link(order))
    await user.should_see("Masa aktif berakhir pada")
    await user.should_see(f"Perpanjangan Anda ({renewal.code}) mendapat kursi baru di akun lain.")
    await user.should_see(f"Buka pesanan {renewal.code} (kursi baru Anda)")
    await user.open(_link(renewal))  # and the renewal's own page says why, with the way back
    await user.should_see("Kursi lama Anda tidak bisa dipakai lagi")
    await user.should_see(f"Buka pesanan {order.code} (kursi Anda)")


async def test_the_admin_order_pages_link_a_seat_s_order_and_its_renewals(user: User) -> None:
    db.in_transaction(lambda s: create_admin(session=s, email=OWNER[0], password=OWNER[1]))
    order = _paid_order()

    def renew(s):
        renewal, _ = create_renewal(
            session=s, code=order.code, token=access_token(order.code), product_slug="paket-30-hari", actor="test"
        )
        record_payment(session=s, order_id=renewal.id, amount_idr=renewal.amount_idr, actor="tripay_webhook")
        return renewal

    renewal = db.in_transaction(renew)
    await sign_in(user, OWNER)
    await user.open(f"/admin/orders/{order.code}")
    await user.should_see("Diperpanjang oleh:")
    await user.should_see(renewal.code)
    await user.should_see("refund perpanjangan itu juga bila uangnya dikembalikan")
    await user.open(f"/admin/orders/{renewal.code}")
    await user.should_see("Perpanjangan dari pesanan")
    await user.should_see(order.code, marker="order-renews")
