"""The brief's alert conditions, each end to end: the condition, the job that sees it, the outbox, a real
SMTP server (aiosmtpd on loopback) receiving it once per debounce window, and the dashboard showing it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from domain.admin.dashboard import overview
from domain.shared.models import EmailOutbox, EventOutcome, JobRun, MailStatus, PaymentEvent
from infra import db, db_errors
from infra.settings import Settings
from infra.types import utcnow
from runtime.delivery import deliver_outbox
from runtime.jobs import Job, release_expired, run_job, watch_jobs, watch_operations, watch_pool
from runtime.outbox import MAX_ATTEMPTS
from tests.helpers import make_account, make_order, make_product, pay, smtp_sender
from tests.live import free_port
from tests.sinks import Inbox

BOSS = "boss@example.com"


@pytest.fixture(autouse=True)
def admin_email(monkeypatch) -> None:
    monkeypatch.setattr("infra.settings.get_settings", lambda: Settings(_env_file=None, ADMIN_EMAIL=BOSS))
    db_errors.reported(db_errors.pending())  # failures other tests provoked are not this test's


def _alerts_received(inbox: Inbox, subject_start: str) -> int:
    """Alerts for the admin whose subject starts with `subject_start`, after delivering the outbox."""
    return sum(
        1
        for message, subject in zip(inbox.messages, inbox.subjects(), strict=True)
        if message["To"] == BOSS and subject.startswith(f"[AksesGPT] {subject_start}")
    )


def _on_dashboard() -> dict[str, str]:
    with db.read_session() as s:
        return {alert.kind: alert.message for alert in overview(session=s, with_invariants=False).alerts}


def test_pool_low(engine, inbox) -> None:
    make_account(max_seats=2)
    now, smtp = utcnow(), smtp_sender(inbox.port)
    for minutes in (0, 20, 59):
        watch_pool(5, now=now + timedelta(minutes=minutes))
        deliver_outbox(sender=smtp, now=now + timedelta(minutes=minutes))
    assert _alerts_received(inbox, "Stok kursi menipis: 2 kursi tersisa") == 1
    assert "Tinggal 2 kursi kosong" in _on_dashboard()["pool_low"]
    watch_pool(5, now=now + timedelta(minutes=61))
    deliver_outbox(sender=smtp, now=now + timedelta(minutes=61))
    assert _alerts_received(inbox, "Stok kursi menipis") == 2


def _callbacks(now, rejected: int, applied: int) -> None:
    with db.write_session() as s:
        for n in range(rejected + applied):
            outcome = EventOutcome.REJECTED if n < rejected else EventOutcome.APPLIED
            s.add(
                PaymentEvent(
                    provider="tripay", event_key=f"tripay:x{n}", raw_body="{}", outcome=outcome, created_at=now
                )
            )


def test_webhook_failures_above_the_rate(engine, inbox) -> None:
    now, smtp = utcnow(), smtp_sender(inbox.port)
    _callbacks(now, rejected=1, applied=9)  # 10 %: below the 20 % rate
    assert watch_operations(now=now).startswith("waiting for stock too long 0, callbacks failed 1/10")
    _callbacks(now, rejected=4, applied=0)  # 5 of 14 now
    for minutes in (0, 5, 10):
        watch_operations(now=now + timedelta(minutes=minutes))
        deliver_outbox(sender=smtp, now=now + timedelta(minutes=minutes))
    assert _alerts_received(inbox, "Webhook gagal: 5 dari 14 dalam 15 menit") == 1
    assert "/admin/webhooks" in _on_dashboard()["webhook_failures"]
    _callbacks(now + timedelta(minutes=61), rejected=5, applied=0)
    watch_operations(now=now + timedelta(minutes=61))
    deliver_outbox(sender=smtp, now=now + timedelta(minutes=61))
    assert _alerts_received(inbox, "Webhook gagal") == 2


def _dead_database(backend: str, tmp_path) -> str:
    if backend == "sqlite":
        (tmp_path / "gone.db").mkdir()  # a directory where the file should be: "unable to open database file"
        return f"sqlite:///{tmp_path / 'gone.db'}"
    return f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/gone"  # nothing listens there


def test_database_errors_alert_once_the_database_answers_again(engine, db_url, backend, tmp_path, inbox) -> None:
    dead, smtp = _dead_database(backend, tmp_path), smtp_sender(inbox.port)
    job = Job("release_expired_assignments", 60, release_expired)
    db.configure(dead)
    assert run_job(job).startswith("failed: database unreachable")
    assert db.database_status()[0] is False
    db.configure(db_url)
    now = utcnow()
    assert watch_operations(now=now).endswith("database errors 2")
    deliver_outbox(sender=smtp, now=now)
    assert _alerts_received(inbox, "Basis data bermasalah: 2 kesalahan") == 1
    message = _on_dashboard()["database_errors"]
    assert ": 2 (query 2); terakhir OperationalError" in message  # the job's and the health probe's

    db.configure(dead)  # down again within the hour: counted, shown, not mailed again
    run_job(job)
    db.configure(db_url)
    assert watch_operations(now=now + timedelta(minutes=10)).endswith("database errors 1")
    deliver_outbox(sender=smtp, now=now + timedelta(minutes=10))
    assert _alerts_received(inbox, "Basis data bermasalah") == 1
    assert watch_operations(now=now + timedelta(minutes=15)).endswith("database errors 0")
    assert "database_errors" not in _on_dashboard()  # resolved: the next failure alerts at once


def test_a_job_not_run_in_time(engine, inbox) -> None:
    started, smtp = utcnow(), smtp_sender(inbox.port)
    jobs = [Job("release_expired_assignments", 60, release_expired), Job("expiry_reminders", 3600, lambda: "ok")]
    run_job(jobs[0])
    assert watch_jobs(jobs, started_at=started, now=started + timedelta(minutes=3)) == "late 0"
    for minutes in (4, 30, 63):  # three intervals and 30 s have passed since its last success
        watch_jobs(jobs, started_at=started, now=started + timedelta(minutes=minutes))
        deliver_outbox(sender=smtp, now=started + timedelta(minutes=minutes))
    assert _alerts_received(inbox, "Tugas latar 'release_expired_assignments' terlambat") == 1
    assert watch_jobs(jobs, started_at=started, now=started + timedelta(minutes=65)) == (
        "late 1: release_expired_assignments"
    )
    deliver_outbox(sender=smtp, now=started + timedelta(minutes=65))
    assert _alerts_received(inbox, "Tugas latar 'release_expired_assignments' terlambat") == 2  # next window
    assert "release_expired_assignments" in _on_dashboard()["job_late"]
    # a job that never ran counts from start-up; the hourly one is late after three hours
    assert watch_jobs(jobs, started_at=started, now=started + timedelta(hours=3, minutes=1)) == (
        "late 2: release_expired_assignments, expiry_reminders"
    )
    deliver_outbox(sender=smtp, now=started + timedelta(hours=3, minutes=1))
    assert _alerts_received(inbox, "Tugas latar 'release_expired_assignments' terlambat") == 3
    assert _alerts_received(inbox, "Tugas latar 'expiry_reminders' terlambat") == 1
    run_job(jobs[0])
    with db.read_session() as s:
        last = s.get(JobRun, "release_expired_assignments").last_success_at
    assert watch_jobs(jobs[:1], started_at=started, now=last + timedelta(seconds=1)) == "late 0"


def _failing_mail(to: str, attempts: int = MAX_ATTEMPTS - 1) -> None:
    with db.write_session() as s:
        s.add(EmailOutbox(to=to, kind="order_created", subject="Pesanan", html="<p>x</p>", text="x", attempts=attempts))


def test_email_failed(engine, inbox) -> None:
    dead = smtp_sender(free_port())  # nothing listens: connection refused
    _failing_mail("a@example.com")
    _failing_mail("b@example.com")
    now = utcnow()
    assert deliver_outbox(sender=dead, now=now).failed == 2  # two e-mails fail in one run: one alert
    _failing_mail("c@example.com")
    assert deliver_outbox(sender=dead, now=now + timedelta(minutes=30)).failed == 1  # same window: none
    assert deliver_outbox(sender=smtp_sender(inbox.port), now=now + timedelta(minutes=35)).sent == 1
    assert _alerts_received(inbox, "E-mail gagal terkirim") == 1
    with db.read_session() as s:
        failed = s.exec(select(EmailOutbox).where(EmailOutbox.status == MailStatus.FAILED)).all()
    assert {m.to for m in failed} == {"a@example.com", "b@example.com", "c@example.com"}

    _failing_mail("d@example.com")  # mail flowed again in between, so this one alerts at once
    deliver_outbox(sender=dead, now=now + timedelta(minutes=40))
    assert "d@example.com" in _on_dashboard()["mail_failed"]
    deliver_outbox(sender=smtp_sender(inbox.port), now=now + timedelta(minutes=41))
    assert _alerts_received(inbox, "E-mail gagal terkirim") == 2


def test_orders_waiting_for_stock_longer_than_n_minutes(engine, inbox) -> None:
    product, smtp = make_product(), smtp_sender(inbox.port)
    pay(make_order(product))  # no account at all: it waits for stock
    now = utcnow()
    assert watch_operations(stock_wait_minutes=30, now=now + timedelta(minutes=29)).startswith(
        "waiting for stock too long 0"
    )
    for minutes in (31, 45, 90):
        watch_operations(stock_wait_minutes=30, now=now + timedelta(minutes=minutes))
        deliver_outbox(sender=smtp, now=now + timedelta(minutes=minutes))
    assert _alerts_received(inbox, "1 pesanan menunggu stok lebih dari 30 menit") == 1
    assert _alerts_received(inbox, "Pesanan menunggu stok di pool default") == 1  # the at-once alert on payment
    assert "sudah dibayar" in _on_dashboard()["stock_wait"]
    watch_operations(stock_wait_minutes=30, now=now + timedelta(minutes=92))
    deliver_outbox(sender=smtp, now=now + timedelta(minutes=92))
    assert _alerts_received(inbox, "1 pesanan menunggu stok") == 2
