"""The owner's shop settings: .env defaults, saving (checked, owner only, audited), the per-process cache, and
where the shop uses them (payment window, low-pool alert, reminder days, e-mail support line, stop selling)."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import select

from api.orders import order_limit, router
from domain.admin.admins import create_admin
from domain.admin.shop_settings import LOGO_MAX_BYTES, logo_data_url, save_shop_settings
from domain.catalog.products import update_product
from domain.payments.checkout import OrderForm, SoldOut, place_order
from domain.payments.gateway import Checkout, CheckoutRequest, PaymentChannel
from domain.shared.errors import Conflict, ValidationFailed
from domain.shared.models import AuditLog, EmailOutbox, Order, ShopSetting
from domain.shared.shop_settings import SHOP_CONFIG, ShopConfigCache, read_shop_config
from infra import db
from infra.settings import Settings
from infra.types import utcnow
from integrations.gateways import Gateways
from runtime.jobs import send_reminders, watch_pool
from tests.helpers import ADMIN, fingerprint, make_account, make_order, make_product, pay

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def owner_id(engine) -> int:
    return db.in_transaction(lambda s: create_admin(session=s, email="owner@example.com", password="pw-123456789")).id


@pytest.fixture
def staff_id(engine) -> int:
    return db.in_transaction(
        lambda s: create_admin(session=s, email="staff@example.com", password="pw-123456789", role="staff")
    ).id


def _save(admin_id: int, **changes):
    return db.in_transaction(lambda s: save_shop_settings(session=s, admin_id=admin_id, changes=changes, ip="10.0.0.1"))


def _config():
    with db.read_session() as s:
        return read_shop_config(session=s)


def _form(slug: str) -> OrderForm:
    return OrderForm(product_slug=slug, email="budi@example.com", name="Budi", phone="081234567890", method="QRIS")


class FakeGateway:
    """A gateway that takes every order and remembers what it was asked."""

    name = "fake"

    def __init__(self) -> None:
        self.requests: list[CheckoutRequest] = []

    def channels(self) -> list[PaymentChannel]:
        return [PaymentChannel(code="QRIS", name="QRIS", group="QRIS", kind="direct")]

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


def test_absent_keys_read_as_the_env_defaults(engine, monkeypatch) -> None:
    env = Settings(
        _env_file=None,
        SHOP_NAME="Toko Env",
        SHOP_TAGLINE="Slogan env",
        SUPPORT_WHATSAPP="0812-3456-7890",
        SUPPORT_EMAIL="cs@example.com",
        PAYMENT_WINDOW_MINUTES=45,
        LOW_POOL_THRESHOLD=7,
        REMINDER_DAYS="5,2",
    )
    monkeypatch.setattr("infra.settings.get_settings", lambda: env)
    config = _config()
    assert (config.shop_name, config.tagline, config.support_whatsapp, config.support_email) == (
        "Toko Env",
        "Slogan env",
        "+6281234567890",
        "cs@example.com",
    )
    assert (config.payment_window_minutes, config.low_pool_threshold, config.reminder_days) == (45, 7, (5, 2))
    assert config.banner == "" and config.logo == "" and config.terms_text == ""
    assert config.contact == "WhatsApp +6281234567890 · cs@example.com"


def test_an_owner_saves_and_the_audit_keeps_before_and_after(engine, owner_id) -> None:
    saved = _save(
        owner_id,
        shop_name="  Toko Budi ",
        support_whatsapp="0812-3456-7890",
        payment_window_minutes="30",
        reminder_days="5, 2",
        banner_on=True,
        banner_text="Promo akhir tahun!",
        logo=logo_data_url(PNG),
    )
    assert saved.shop_name == "Toko Budi" and saved.support_whatsapp == "+6281234567890"
    assert saved.payment_window_minutes == 30 and saved.reminder_days == (5, 2)
    assert saved.banner == "Promo akhir tahun!" and saved.logo.startswith("data:image/png;base64,")
    assert _config() == saved, "what was saved is what is read"
    with db.read_session() as s:
        rows = {row.key: row for row in s.exec(select(ShopSetting))}
        entry = s.exec(select(AuditLog).where(AuditLog.action == "settings.update")).one()
    assert set(rows) == {"shop_name", "support_whatsapp", "payment_window_minutes", "reminder_days", "banner_on"} | {
        "banner_text",
        "logo",
    }
    assert rows["reminder_days"].value == [5, 2] and rows["shop_name"].updated_by == "admin:owner@example.com"
    assert entry.actor == "admin:owner@example.com" and entry.entity == "settings" and entry.ip == "10.0.0.1"
    assert entry.details["before"]["shop_name"] == "AksesGPT"
    assert entry.details["after"]["shop_name"] == "Toko Budi"
    assert entry.details["after"]["payment_window_minutes"] == 30
    assert "base64" not in entry.details["after"]["logo"], "the audit names the logo, not its bytes"
    before = fingerprint(engine)
    assert _save(owner_id, shop_name="Toko Budi") == saved
    assert fingerprint(engine) == before, "saving the same values writes nothing (no empty audit entry)"


BAD = [
    ({"shop_name": "  "}, "Nama toko wajib diisi."),
    ({"shop_name": "x" * 61}, "Nama toko terlalu panjang"),
    ({"support_whatsapp": "021-555-1234"}, "Nomor WhatsApp bantuan harus nomor HP Indonesia"),
    ({"support_email": "bukan-email"}, "E-mail bantuan tidak valid."),
    ({"payment_window_minutes": "5"}, "Batas waktu bayar harus bilangan bulat dari 10 sampai 1440 menit."),
    ({"payment_window_minutes": "1,5"}, "Batas waktu bayar harus bilangan bulat"),
    ({"low_pool_threshold": "-1"}, "Batas stok menipis harus bilangan bulat dari 0"),
    ({"reminder_days": "1,3"}, "Hari pengingat: tulis dua angka"),
    ({"reminder_days": "3"}, "Hari pengingat: tulis dua angka"),
    ({"reminder_days": "40,1"}, "Hari pengingat: tulis dua angka"),
    ({"banner_on": True, "banner_text": ""}, "Tulis teks pengumuman sebelum menyalakannya."),
    ({"banner_on": "ya"}, "Pilihan hidup/mati tidak terbaca."),
    ({"logo": "http://contoh.id/logo.png"}, "Alamat logo harus diawali https://"),
    ({"logo": "javascript:alert(1)"}, "Alamat logo harus diawali https://"),
    ({"logo": "data:image/svg+xml;base64,PHN2Zz48L3N2Zz4="}, "Logo harus gambar PNG, JPEG, WebP atau GIF."),
    ({"logo": "data:image/png;base64," + base64.b64encode(b"<html>").decode()}, "bukan gambar"),
    ({"terms_text": "a\x00b"}, "tidak bisa disimpan"),
    ({"shop_name": "Toko Baik", "support_email": "salah"}, "E-mail bantuan tidak valid."),  # one bad: none saved
    ({"colour": "red"}, "Pengaturan tidak dikenal: colour."),
]


@pytest.mark.parametrize(("changes", "message"), BAD)
def test_bad_input_is_refused_in_indonesian_and_changes_nothing(engine, owner_id, changes, message) -> None:
    before = fingerprint(engine)
    with pytest.raises(ValidationFailed) as refused:
        _save(owner_id, **changes)
    assert message in refused.value.message
    assert fingerprint(engine) == before


def test_logos_are_images_of_bounded_size() -> None:
    assert logo_data_url(PNG).startswith("data:image/png;base64,")
    assert logo_data_url(b"RIFF\x00\x00\x00\x00WEBPVP8 ").startswith("data:image/webp;")
    with pytest.raises(ValidationFailed, match="PNG, JPEG, WebP atau GIF"):
        logo_data_url(b"<svg onload=alert(1)></svg>")
    with pytest.raises(ValidationFailed, match="Logo terlalu besar"):
        logo_data_url(PNG + b"\x00" * LOGO_MAX_BYTES)


def test_only_an_active_owner_saves(engine, owner_id, staff_id) -> None:
    before = fingerprint(engine)
    with pytest.raises(Conflict, match="Hanya pemilik"):
        _save(staff_id, shop_name="Toko Staf")
    with pytest.raises(Conflict, match="Hanya pemilik"):
        _save(9999, shop_name="Toko Siapa")
    assert fingerprint(engine) == before


def test_the_cache_reads_once_and_again_after_a_save(engine, owner_id) -> None:
    cache = ShopConfigCache()
    with db.read_session() as s:
        assert cache.get(session=s).shop_name == "AksesGPT"
        assert cache.get(session=s).shop_name == "AksesGPT"
    assert cache.load().shop_name == "AksesGPT" and cache.reads == 1, "kept: one read for three calls"
    _save(owner_id, shop_name="Toko Baru")
    assert cache.load().shop_name == "AksesGPT", "this cache hears of no change"
    # the process's own cache hears the save's commit at once (the change feed tells the other processes)
    SHOP_CONFIG.load()
    _save(owner_id, shop_name="Toko Lagi")
    assert SHOP_CONFIG.cached() is None
    assert SHOP_CONFIG.load().shop_name == "Toko Lagi"
    cache.expire()
    assert cache.load().shop_name == "Toko Lagi" and cache.reads == 2


def test_a_new_database_is_never_served_the_old_databases_settings(engine, owner_id) -> None:
    _save(owner_id, shop_name="Toko Lama")
    assert SHOP_CONFIG.load().shop_name == "Toko Lama"
    other = db.make_engine(str(engine.url.render_as_string(hide_password=False)))
    try:
        assert SHOP_CONFIG.cached(other) is None
    finally:
        other.dispose()


def test_orders_get_the_owners_payment_window(engine, owner_id) -> None:
    product = make_product()
    _save(owner_id, payment_window_minutes="15")
    gateway = FakeGateway()
    form = OrderForm(
        product_slug=product.slug, email="budi@example.com", name="Budi", phone="081234567890", method="QRIS"
    )
    started = utcnow()
    placed = place_order(form=form, gateways=[gateway], actor="test", ip=None)
    window = gateway.requests[0].expires_at - started
    assert timedelta(minutes=14) < window <= timedelta(minutes=15, seconds=5)
    assert placed.order.payment_expires_at == gateway.requests[0].expires_at


def test_the_low_pool_alert_uses_the_owners_threshold(engine, owner_id) -> None:
    make_account(max_seats=4)
    _save(owner_id, low_pool_threshold="3")
    assert watch_pool() == "ok: 4 free"
    _save(owner_id, low_pool_threshold="10")
    assert watch_pool() == "low: 4 free"
    with db.read_session() as s:
        alert = s.exec(select(EmailOutbox).where(EmailOutbox.kind == "admin_alert")).first()
    assert alert is not None and "batas 10" in alert.text


def test_reminders_go_out_on_the_owners_days(engine, owner_id) -> None:
    _save(owner_id, reminder_days="7,2", shop_name="Toko Budi", support_email="cs@example.com")
    product = make_product(duration_days=30)
    make_account(max_seats=5)
    seat = pay(make_order(product)).assignment
    assert send_reminders(now=seat.end_at - timedelta(days=8)) == "reminders 0"
    assert send_reminders(now=seat.end_at - timedelta(days=7)) == "reminders 1"
    assert send_reminders(now=seat.end_at - timedelta(days=3)) == "reminders 0", "3 days is no longer a reminder"
    assert send_reminders(now=seat.end_at - timedelta(days=2)) == "reminders 1"
    assert send_reminders(now=seat.end_at - timedelta(hours=1)) == "reminders 0"
    with db.read_session() as s:
        mails = s.exec(select(EmailOutbox).where(EmailOutbox.order_id == seat.order_id)).all()
    kinds = [m.kind for m in mails]
    assert kinds.count("reminder_7d") == 1 and kinds.count("reminder_2d") == 1
    reminders = [m for m in mails if m.kind.startswith("reminder")]  # (rendered a batch at a time)
    assert all(m.text.endswith("-- \nToko Budi\n") and "Butuh bantuan? cs@example.com" in m.text for m in reminders)


def test_customer_emails_carry_the_shop_name_and_end_with_the_support_line(engine, owner_id) -> None:
    _save(owner_id, shop_name="Toko Budi", support_whatsapp="081234567890", support_email="cs@example.com")
    product = make_product()
    make_account(max_seats=5)
    order = pay(make_order(product)).order
    with db.read_session() as s:
        mails = s.exec(select(EmailOutbox).where(EmailOutbox.order_id == order.id)).all()
    assert mails and all("Butuh bantuan? WhatsApp +6281234567890 · cs@example.com" in m.text for m in mails)
    assert all(m.text.endswith("-- \nToko Budi\n") and ">Toko Budi</td>" in m.html for m in mails)
    assert all("AksesGPT" not in m.text for m in mails)


@pytest.fixture
def api(engine):
    app = FastAPI()
    app.include_router(router)
    gateway = FakeGateway()
    app.state.settings, app.state.gateways = Settings(_env_file=None), Gateways(chain=[gateway])
    order_limit.reset()
    return TestClient(app)


def _post(api: TestClient, slug: str):
    body = {
        "customer_email": "budi@example.com",
        "package_id": slug,
        "full_name": "Budi",
        "phone_number": "081234567890",
        "payment_method": "QRIS",
    }
    return api.post("/api/orders", json=body)


def _orders() -> int:
    with db.read_session() as s:
        return len(s.exec(select(Order)).all())


def _mode(product_id: int, mode: str) -> None:
    db.in_transaction(lambda s: update_product(session=s, actor=ADMIN, product_id=product_id, sold_out_mode=mode))


def test_a_package_that_stops_selling_refuses_orders_while_its_pool_is_empty(engine, api) -> None:
    product = make_product()
    _mode(product.id, "stop")
    before = fingerprint(engine)
    reply = _post(api, product.slug)
    assert reply.status_code == 409
    assert reply.json() == {"success": False, "message": f"package {product.slug!r} is sold out; try again later"}
    assert fingerprint(engine) == before and _orders() == 0, "no order created"
    make_account(max_seats=1)  # a seat returns: it sells again
    assert _post(api, product.slug).status_code == 201 and _orders() == 1


def test_a_package_that_queues_still_sells_with_an_empty_pool(engine, api) -> None:
    product = make_product()
    assert product.sold_out_mode == "queue"
    reply = _post(api, product.slug)
    assert reply.status_code == 201 and reply.json()["status"] == "pending_payment"
    assert _orders() == 1


def test_sold_out_is_a_conflict_for_the_checkout_page_too(engine) -> None:
    product = make_product()
    _mode(product.id, "stop")
    form = OrderForm(
        product_slug=product.slug, email="budi@example.com", name="Budi", phone="081234567890", method="QRIS"
    )
    with pytest.raises(SoldOut):
        place_order(form=form, gateways=[FakeGateway()], actor="test", ip=None)
    assert _orders() == 0
