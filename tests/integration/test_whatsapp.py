"""Customer messages on WhatsApp: a Fonnte-compatible gateway on loopback, the real driver, the real outbox."""

from __future__ import annotations

import logging
import re
import secrets
from datetime import timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import select

from api.orders import order_limit
from api.orders import router as orders_router
from domain.admin.admins import create_admin
from domain.admin.shop_settings import save_shop_settings
from domain.catalog.pool import update_account
from domain.notify.whatsapp import on_whatsapp_committed, queue_whatsapp
from domain.orders.orders import create_order, refund_order
from domain.payments.checkout import attach_checkout
from domain.payments.gateway import Checkout
from domain.seats.allocation import reseat
from domain.seats.assignments import extend_assignment
from domain.shared.crypto import encrypt_secret
from domain.shared.errors import ValidationFailed
from domain.shared.links import order_link
from domain.shared.models import AccountAssignment, ChatGPTAccount, MailStatus, Order, WhatsAppOutbox
from infra import db
from infra.settings import Settings
from infra.types import utcnow
from integrations.gateways import Gateways
from integrations.whatsapp import FONNTE_BASE, WABLAS_BASE, FonnteSender, WablasSender, whatsapp_sender_for
from runtime.delivery import deliver_outbox, deliver_whatsapp_outbox
from runtime.jobs import send_reminders
from runtime.outbox import BACKOFF_MINUTES
from tests.helpers import ADMIN, make_account, make_product, pay, smtp_sender
from tests.integration.test_shop_settings import FakeGateway
from tests.sinks import FonnteApi, WablasApi

PASSWORD = "Shared-Pw-77xq"
LOGIN_CODE = "493817"
NUMBER = "6281234567890"


@pytest.fixture
def token() -> str:
    return secrets.token_urlsafe(18)  # shaped like a device token, fake


@pytest.fixture
def fonnte(token):
    api = FonnteApi(token=token).start()
    yield api
    api.stop()


@pytest.fixture
def settings(monkeypatch, fonnte, token) -> Settings:
    configured = Settings(
        _env_file=None,
        ADMIN_EMAIL="boss@example.com",
        WHATSAPP_PROVIDER="fonnte",
        WHATSAPP_API_BASE=fonnte.url,
        WHATSAPP_TOKEN=token,
    )
    monkeypatch.setattr("infra.settings.get_settings", lambda: configured)
    return configured


@pytest.fixture
def sender(settings):
    made = whatsapp_sender_for(settings)
    assert made is not None
    yield made
    made.close()


def _checked_out(product, *, notify_whatsapp: bool | None = None, locale: str = "id") -> Order:
    def work(s):
        order, _token = create_order(
            session=s,
            product_slug=product.slug,
            email="budi@example.com",
            name="Budi",
            phone="0812-3456-7890",
            locale=locale,
            notify_whatsapp=notify_whatsapp,
        )
        checkout = Checkout(
            provider="tripay",
            reference=f"DEV-T{secrets.token_hex(6)}",
            method="BRIVA",
            checkout_url="http://sandbox.test/checkout/abc",
            pay_code="8808000111222",
            expires_at=utcnow() + timedelta(hours=1),
        )
        return attach_checkout(session=s, order_id=order.id, actor="test", checkout=checkout)

    return db.in_transaction(work)


def _rows() -> list[WhatsAppOutbox]:
    with db.read_session() as s:
        return list(s.exec(select(WhatsAppOutbox).order_by(WhatsAppOutbox.id)))


def _without_links(text: str, code: str) -> str:
    """The message with the order's links and code taken out (their random letters may hold digits)."""
    return re.sub(r"https?://\S+", "", text).replace(code, "")


def test_order_created_and_access_ready_reach_whatsapp_without_password_or_code(
    engine, settings, sender, fonnte, token
) -> None:
    product = make_product()
    account = make_account(max_seats=3, password=PASSWORD)
    with db.write_session() as s:  # a pasted login code is on the account: it must never travel
        row = s.get(ChatGPTAccount, account.id)
        row.login_code_enc, row.login_code_at = encrypt_secret(LOGIN_CODE), utcnow()
        s.add(row)
    order = _checked_out(product)
    assert order.notify_whatsapp is True and order.phone == "+" + NUMBER
    pay(order)

    report = deliver_whatsapp_outbox(sender=sender)
    assert (report.sent, report.retrying, report.failed) == (2, 0, 0)
    assert [r.form["target"] for r in fonnte.accepted] == [NUMBER, NUMBER]
    assert all(r.authorization == token for r in fonnte.accepted)
    created, ready = (r.form["message"] for r in fonnte.accepted)
    link = order_link(order.code)
    assert order.code in created and "Rp 79.000" in created
    assert "http://sandbox.test/checkout/abc" in created and link in created
    assert link in ready and "Akses ChatGPT Anda siap" in ready
    for message in fonnte.messages():
        assert PASSWORD not in message and LOGIN_CODE not in message
        assert not re.search(r"\d{6}", _without_links(message, order.code)), message
    assert [r.kind for r in _rows()] == ["order_created", "access_ready"]
    assert deliver_whatsapp_outbox(sender=sender).sent == 0, "nothing is sent twice"


def test_a_wablas_gateway_gets_the_same_messages_as_phone_and_message(engine, monkeypatch, token) -> None:
    """WHATSAPP_PROVIDER=wablas: the same outbox, POST /api/send-message with `phone` and `message`, the token as
    the Authorization header; a refusal is retried with the token kept out of the error."""
    wablas = WablasApi(token=token).start()
    try:
        configured = Settings(
            _env_file=None, WHATSAPP_PROVIDER="wablas", WHATSAPP_API_BASE=wablas.url, WHATSAPP_TOKEN=token
        )
        monkeypatch.setattr("infra.settings.get_settings", lambda: configured)
        sender = whatsapp_sender_for(configured)
        assert isinstance(sender, WablasSender)
        order = _checked_out(make_product())
        wablas.answer = "refused"
        report = deliver_whatsapp_outbox(sender=sender)
        assert (report.sent, report.retrying) == (0, 1)
        [row] = _rows()
        assert row.last_error and token not in row.last_error
        with db.write_session() as s:  # its backoff over
            again = s.get(WhatsAppOutbox, row.id)
            again.next_attempt_at = utcnow()
            s.add(again)
        wablas.answer = "ok"
        assert deliver_whatsapp_outbox(sender=sender).sent == 1
        [accepted] = wablas.accepted
        assert accepted.form["phone"] == NUMBER and order.code in accepted.form["message"]
        assert accepted.authorization == token
        sender.close()
    finally:
        wablas.stop()
    default = Settings(_env_file=None, WHATSAPP_PROVIDER="wablas", WHATSAPP_API_BASE=FONNTE_BASE, WHATSAPP_TOKEN="x")
    made = whatsapp_sender_for(default)
    assert isinstance(made, WablasSender) and str(made._client.base_url).rstrip("/") == WABLAS_BASE
    made.close()
    assert whatsapp_sender_for(Settings(_env_file=None, WHATSAPP_PROVIDER="other", WHATSAPP_TOKEN="x")) is None


def test_reminder_carries_the_renewal_link(engine, settings, sender, fonnte) -> None:
    product = make_product(duration_days=30)
    make_account(max_seats=3, password=PASSWORD)
    order = _checked_out(product, locale="en")
    seat = pay(order).assignment
    deliver_whatsapp_outbox(sender=sender)
    fonnte.accepted.clear()

    send_reminders(now=seat.end_at - timedelta(days=2))  # within 3 days of the end: the first reminder
    deliver_whatsapp_outbox(sender=sender)
    assert len(fonnte.accepted) == 1
    reminder = fonnte.accepted[0].form["message"]
    assert "ends on" in reminder  # the order's language
    assert f"{order_link(order.code)}#perpanjang" in reminder
    assert PASSWORD not in reminder
    assert [r.kind for r in _rows()][-1] == "reminder_3d"


def test_failures_retry_with_backoff_and_the_token_stays_out_of_logs_and_errors(
    engine, settings, sender, fonnte, token, caplog
) -> None:
    caplog.set_level(logging.DEBUG)
    product = make_product()
    _checked_out(product)
    now = utcnow()
    (row,) = _rows()

    for attempt, answer in enumerate(("refused", "error", "busy"), start=1):
        fonnte.answer = answer
        report = deliver_whatsapp_outbox(sender=sender, now=now)
        assert (report.sent, report.retrying) == (0, 1), answer
        (row,) = _rows()
        assert row.status == MailStatus.PENDING and row.attempts == attempt
        wait = row.next_attempt_at - now
        assert (
            timedelta(minutes=BACKOFF_MINUTES[attempt - 1])
            <= wait
            < timedelta(minutes=BACKOFF_MINUTES[attempt - 1] + 1)
        )
        assert token not in (row.last_error or "") and "HTTP" in (row.last_error or "")
        assert deliver_whatsapp_outbox(sender=sender, now=now).retrying == 0, "not due again before its wait"
        now = row.next_attempt_at

    fonnte.answer = "ok"
    assert deliver_whatsapp_outbox(sender=sender, now=now).sent == 1
    (row,) = _rows()
    assert row.status == MailStatus.SENT and row.attempts == 4
    assert len(fonnte.requests) == 4 and len(fonnte.accepted) == 1
    assert token not in caplog.text


def test_a_slow_gateway_times_out_and_is_retried(engine, settings, fonnte, token) -> None:
    _checked_out(make_product())
    fonnte.answer, fonnte.delay = "slow", 2.0
    slow = FonnteSender(api_base=fonnte.url, token=token, timeout=0.3)
    try:
        assert deliver_whatsapp_outbox(sender=slow).retrying == 1
    finally:
        slow.close()
    (row,) = _rows()
    assert row.status == MailStatus.PENDING and "timed out" in (row.last_error or "")
    assert token not in (row.last_error or "")


def test_a_customer_who_said_no_gets_nothing_on_whatsapp(engine, settings, sender, fonnte) -> None:
    product = make_product()
    make_account(max_seats=3, password=PASSWORD)
    order = _checked_out(product, notify_whatsapp=False)
    assert order.notify_whatsapp is False
    seat = pay(order).assignment
    send_reminders(now=seat.end_at - timedelta(days=2))
    db.in_transaction(lambda s: refund_order(session=s, order_id=order.id, actor=ADMIN, reason="salah beli"))
    assert _rows() == []
    assert deliver_whatsapp_outbox(sender=sender).sent == 0 and fonnte.requests == []


def test_moved_and_refunded_say_what_happened(engine, settings, sender, fonnte, inbox) -> None:
    product = make_product()
    make_account(max_seats=1, password=PASSWORD)
    make_account(max_seats=1, password=PASSWORD + "-b")
    order = _checked_out(product)
    pay(order)

    def move(s):
        old = s.exec(select(AccountAssignment).where(AccountAssignment.order_id == order.id)).one()
        return reseat(session=s, old=old, actor=ADMIN, reason="akun diganti")

    assert db.in_transaction(move) is not None
    db.in_transaction(
        lambda s: refund_order(
            session=s, order_id=order.id, actor=ADMIN, reason="minta batal", amount_idr=50_000, method="transfer"
        )
    )
    deliver_whatsapp_outbox(sender=sender)
    by_kind = {r.kind: r.text for r in _rows()}
    assert "dipindah ke akun lain" in by_kind["access_moved"] and PASSWORD not in by_kind["access_moved"]
    assert "Rp 50.000" in by_kind["refunded"] and "transfer bank" in by_kind["refunded"]
    assert "seat_revoked" not in by_kind, "a refund says it is a refund, not a bare revoke"

    deliver_outbox(sender=smtp_sender(inbox.port))
    refund_mail = next(m for m in inbox.messages if "dana dikembalikan" in str(m["Subject"]))
    body = inbox.text(refund_mail)
    assert "Rp 50.000" in body and "transfer bank" in body and "WIB" in body
    assert "Alasan: refund" not in body


def test_the_owner_hears_of_each_new_sale_on_their_own_number(engine, settings, sender, fonnte) -> None:
    owner = db.in_transaction(lambda s: create_admin(session=s, email="owner@example.com", password="pw-123456789"))
    with pytest.raises(ValidationFailed) as refused:
        db.in_transaction(
            lambda s: save_shop_settings(session=s, admin_id=owner.id, changes={"owner_whatsapp": "021-555-1234"})
        )
    assert refused.value.context["field"] == "owner_whatsapp" and "WhatsApp pemilik" in refused.value.message
    db.in_transaction(
        lambda s: save_shop_settings(session=s, admin_id=owner.id, changes={"owner_whatsapp": "0813 1111 2222"})
    )
    make_account(max_seats=3, password=PASSWORD)
    order = _checked_out(make_product(), notify_whatsapp=False)
    pay(order)
    deliver_whatsapp_outbox(sender=sender)
    (notice,) = fonnte.accepted
    assert notice.form["target"] == "6281311112222"
    assert notice.form["message"].startswith(f"Pesanan baru dibayar: {order.code} · Rp 79.000")
    assert f"/admin/orders/{order.code}" in notice.form["message"] and PASSWORD not in notice.form["message"]


def test_with_whatsapp_off_nothing_is_queued(engine, monkeypatch) -> None:
    monkeypatch.setattr("infra.settings.get_settings", lambda: Settings(_env_file=None, WHATSAPP_PROVIDER=""))
    make_account(max_seats=3, password=PASSWORD)
    order = _checked_out(make_product())
    assert order.notify_whatsapp is True  # the customer's choice is kept for when it is on
    pay(order)
    assert _rows() == []


def test_the_order_api_takes_notify_whatsapp_and_defaults_to_yes_with_a_phone(engine, settings) -> None:
    app = FastAPI()
    app.include_router(orders_router)
    app.state.settings, app.state.gateways = settings, Gateways(chain=[FakeGateway()])
    order_limit.reset()
    api = TestClient(app)
    product = make_product()
    body = {
        "customer_email": "budi@example.com",
        "package_id": product.slug,
        "full_name": "Budi",
        "phone_number": "081234567890",
        "payment_method": "QRIS",
    }
    first = api.post("/api/orders", json=body)
    second = api.post("/api/orders", json=body | {"notify_whatsapp": False})
    assert first.status_code == second.status_code == 201, (first.text, second.text)
    with db.read_session() as s:
        chosen = {o.code: o.notify_whatsapp for o in s.exec(select(Order))}
    assert chosen == {first.json()["order_id"]: True, second.json()["order_id"]: False}
    assert [(r.kind, r.to) for r in _rows()] == [("order_created", NUMBER)]


def test_a_password_change_and_an_extension_tell_the_customer_without_the_password(
    engine, settings, sender, fonnte
) -> None:
    product = make_product()
    account = make_account(max_seats=3, password=PASSWORD)
    order = _checked_out(product)
    seat = pay(order).assignment
    new_password = "Brand-New-Pw-5521"
    db.in_transaction(lambda s: update_account(session=s, actor=ADMIN, account_id=account.id, password=new_password))
    db.in_transaction(lambda s: extend_assignment(session=s, assignment_id=seat.id, actor=ADMIN, days=30))
    deliver_whatsapp_outbox(sender=sender)
    by_kind = {r.kind: r.text for r in _rows()}
    assert "Kata sandi akun ChatGPT pesanan" in by_kind["login_changed"]
    assert order_link(order.code) in by_kind["login_changed"]
    assert "diperpanjang" in by_kind["seat_extended"] and "di akun yang sama" in by_kind["seat_extended"]
    for message in fonnte.messages():
        assert PASSWORD not in message and new_password not in message


def test_a_committed_message_wakes_the_whatsapp_delivery_once(engine, settings) -> None:
    calls: list[int] = []
    on_whatsapp_committed(lambda: calls.append(1))
    try:

        def work(s) -> None:
            queue_whatsapp(session=s, to="+6281234567890", kind="test", text="Halo")
            queue_whatsapp(session=s, to="+6281234567890", kind="test", text="Halo lagi")
            assert calls == []  # not before the commit: the rows are not there yet

        db.in_transaction(work)
    finally:
        on_whatsapp_committed(None)
    assert calls == [1] and len(_rows()) == 2
