"""Promo codes: the owner's codes (checked, owner only, audited), the discount maths, every refusal, the limits
counted under the code's lock (two checkouts for the last use cannot both pass), and the API around them."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import select

from api.orders import order_limit
from api.orders import router as orders_router
from api.promos import check_limit
from api.promos import router as promos_router
from domain.admin.admins import create_admin
from domain.admin.reports import make_period, money, wib_day
from domain.payments.checkout import OrderForm, OrderRefused, place_order
from domain.payments.gateway import Checkout, CheckoutRequest, PaymentChannel
from domain.payments.promos import apply_promo, deactivate_promo, promo_rows, save_promo
from domain.shared.errors import Conflict, ValidationFailed
from domain.shared.models import AuditLog, Order, OrderStatus, PromoCode, PromoUse
from infra import db
from infra.types import utcnow
from integrations.gateways import Gateways
from tests.helpers import make_order, make_product, pay


class FakeGateway:
    """A gateway whose cheapest channel takes at least `minimum` rupiah; it remembers what it was asked."""

    name = "fake"

    def __init__(self, minimum: int = 10_000) -> None:
        self.minimum = minimum
        self.requests: list[CheckoutRequest] = []

    def channels(self) -> list[PaymentChannel]:
        return [PaymentChannel(code="QRIS", name="QRIS", group="QRIS", kind="direct", minimum_amount=self.minimum)]

    def create_transaction(self, request: CheckoutRequest) -> Checkout:
        self.requests.append(request)
        return Checkout(
            provider="tripay",
            reference=f"DEV-{request.merchant_ref}",
            method=request.method,
            checkout_url="",
            pay_code="123",
            expires_at=request.expires_at,
        )


@pytest.fixture
def owner_id(engine) -> int:
    return db.in_transaction(lambda s: create_admin(session=s, email="owner@example.com", password="pw-123456789")).id


def _promo(owner_id: int, **data) -> PromoCode:
    fields = {"code": "HEMAT10", "kind": "percent", "value": 10} | data
    return db.in_transaction(lambda s: save_promo(session=s, admin_id=owner_id, data=fields))


def _buy(slug: str, code: str, email: str = "budi@example.com", gateway: FakeGateway | None = None) -> Order:
    form = OrderForm(product_slug=slug, email=email, name="Budi", phone="081234567890", method="QRIS", promo_code=code)
    return place_order(form=form, gateways=[gateway or FakeGateway()], actor="customer", ip="10.0.0.9").order


def _refusal(slug: str, code: str, email: str = "budi@example.com") -> str:
    with pytest.raises(OrderRefused) as caught:
        _buy(slug, code, email)
    return caught.value.errors["promo_code"]


def test_a_percent_code_lowers_the_total_and_is_recorded_with_the_order(engine, owner_id) -> None:
    product = make_product(price_idr=79_000)
    promo = _promo(owner_id, code=" hemat10 ")
    assert promo.code == "HEMAT10", "codes are stored upper case"
    gateway = FakeGateway()
    order = _buy(product.slug, "hemat10", gateway=gateway)
    assert (order.amount_idr, order.discount_idr, order.promo_code_id) == (71_100, 7_900, promo.id)
    assert gateway.requests[0].amount_idr == 71_100, "the gateway is asked for the discounted total"
    with db.read_session() as s:
        use = s.exec(select(PromoUse)).one()
        assert (use.order_id, use.customer, use.discount_idr) == (order.id, "budi@example.com", 7_900)
        audit = s.exec(select(AuditLog).where(AuditLog.action == "promo.use")).one()
    assert (audit.entity, audit.entity_id) == ("promo_code", promo.id)
    assert audit.details["order_code"] == order.code and audit.details["discount_idr"] == 7_900


def test_a_fixed_code_never_takes_the_total_below_the_gateway_minimum(engine, owner_id) -> None:
    product = make_product(price_idr=25_000)
    _promo(owner_id, code="POTONG20K", kind="fixed", value="20.000")
    order = _buy(product.slug, "POTONG20K", gateway=FakeGateway(minimum=10_000))
    assert (order.amount_idr, order.discount_idr) == (10_000, 15_000)
    _promo(owner_id, code="GRATIS", kind="percent", value=100)
    assert _buy(product.slug, "GRATIS", email="ani@example.com", gateway=FakeGateway(minimum=0)).amount_idr == 1


def test_refusals_say_why_in_indonesian_and_write_nothing(engine, owner_id) -> None:
    cheap, other = make_product(price_idr=30_000), make_product(slug="paket-7-hari", price_idr=49_000)
    _promo(owner_id, code="MIN50", min_amount_idr="50.000")
    _promo(owner_id, code="KHUSUS", product_ids=[other.id])
    _promo(owner_id, code="NANTI", valid_from=(utcnow() + timedelta(days=1)).isoformat())
    _promo(owner_id, code="LEWAT", valid_until=(utcnow() - timedelta(minutes=1)).isoformat())
    off = _promo(owner_id, code="MATI")
    db.in_transaction(lambda s: deactivate_promo(session=s, admin_id=owner_id, promo_id=off.id))
    assert _refusal(cheap.slug, "MIN50") == "Minimal pembelian Rp 50.000"
    assert _refusal(cheap.slug, "KHUSUS") == "Kode promo tidak berlaku untuk paket ini"
    assert _refusal(cheap.slug, "NANTI") == "Kode promo belum berlaku"
    assert _refusal(cheap.slug, "LEWAT") == "Kode promo sudah tidak berlaku"
    assert _refusal(cheap.slug, "MATI") == "Kode promo sudah tidak berlaku"
    assert _refusal(cheap.slug, "TIDAKADA") == "Kode promo tidak ditemukan"
    with db.read_session() as s:
        assert s.exec(select(Order)).all() == [] and s.exec(select(PromoUse)).all() == []
    assert _buy(other.slug, "KHUSUS").discount_idr == 4_900, "the package it was made for takes it"


def test_limits_overall_and_per_customer_and_a_lapsed_order_gives_its_use_back(engine, owner_id) -> None:
    product = make_product(price_idr=79_000)
    _promo(owner_id, code="DUAKALI", max_uses=2, max_uses_per_customer=1)
    first = _buy(product.slug, "DUAKALI", email="Budi@Example.com")
    assert _refusal(product.slug, "DUAKALI", email="budi@example.com") == "Anda sudah memakai kode promo ini"
    _buy(product.slug, "DUAKALI", email="ani@example.com")
    assert _refusal(product.slug, "DUAKALI", email="citra@example.com") == "Kode promo sudah habis dipakai"
    with db.write_session() as s:
        lapsed = s.get(Order, first.id)
        lapsed.status = OrderStatus.PAYMENT_EXPIRED
        s.add(lapsed)
    assert _buy(product.slug, "DUAKALI", email="citra@example.com").discount_idr == 7_900
    with db.read_session() as s:
        (row,) = promo_rows(session=s)
    assert (row.uses, row.discount_idr) == (2, 15_800)


def test_two_checkouts_for_the_last_use_do_not_both_pass(engine, owner_id) -> None:
    product = make_product(price_idr=79_000)
    _promo(owner_id, code="TERAKHIR", max_uses=1)
    orders = [make_order(product, email=f"c{i}@example.com") for i in range(2)]
    # on PostgreSQL both transactions stand at the same point before applying; SQLite admits one writer at a time
    overlap = threading.Barrier(2) if engine.dialect.name == "postgresql" else None
    outcomes: list[str] = []

    def checkout(order: Order) -> None:
        def work(s):
            s.get(Order, order.id)
            if overlap is not None:
                overlap.wait(timeout=10)
            apply_promo(session=s, order=s.get(Order, order.id), code="TERAKHIR", floor_idr=None, actor="customer")

        try:
            db.in_transaction(work)
            outcomes.append("applied")
        except ValidationFailed as exc:
            outcomes.append(exc.message)

    threads = [threading.Thread(target=checkout, args=(o,)) for o in orders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["Kode promo sudah habis dipakai", "applied"]
    with db.read_session() as s:
        assert len(s.exec(select(PromoUse)).all()) == 1


def test_the_owner_saves_codes_checked_and_audited_and_staff_may_not(engine, owner_id) -> None:
    staff = db.in_transaction(
        lambda s: create_admin(session=s, email="staff@example.com", password="pw-123456789", role="staff")
    )
    bad = [
        ({"code": "a"}, "code"),
        ({"value": 120}, "value"),
        ({"kind": "fixed", "value": "10,5"}, "value"),
        ({"kind": "gratis"}, "kind"),
        ({"max_uses": "0"}, "max_uses"),
        ({"valid_from": "2026-12-10T00:00+07:00", "valid_until": "2026-12-01T00:00+07:00"}, "valid_until"),
        ({"valid_from": "besok"}, "valid_from"),
        ({"product_ids": [999]}, "product_ids"),
    ]
    for data, field in bad:
        with pytest.raises(ValidationFailed) as caught:
            _promo(owner_id, **data)
        assert caught.value.context["field"] == field
    with pytest.raises(Conflict):
        _promo(staff.id)
    promo = _promo(owner_id, note="Harbolnas")
    with pytest.raises(ValidationFailed, match="sudah ada"):
        _promo(owner_id, code="hemat10")
    edited = db.in_transaction(
        lambda s: save_promo(
            session=s, admin_id=owner_id, promo_id=promo.id, data={"code": "HEMAT10", "kind": "fixed", "value": 5000}
        )
    )
    assert (edited.kind, edited.value, edited.note) == ("fixed", 5000, "")
    with db.read_session() as s:
        actions = [a.action for a in s.exec(select(AuditLog).where(AuditLog.entity == "promo_code")).all()]
        update = s.exec(select(AuditLog).where(AuditLog.action == "promo.update")).one()
    assert actions == ["promo.create", "promo.update"]
    assert update.details["before"]["kind"] == "percent" and update.details["after"]["value"] == 5000


def test_the_money_report_shows_discounts_of_paid_orders(engine, owner_id) -> None:
    product = make_product(price_idr=79_000)
    _promo(owner_id)
    paid = _buy(product.slug, "HEMAT10")
    _buy(product.slug, "HEMAT10", email="ani@example.com")  # unpaid: not in the report
    pay(paid)
    today = wib_day(utcnow())
    with db.read_session() as s:
        rows = money(session=s, period=make_period(today - timedelta(days=6), today))
    assert [r.discounts for r in rows] == [0] * 6 + [7_900]


@pytest.fixture
def api(engine, owner_id):
    order_limit.reset()
    check_limit.reset()
    app = FastAPI()
    app.include_router(orders_router)
    app.include_router(promos_router)
    app.state.gateways = Gateways(chain=[FakeGateway()])
    return TestClient(app)


def test_the_api_checks_a_code_and_places_the_order_with_it(api, owner_id) -> None:
    product = make_product(price_idr=79_000)
    _promo(owner_id, max_uses=1)
    check = api.post("/api/promo-codes/check", json={"code": "hemat10", "package_id": product.slug})
    assert check.status_code == 200
    assert check.json() | {} == {
        "success": True,
        "valid": True,
        "code": "HEMAT10",
        "price": 79_000,
        "discount": 7_900,
        "total": 71_100,
        "message": "",
    }
    body = {
        "customer_email": "budi@example.com",
        "package_id": product.slug,
        "full_name": "Budi",
        "phone_number": "081234567890",
        "payment_method": "QRIS",
        "promo_code": "HEMAT10",
    }
    placed = api.post("/api/orders", json=body)
    assert placed.status_code == 201 and (placed.json()["amount"], placed.json()["discount"]) == (71_100, 7_900)
    again = api.post("/api/orders", json=body | {"customer_email": "ani@example.com"})
    assert again.status_code == 400
    assert again.json()["errors"] == {"promo_code": "Kode promo sudah habis dipakai"}
    english = api.post("/api/promo-codes/check", json={"code": "HEMAT10", "package_id": product.slug, "locale": "en"})
    assert english.json()["valid"] is False and english.json()["message"] == "This promo code has been used up"
    assert api.post("/api/promo-codes/check", json={"code": "X", "package_id": "nope"}).status_code == 404
    hostile = api.post(
        "/api/promo-codes/check", json={"code": "HE\x00MAT", "package_id": product.slug, "email": "a\x00@b.c"}
    )
    assert hostile.status_code == 200 and hostile.json()["message"] == "Kode promo tidak ditemukan"
    assert api.post("/api/promo-codes/check", json={"code": "HEMAT10", "package_id": "a\x00"}).status_code == 404


def test_the_api_preview_never_tells_whether_an_e_mail_used_a_code(api, owner_id) -> None:
    """One use per customer: after budi used it, the public check answers the same for budi's e-mail as for any
    other (nobody learns who used which code); placing budi's second order is what refuses it."""
    product = make_product(price_idr=79_000)
    _promo(owner_id, max_uses_per_customer=1)
    body = {
        "customer_email": "budi@example.com",
        "package_id": product.slug,
        "full_name": "Budi",
        "phone_number": "081234567890",
        "payment_method": "QRIS",
        "promo_code": "HEMAT10",
    }
    assert api.post("/api/orders", json=body).status_code == 201
    for email in ("budi@example.com", "ani@example.com"):
        check = api.post("/api/promo-codes/check", json={"code": "HEMAT10", "package_id": product.slug, "email": email})
        assert check.json()["valid"] is True, email
    second = api.post("/api/orders", json=body)
    assert second.status_code == 400 and "promo_code" in second.json()["errors"]
