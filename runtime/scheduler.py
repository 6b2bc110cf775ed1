"""The jobs on APScheduler 3's AsyncIOScheduler, inside the app's event loop (jobs run in threads)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from domain.notify import mail, telegram, whatsapp
from domain.notify.mail import MailSender
from domain.notify.telegram import ChatSender
from domain.notify.whatsapp import WhatsAppSender
from domain.payments.gateway import PaymentGateway
from domain.seats import provisioning
from infra.settings import Settings
from infra.types import utcnow
from runtime.feed import prune_old_changes
from runtime.jobs import (
    Job,
    deliver_mail,
    deliver_telegram,
    deliver_whatsapp,
    expire_unpaid_orders,
    release_expired,
    remind_subscription_renewals,
    run_job,
    send_reminders,
    serve_waiting_orders,
    tell_waitlist,
    watch_jobs,
    watch_operations,
    watch_pool,
)
from runtime.workspaces import WorkspaceWorker

log = logging.getLogger("aksesgpt.jobs")
DELIVERY_JOB = "deliver_outbox"
WORKSPACE_JOB = "workspace_tasks"
WHATSAPP_JOB = "deliver_whatsapp"
TELEGRAM_JOB = "deliver_telegram"
WOKEN_JOBS = (DELIVERY_JOB, WORKSPACE_JOB, WHATSAPP_JOB, TELEGRAM_JOB)  # run again at once when woken while running
DELIVER_WITHIN = timedelta(seconds=1)


def shop_jobs(
    settings: Settings,
    gateways: dict[str, PaymentGateway],
    sender: MailSender | None,
    chat: ChatSender | None = None,
    workspaces: WorkspaceWorker | None = None,
    whatsapp_sender: WhatsAppSender | None = None,
) -> list[Job]:
    jobs = [
        Job("release_expired_assignments", 60, release_expired),
        Job("serve_pending_stock", 60, serve_waiting_orders),
        Job("expire_unpaid_orders", 60, lambda: expire_unpaid_orders(gateways)),
        Job(DELIVERY_JOB, 30, lambda: deliver_mail(sender)),
        Job("expiry_reminders", 3600, send_reminders),
        Job("low_pool_alert", 300, watch_pool),  # the owner's threshold (its .env default when unset)
        Job("operations_alerts", 300, lambda: watch_operations(stock_wait_minutes=settings.STOCK_WAIT_ALERT_MINUTES)),
        Job("prune_change_feed", 3600, prune_old_changes),
        Job("subscription_renewals", 3600, remind_subscription_renewals),
        Job("waitlist_notify", max(1, settings.WAITLIST_INTERVAL_S), tell_waitlist),
    ]
    if chat is not None:
        jobs.append(Job(TELEGRAM_JOB, 30, lambda: deliver_telegram(chat)))
    if whatsapp_sender is not None:
        jobs.append(Job(WHATSAPP_JOB, 30, lambda: deliver_whatsapp(whatsapp_sender)))
    if workspaces is not None:
        sync_every = max(1, min(60, settings.WORKSPACE_SYNC_INTERVAL_S))
        jobs.append(Job(WORKSPACE_JOB, 5, workspaces.run_tasks))
        jobs.append(Job("workspace_sync", sync_every, workspaces.sync_due))
    started = utcnow()
    watched = list(jobs)
    jobs.append(Job("job_watchdog", 60, lambda: watch_jobs(watched, started_at=started)))
    return jobs


class RunAgainWhenWoken:
    """The outbox job's work, run once more right away when mail was committed while it ran: the
    scheduler cannot start a second instance then (max_instances=1), and the run in progress only
    picked up what was due when it began."""

    ROUNDS = 10  # then the next wake or interval takes over

    def __init__(self, work: Callable[[], str]) -> None:
        self.work = work
        self._lock = threading.Lock()
        self._running = self._again = False

    def __call__(self) -> str:
        with self._lock:
            self._running = True
        try:
            for _ in range(self.ROUNDS):
                with self._lock:
                    self._again = False
                detail = self.work()
                with self._lock:
                    if not self._again:
                        break
            return detail
        finally:
            with self._lock:
                self._running = False

    def woken(self) -> bool:
        """Note a wake-up; True when the work is running and will go again by itself."""
        with self._lock:
            self._again = self._running
            return self._running


def build_scheduler(jobs: list[Job]) -> AsyncIOScheduler:
    jobs = [replace(job, work=RunAgainWhenWoken(job.work)) if job.name in WOKEN_JOBS else job for job in jobs]
    scheduler = AsyncIOScheduler(
        executors={"default": ThreadPoolExecutor(max_workers=4)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 30},
    )
    for job in jobs:
        scheduler.add_job(
            run_job, "interval", seconds=job.every_seconds, args=[job], id=job.name, name=job.name, next_run_time=None
        )
    return scheduler


def start(scheduler: AsyncIOScheduler) -> None:
    """Start inside the running loop (app.on_startup) and run every job once right away; from then on
    a committed e-mail brings the outbox job forward (`mail.on_mail_committed`)."""
    scheduler.start()
    for index, job in enumerate(scheduler.get_jobs()):
        job.modify(next_run_time=datetime.now(scheduler.timezone) + timedelta(seconds=2 + index))
    mail.on_mail_committed(lambda: deliver_soon(scheduler))
    provisioning.on_task_committed(lambda: deliver_soon(scheduler, WORKSPACE_JOB))
    whatsapp.on_whatsapp_committed(lambda: deliver_soon(scheduler, WHATSAPP_JOB))
    telegram.on_telegram_committed(lambda: deliver_soon(scheduler, TELEGRAM_JOB))
    log.info("scheduler started jobs=%s", ",".join(j.id for j in scheduler.get_jobs()))


def stop(scheduler: AsyncIOScheduler) -> None:
    mail.on_mail_committed(None)
    provisioning.on_task_committed(None)
    whatsapp.on_whatsapp_committed(None)
    telegram.on_telegram_committed(None)
    scheduler.shutdown(wait=False)


def deliver_soon(scheduler: AsyncIOScheduler, job_id: str = DELIVERY_JOB) -> None:
    """Bring the outbox job (or the workspace job) forward to within `DELIVER_WITHIN` (thread-safe: called after
    commits in any thread). Under a burst of payments it runs about once a second, each run sending what is due."""
    job = scheduler.get_job(job_id)
    if job is None or not scheduler.running or job.next_run_time is None:  # None: the job is paused
        return
    work = job.args[0].work
    if isinstance(work, RunAgainWhenWoken) and work.woken():
        return
    soon = datetime.now(scheduler.timezone) + DELIVER_WITHIN
    if job.next_run_time > soon:
        job.modify(next_run_time=soon)
