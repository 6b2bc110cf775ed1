"""The background jobs (DESIGN.md §6). Each is a plain function of `now` (tests move the clock), does
bounded work, and is wrapped by `run_job`, which records the run, never lets an error escape, alerts
the admins when a job keeps failing, and on PostgreSQL makes sure one process runs it at a time."""

from __future__ import annotations

import logging
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from domain.catalog.renewals import remind_renewals
from domain.catalog.waitlist import notify_waitlist
from domain.notify.alerts import raise_alert, resolve_alert
from domain.notify.mail import MailSender
from domain.notify.telegram import ChatSender
from domain.notify.whatsapp import WhatsAppSender
from domain.orders.orders import PaymentResult, expire_order
from domain.payments.gateway import PaymentGateway
from domain.payments.reconciliation import overdue_unpaid_orders, reconcile_unpaid
from domain.seats.allocation import free_seats, serve_pending_stock
from domain.seats.assignments import release_expired_assignments, remind_seats
from domain.shared.models import (
    EventOutcome,
    JobRun,
    Order,
    OrderStatus,
    PaymentEvent,
)
from domain.shared.shop_settings import SHOP_CONFIG
from infra import db, db_errors
from infra.metrics import JOB_DURATION, JOB_RUNS
from infra.types import utcnow
from runtime.delivery import deliver_outbox, deliver_telegram_outbox, deliver_whatsapp_outbox

log = logging.getLogger("aksesgpt.jobs")
BATCH = 200
RELEASE_BATCH = 1000  # seats ended (or reminded) per transaction (set-based: docs/decisions.md, 2026-12-02)


def release_expired(now: datetime | None = None, max_batches: int = 10) -> str:
    """ACTIVE assignments past end_at become EXPIRED, seats freed (and offered to the queue), customers told;
    up to 10,000 a run."""
    now = now or utcnow()
    total = 0
    for _ in range(max_batches):
        released = db.in_transaction(lambda s: release_expired_assignments(session=s, now=now, limit=RELEASE_BATCH))
        total += len(released)
        if len(released) < RELEASE_BATCH:
            break
    return f"released {total}"


def serve_waiting_orders(now: datetime | None = None) -> str:
    served = db.in_transaction(lambda s: serve_pending_stock(session=s, actor="scheduler", limit=BATCH))
    return f"served {len(served)}"


def expire_unpaid_orders(gateways: dict[str, PaymentGateway], now: datetime | None = None) -> str:
    """Ask the gateway about unpaid orders first (a paid-but-unannounced order gets fulfilled), then
    expire the overdue ones the gateway confirmed unpaid. An order whose check failed is left for the
    next run, never expired on a guess."""
    now = now or utcnow()
    report = reconcile_unpaid(gateways=gateways, now=now, older_than=timedelta(minutes=15), limit=BATCH)
    expired = waiting = 0
    for order in overdue_unpaid_orders(now=now, limit=BATCH):
        if order.provider_reference and order.id not in report.confirmed_unpaid:
            waiting += 1  # its status check failed or has not run yet: ask again next time
            continue
        result = db.in_transaction(_expirer(order.id or 0))
        expired += result.outcome == "applied"
    return (
        f"reconciled {report.checked} (applied {report.applied}, errors {report.errors}), expired {expired}, "
        f"awaiting a status check {waiting}"
    )


def _expirer(order_id: int) -> Callable[[Session], PaymentResult]:
    return lambda session: expire_order(session=session, order_id=order_id, actor="scheduler")


def deliver_mail(sender: MailSender | None, now: datetime | None = None) -> str:
    if sender is None:
        return "no SMTP configured: mail kept PENDING"
    return str(deliver_outbox(sender=sender, now=now))


def deliver_telegram(sender: ChatSender, now: datetime | None = None) -> str:
    return str(deliver_telegram_outbox(sender=sender, now=now))


def deliver_whatsapp(sender: WhatsAppSender | None, now: datetime | None = None) -> str:
    if sender is None:
        return "no WhatsApp provider configured: messages kept PENDING"
    return str(deliver_whatsapp_outbox(sender=sender, now=now))


def send_reminders(now: datetime | None = None, max_batches: int = 10) -> str:
    """Two e-mails before a seat ends, on the days the owner chose (3 and 1 by default), each at most once per
    assignment; up to 10,000 seats of each a run."""
    moment = now or utcnow()
    sent = 0
    with db.read_session() as session:
        first_days, last_days = SHOP_CONFIG.get(session=session).reminder_days
    for slot, days in enumerate((first_days, last_days)):

        def work(session: Session, days: int = days, slot: int = slot) -> int:
            return remind_seats(
                session=session, now=moment, days=days, limit=RELEASE_BATCH, slot=slot, last_days=last_days
            )

        for _ in range(max_batches):
            handled = db.in_transaction(work)
            sent += handled
            if handled < RELEASE_BATCH:
                break
    return f"reminders {sent}"


def remind_subscription_renewals(now: datetime | None = None) -> str:
    """One alert per account whose ChatGPT subscription renews within the owner's reminder days, once per date."""
    moment = now or utcnow()
    reminded = db.in_transaction(lambda s: remind_renewals(session=s, now=moment))
    return f"renewals reminded {reminded}"


def watch_pool(threshold: int | None = None, now: datetime | None = None) -> str:
    """Alert (at most hourly while it lasts) when fewer than `threshold` seats are free (None: the owner's
    low-pool setting)."""

    def work(session: Session) -> str:
        free = free_seats(session=session)
        threshold_now = SHOP_CONFIG.get(session=session).low_pool_threshold if threshold is None else threshold
        if free < threshold_now:
            raise_alert(
                session=session,
                key="pool_low",
                kind="pool_low",
                now=now,
                subject=f"Stok kursi menipis: {free} kursi tersisa",
                message=f"Tinggal {free} kursi kosong (batas {threshold_now}). Tambahkan akun ke pool.",
            )
            return f"low: {free} free"
        resolve_alert(session=session, key="pool_low", now=now)
        return f"ok: {free} free"

    return db.in_transaction(work)


def watch_operations(
    *, stock_wait_minutes: int = 30, failure_rate: float = 0.2, window_minutes: int = 15, now: datetime | None = None
) -> str:
    """The brief's remaining alerts: paid orders waiting for stock too long, and callbacks failing."""
    now = now or utcnow()

    def work(session: Session) -> str:
        waiting = session.exec(
            select(Order)
            .where(
                Order.status == OrderStatus.PENDING_STOCK,
                col(Order.paid_at) <= now - timedelta(minutes=stock_wait_minutes),
            )
            .order_by(col(Order.paid_at))
        ).all()
        if waiting:
            raise_alert(
                session=session,
                key="stock_wait",
                kind="stock_wait",
                now=now,
                subject=f"{len(waiting)} pesanan menunggu stok lebih dari {stock_wait_minutes} menit",
                message=f"{len(waiting)} pesanan sudah dibayar tetapi belum mendapat kursi lebih dari "
                f"{stock_wait_minutes} menit (terlama: {waiting[0].code}). Tambahkan akun ke pool.",
            )
        else:
            resolve_alert(session=session, key="stock_wait", now=now)
        outcomes = list(
            session.exec(
                select(PaymentEvent.outcome).where(
                    col(PaymentEvent.created_at) >= now - timedelta(minutes=window_minutes)
                )
            )
        )
        failed = sum(1 for outcome in outcomes if outcome in (EventOutcome.ERROR, EventOutcome.REJECTED))
        if len(outcomes) >= 5 and failed / len(outcomes) > failure_rate:
            raise_alert(
                session=session,
                key="webhook_failures",
                kind="webhook_failures",
                now=now,
                subject=f"Webhook gagal: {failed} dari {len(outcomes)} dalam {window_minutes} menit",
                message=f"{failed} dari {len(outcomes)} callback pembayaran dalam {window_minutes} menit "
                "terakhir ditolak atau gagal. Periksa TRIPAY_PRIVATE_KEY dan /admin/webhooks.",
            )
        else:
            resolve_alert(session=session, key="webhook_failures", now=now)
        if errors.count:
            first = errors.first_at.isoformat(timespec="seconds") if errors.first_at else "?"
            raise_alert(
                session=session,
                key="database_errors",
                kind="database_errors",
                now=now,
                subject=f"Basis data bermasalah: {errors.count} kesalahan",
                message=f"Aplikasi gagal memakai basis data sejak {first} UTC: {errors.summary()}. Basis data "
                "kini menjawab lagi; periksa log (aksesgpt.db, jobs.log) dan /readyz.",
            )
        else:
            resolve_alert(session=session, key="database_errors", now=now)
        return (
            f"waiting for stock too long {len(waiting)}, callbacks failed {failed}/{len(outcomes)}, "
            f"database errors {errors.count}"
        )

    errors = db_errors.pending()  # counted while the database could not take an alert
    report = db.in_transaction(work)
    db_errors.reported(errors)
    return report


def is_late(job: Job, run: JobRun | None, *, started_at: datetime, now: datetime) -> bool:
    """A job is late when it has not succeeded within three of its intervals (counted from
    `started_at` for a job that has never succeeded)."""
    since = run.last_success_at if run and run.last_success_at else started_at
    return now - since > timedelta(seconds=3 * job.every_seconds + 30)


def watch_jobs(jobs: list[Job], *, started_at: datetime, now: datetime | None = None) -> str:
    """Alert (per job, hourly while it lasts) when a job has not succeeded in time, whichever process
    should have run it; the job_runs rows are shared, so any process running this watchdog sees it."""
    now = now or utcnow()

    def work(session: Session) -> str:
        late = []
        for job in jobs:
            run = session.get(JobRun, job.name)
            key = f"job_late:{job.name}"
            if not is_late(job, run, started_at=started_at, now=now):
                resolve_alert(session=session, key=key, now=now)
                continue
            late.append(job.name)
            last = run.last_success_at.isoformat(timespec="seconds") + " UTC" if run and run.last_success_at else "-"
            raise_alert(
                session=session,
                key=key,
                kind="job_late",
                now=now,
                subject=f"Tugas latar '{job.name}' terlambat",
                message=f"Tugas '{job.name}' (tiap {job.every_seconds} detik) belum berhasil lagi sejak {last}. "
                "Periksa /readyz, jobs.log dan apakah SCHEDULER_ENABLED aktif.",
            )
        return f"late {len(late)}" + (f": {', '.join(late)}" if late else "")

    return db.in_transaction(work)


@dataclass(frozen=True)
class Job:
    name: str
    every_seconds: int
    work: Callable[[], str]


def run_job(job: Job) -> str:
    """Run one job once: skipped when another process holds it, recorded, failures alerted, never raised."""
    engine = db.get_engine()
    started, clock = utcnow(), time.perf_counter()
    try:
        lock_conn = engine.connect()
    except Exception as exc:  # the database is down: nothing can run, nor be recorded
        db_errors.note(exc, "job")
        JOB_RUNS.labels(job=job.name, outcome="failed").inc()
        log.warning("job name=%s outcome=failed error=database unreachable (%s)", job.name, type(exc).__name__)
        return f"failed: database unreachable ({type(exc).__name__})"
    with lock_conn:
        if engine.dialect.name == "postgresql":
            key = zlib.crc32(f"aksesgpt.job:{job.name}".encode()) - 2**31
            if not lock_conn.execute(sa.text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": key}).scalar():
                return "skipped: running in another process"
        try:
            detail, outcome = job.work(), "ok"
        except Exception as exc:  # a failing job must not stop the others or the app
            db_errors.note(exc, "job")
            detail, outcome = f"{type(exc).__name__}: {exc}"[:1000], "failed"
            log.warning("job name=%s outcome=failed error=%s", job.name, detail, exc_info=True)
        lock_conn.rollback()  # releases the advisory lock
    duration = round((time.perf_counter() - clock) * 1000, 1)
    JOB_RUNS.labels(job=job.name, outcome=outcome).inc()
    JOB_DURATION.labels(job=job.name).observe(duration / 1000)
    _record(job.name, started, outcome, detail, duration)
    if outcome == "ok":
        log.debug("job name=%s outcome=ok duration_ms=%s %s", job.name, duration, detail)  # job_runs keeps it
    return detail


def _record(name: str, started: datetime, outcome: str, detail: str, duration: float) -> None:
    def work(session) -> None:
        run = session.get(JobRun, name) or JobRun(name=name)
        run.last_started_at, run.last_finished_at = started, utcnow()
        run.last_outcome, run.last_detail, run.last_duration_ms = outcome, detail, duration
        run.runs += 1
        if outcome == "ok":
            run.last_success_at = run.last_finished_at
            resolve_alert(session=session, key=f"job_failing:{name}")
        else:
            run.failures += 1
            raise_alert(
                session=session,
                key=f"job_failing:{name}",
                kind="job_failing",
                subject=f"Tugas latar '{name}' gagal",
                message=f"Tugas '{name}' gagal: {detail}",
            )
        session.add(run)

    try:
        db.in_transaction(work)
    except Exception as exc:  # the database may be what is failing; the log still has it
        db_errors.note(exc, "job")
        log.warning("job name=%s could not record its run", name, exc_info=True)


def job_runs() -> list[JobRun]:
    with db.read_session() as session:
        return list(session.exec(select(JobRun).order_by(col(JobRun.name))))


def tell_waitlist(now: datetime | None = None) -> str:
    """Tell the customers waiting for a sold-out package once its pool has a seat for them again. A job, not a
    hook: seats return through many doors (an account added, unsuspended, healthy again, its capacity raised, a
    seat ended or revoked), and one query a minute sees them all."""
    told = db.in_transaction(lambda s: notify_waitlist(session=s, now=now))
    return f"told {told}"
