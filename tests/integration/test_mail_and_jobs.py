"""E-mail through a real SMTP server (aiosmtpd on loopback) and the jobs driven with a moved clock."""

from __future__ import annotations

import email
import socket
from datetime import timedelta
from email.message import Message as MimeMessage

from sqlmodel import select

from domain.notify.mail import queue_order_lookup
from domain.orders.orders import create_order
from domain.payments.checkout import attach_checkout
from domain.payments.gateway import Checkout
from domain.seats.assignments import extend_assignment, revoke_assignment
from domain.shared.links import access_token
from domain.shared.models import AccountAssignment, AdminAlert, EmailOutbox, JobRun, MailStatus, Order
from infra import db
from infra.settings import Settings
from infra.types import utcnow
from runtime.delivery import deliver_outbox
from runtime.jobs import Job, release_expired, run_job, send_reminders, watch_pool
from runtime.outbox import MAX_ATTEMPTS
from tests.helpers import ADMIN, make_account, make_product, pay, smtp_sender
from tests.sinks import Inbox

PASSWORD = "Shared-Pw-9f83"


def _dead_port() -> int:
    with socket.socket() as sock:  # bound, never listening: connections are refused
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _order(product, locale: str = "id", email_address: str = "budi@example.com") -> Order:
    def work(s):
        order, _ = create_order(
            session=s, product_slug=product.slug, email=email_address, name="Budi", phone="081234567890", locale=locale
        )
        return attach_checkout(
            session=s,
            order_id=order.id,
            actor="test",
            checkout=Checkout(
                provider="tripay",
                reference=f"DEV-T{order.code[3:]}",
                method="BRIVA",
                checkout_url="http://x",
                pay_code="8808000111222",
                expires_at=utcnow() + timedelta(hours=1),
            ),
        )

    return db.in_transaction(work)


def _by_subject(inbox: Inbox) -> dict[str, MimeMessage]:
    return {str(email.header.make_header(email.header.decode_header(m["Subject"]))): m for m in inbox.messages}


def test_every_customer_email_arrives_with_its_link_and_only_one_carries_the_password(engine, inbox) -> None:
    product = make_product(duration_days=30)
    make_account(max_seats=3, password=PASSWORD)
    order = _order(product)
    seat = pay(order).assignment
    db.in_transaction(lambda s: extend_assignment(session=s, assignment_id=seat.id, actor=ADMIN, days=7))
    db.in_transaction(lambda s: revoke_assignment(session=s, assignment_id=seat.id, actor=ADMIN, reason="abuse"))
    db.in_transaction(lambda s: queue_order_lookup(session=s, email="BUDI@example.com", lang="id"))

    report = deliver_outbox(sender=smtp_sender(inbox.port))
    assert report.sent == 5 and report.retrying == report.failed == 0
    mails = _by_subject(inbox)
    code = order.code
    assert set(mails) == {
        f"Pesanan {code}: selesaikan pembayaran",
        f"Akses Anda siap: pesanan {code}",
        f"Akses pesanan {code} diperpanjang",
        f"Akses pesanan {code} dicabut",
        "Link pesanan Anda",
    }
    link = f"/order/{code}?t={access_token(code)}"
    for subject, message in mails.items():
        assert message["To"] == "budi@example.com"
        assert link in inbox.text(message), subject
        assert (PASSWORD in inbox.text(message)) == subject.startswith("Akses Anda siap"), subject
    assert "8808000111222" in inbox.text(mails[f"Pesanan {code}: selesaikan pembayaran"])
    assert "Alasan: abuse" in inbox.text(mails[f"Akses pesanan {code} dicabut"])
    assert deliver_outbox(sender=smtp_sender(inbox.port)).sent == 0, "nothing is sent twice"


def test_english_customers_get_english_mail(engine, inbox) -> None:
    product = make_product()
    make_account(max_seats=3, password=PASSWORD)
    pay(_order(product, locale="en", email_address="anna@example.com"))
    deliver_outbox(sender=smtp_sender(inbox.port))
    subjects = set(_by_subject(inbox))
    assert any(s.startswith("Your access is ready") for s in subjects)
    assert any("complete your payment" in s for s in subjects)


def test_smtp_down_keeps_mail_pending_with_backoff_then_delivers_each_once(engine, inbox) -> None:
    product = make_product()
    make_account(max_seats=5, password=PASSWORD)
    for n in range(3):
        pay(_order(product, email_address=f"c{n}@example.com"))
    now = utcnow()
    down = deliver_outbox(sender=smtp_sender(_dead_port()), now=now)
    assert down.retrying == 6 and down.sent == 0
    with db.read_session() as s:
        rows = s.exec(select(EmailOutbox)).all()
    assert {r.status for r in rows} == {MailStatus.PENDING} and {r.attempts for r in rows} == {1}
    assert all(timedelta(minutes=1) <= r.next_attempt_at - now < timedelta(minutes=1, seconds=10) for r in rows)
    assert all("SMTP unreachable" in r.last_error and "refused" in r.last_error for r in rows)
    assert deliver_outbox(sender=smtp_sender(inbox.port), now=now + timedelta(seconds=30)).sent == 0, "not due yet"

    back = deliver_outbox(sender=smtp_sender(inbox.port), now=now + timedelta(minutes=2))
    assert back.sent == 6
    assert deliver_outbox(sender=smtp_sender(inbox.port), now=now + timedelta(hours=2)).sent == 0
    assert len(inbox.messages) == 6
    assert len({m["Subject"] + m["To"] for m in inbox.messages}) == 6, "none twice, none lost"


def test_ten_failed_attempts_mark_failed_and_alert_the_admins(engine, monkeypatch) -> None:
    monkeypatch.setattr("infra.settings.get_settings", lambda: Settings(_env_file=None, ADMIN_EMAIL="boss@example.com"))
    product = make_product()
    _order(product)
    dead, now = smtp_sender(_dead_port()), utcnow()
    for _ in range(MAX_ATTEMPTS):
        deliver_outbox(sender=dead, now=now)
        now += timedelta(hours=2)
    with db.read_session() as s:
        customer = s.exec(select(EmailOutbox).where(EmailOutbox.kind == "order_created")).one()
        alerts = s.exec(select(EmailOutbox).where(EmailOutbox.kind == "admin_alert")).all()
    assert customer.status == MailStatus.FAILED and customer.attempts == MAX_ATTEMPTS
    assert [a.to for a in alerts] == ["boss@example.com"] and "gagal terkirim" in alerts[0].subject


def _seat(product, now_offset_days: int = 0) -> AccountAssignment:
    order = _order(product, email_address=f"s{utcnow().timestamp()}@example.com")
    return pay(order).assignment


def test_release_job_expires_at_the_boundary_and_not_a_second_before(engine) -> None:
    product = make_product(duration_days=7)
    make_account(max_seats=5)
    seat = _seat(product)
    assert release_expired(now=seat.end_at - timedelta(seconds=1)) == "released 0"
    assert release_expired(now=seat.end_at) == "released 1"
    assert release_expired(now=seat.end_at + timedelta(days=1)) == "released 0"
    with db.read_session() as s:
        ended = s.get(AccountAssignment, seat.id)
        kinds = [m.kind for m in s.exec(select(EmailOutbox).where(EmailOutbox.order_id == seat.order_id))]
    assert ended.status == "EXPIRED" and kinds.count("seat_ended") == 1


def test_reminders_go_out_once_each_three_days_and_one_day_before(engine) -> None:
    product = make_product(duration_days=30)
    make_account(max_seats=5)
    seat = _seat(product)
    assert send_reminders(now=seat.end_at - timedelta(days=4)) == "reminders 0"
    assert send_reminders(now=seat.end_at - timedelta(days=3)) == "reminders 1"
    assert send_reminders(now=seat.end_at - timedelta(days=2)) == "reminders 0"
    assert send_reminders(now=seat.end_at - timedelta(hours=23)) == "reminders 1"
    assert send_reminders(now=seat.end_at - timedelta(hours=1)) == "reminders 0"
    with db.read_session() as s:
        kinds = [m.kind for m in s.exec(select(EmailOutbox).where(EmailOutbox.order_id == seat.order_id))]
    assert kinds.count("reminder_3d") == 1 and kinds.count("reminder_1d") == 1


def test_low_pool_alert_is_debounced_to_once_an_hour(engine, monkeypatch) -> None:
    monkeypatch.setattr("infra.settings.get_settings", lambda: Settings(_env_file=None, ADMIN_EMAIL="boss@example.com"))
    make_account(max_seats=2)
    now = utcnow()
    assert watch_pool(5, now=now) == "low: 2 free"
    watch_pool(5, now=now + timedelta(minutes=30))
    watch_pool(5, now=now + timedelta(minutes=61))

    def alerts() -> int:
        with db.read_session() as s:
            return len(s.exec(select(EmailOutbox).where(EmailOutbox.kind == "admin_alert")).all())

    assert alerts() == 2
    assert watch_pool(2, now=now + timedelta(minutes=70)) == "ok: 2 free"
    with db.read_session() as s:
        assert s.exec(select(AdminAlert).where(AdminAlert.key == "pool_low")).one().active is False
    watch_pool(5, now=now + timedelta(minutes=71))  # the condition returns: alert at once
    assert alerts() == 3


def test_a_failing_job_is_recorded_and_alerted_and_the_next_job_still_runs(engine) -> None:
    def broken() -> str:
        raise RuntimeError("gateway exploded")

    assert run_job(Job("broken", 60, broken)).startswith("RuntimeError")
    assert run_job(Job("release_expired_assignments", 60, release_expired)) == "released 0"
    with db.read_session() as s:
        runs = {r.name: r for r in s.exec(select(JobRun))}
        alert = s.exec(select(AdminAlert).where(AdminAlert.key == "job_failing:broken")).one()
    assert runs["broken"].last_outcome == "failed" and runs["broken"].failures == 1
    assert runs["release_expired_assignments"].last_outcome == "ok"
    assert runs["release_expired_assignments"].last_success_at is not None
    assert alert.active and "gateway exploded" in alert.message


def test_an_extension_earns_fresh_reminders_and_short_seats_get_only_the_last_one(engine) -> None:
    """Found in review: after an extension no reminder came before the new end date."""
    product = make_product(duration_days=30)
    make_account(max_seats=5)
    seat = _seat(product)
    send_reminders(now=seat.end_at - timedelta(hours=23))  # both marks set (the 3-day one silently)
    db.in_transaction(lambda s: extend_assignment(session=s, assignment_id=seat.id, actor=ADMIN, days=30))
    new_end = seat.end_at + timedelta(days=30)
    assert send_reminders(now=new_end - timedelta(days=3)) == "reminders 1"
    assert send_reminders(now=new_end - timedelta(hours=23)) == "reminders 1"

    short = _seat(make_product(slug="paket-2-hari", duration_days=2))
    assert send_reminders(now=short.start_at + timedelta(minutes=1)) == "reminders 1"  # marked, not mailed
    with db.read_session() as s:
        kinds = [m.kind for m in s.exec(select(EmailOutbox).where(EmailOutbox.order_id == short.order_id))]
    assert "reminder_3d" not in kinds


def test_orders_waiting_too_long_and_failing_callbacks_alert_the_admins(engine) -> None:
    from domain.shared.models import EventOutcome, PaymentEvent
    from runtime.jobs import watch_operations

    product = make_product()
    order = _order(product)
    pay(order)  # no account at all: the order waits for stock
    now = utcnow()
    assert watch_operations(now=now + timedelta(minutes=5)).startswith("waiting for stock too long 0")
    assert watch_operations(now=now + timedelta(minutes=31)).startswith("waiting for stock too long 1")
    with db.write_session() as s:
        for n in range(6):
            s.add(
                PaymentEvent(
                    provider="tripay",
                    event_key=f"tripay:?{n}",
                    raw_body="{}",
                    outcome=(EventOutcome.REJECTED if n < 3 else EventOutcome.APPLIED),
                )
            )
    assert "callbacks failed 3/6," in watch_operations(now=utcnow())
    with db.read_session() as s:
        kinds = {a.kind: a.active for a in s.exec(select(AdminAlert))}
    assert kinds["stock_wait"] is False  # resolved: at utcnow() the order has waited only seconds
    assert kinds["webhook_failures"] is True
