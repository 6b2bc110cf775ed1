"""Prometheus metrics: counters and histograms updated where things happen, and the shop's state
(seats, accounts, orders, outbox) read from the database at scrape time."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlmodel import func, select

from domain import db
from domain.models import AccountStatus, ChatGPTAccount, EmailOutbox, Order, TelegramOutbox

REGISTRY = CollectorRegistry(auto_describe=False)  # never query the database on import
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5)

WEBHOOK_REQUESTS = Counter(
    "aksesgpt_webhook_requests",
    "Payment callbacks received, by provider and outcome",
    ["provider", "outcome"],
    registry=REGISTRY,
)
WEBHOOK_LATENCY = Histogram(
    "aksesgpt_webhook_latency_seconds",
    "Time to process one payment callback",
    ["provider"],
    buckets=LATENCY_BUCKETS,
    registry=REGISTRY,
)
ALLOCATION_LATENCY = Histogram(
    "aksesgpt_allocation_latency_seconds",
    "Time to allocate a seat to a paid order",
    buckets=LATENCY_BUCKETS,
    registry=REGISTRY,
)
CALLBACK_BATCHES = Histogram(
    "aksesgpt_callback_batch_size",
    "Callbacks applied together in one transaction by the callback writer",
    buckets=(1, 2, 4, 8, 16, 32),
    registry=REGISTRY,
)
CALLBACK_BATCH_REPLAYS = Counter(
    "aksesgpt_callback_batch_replays",
    "Callback batches rolled back and replayed one callback per transaction",
    registry=REGISTRY,
)
FAILOVERS = Counter("aksesgpt_payment_failovers", "Checkouts moved to the fallback gateway", ["to"], registry=REGISTRY)
DATABASE_ERRORS = Counter(
    "aksesgpt_database_errors", "Database failures seen by this process, by where", ["place"], registry=REGISTRY
)
JOB_RUNS = Counter("aksesgpt_job_runs", "Background job runs, by outcome", ["job", "outcome"], registry=REGISTRY)
JOB_DURATION = Histogram(
    "aksesgpt_job_duration_seconds",
    "Background job run time",
    ["job"],
    buckets=(0.01, 0.1, 0.5, 1, 5, 15, 60, 300),
    registry=REGISTRY,
)


class ShopState(Collector):
    """Seats, accounts, orders and outbox read from the database when Prometheus scrapes."""

    def collect(self) -> Iterator[Any]:
        up = GaugeMetricFamily("aksesgpt_database_up", "Whether the database answered this scrape")
        try:
            state = list(self._shop_state())
        except Exception as exc:  # the database is down: still serve the counters, which say so
            from domain.db_errors import note

            note(exc, "metrics")
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from state

    def _shop_state(self) -> Iterator[Any]:
        capacity = func.coalesce(ChatGPTAccount.max_seats, 1)
        in_service = ChatGPTAccount.status.in_([AccountStatus.AVAILABLE, AccountStatus.ASSIGNED])  # type: ignore[attr-defined]
        with db.read_session() as session:
            total, used = session.exec(
                select(
                    func.coalesce(func.sum(capacity), 0), func.coalesce(func.sum(ChatGPTAccount.seats_used), 0)
                ).where(in_service)
            ).one()
            free = session.exec(
                select(func.coalesce(func.sum(capacity - ChatGPTAccount.seats_used), 0)).where(
                    ChatGPTAccount.status == AccountStatus.AVAILABLE
                )
            ).one()
            accounts = list(session.exec(select(ChatGPTAccount.status, func.count()).group_by(ChatGPTAccount.status)))
            orders = list(session.exec(select(Order.status, func.count()).group_by(Order.status)))
            mail = list(session.exec(select(EmailOutbox.status, func.count()).group_by(EmailOutbox.status)))
            chat = list(session.exec(select(TelegramOutbox.status, func.count()).group_by(TelegramOutbox.status)))
        seats = GaugeMetricFamily("aksesgpt_pool_seats", "Seats on accounts in service", labels=["state"])
        seats.add_metric(["total"], int(total))
        seats.add_metric(["used"], int(used))
        seats.add_metric(["free"], int(free))
        yield seats
        for name, doc, rows in (
            ("aksesgpt_accounts", "Accounts by status", accounts),
            ("aksesgpt_orders", "Orders by status", orders),
            ("aksesgpt_outbox_emails", "Outbox e-mails by status (PENDING is the backlog)", mail),
            ("aksesgpt_outbox_telegram", "Telegram alerts by status (PENDING is the backlog)", chat),
        ):
            family = GaugeMetricFamily(name, doc, labels=["status"])
            for status, count in rows:
                family.add_metric([str(status)], int(count))
            yield family


REGISTRY.register(ShopState())


def render() -> bytes:
    return generate_latest(REGISTRY)
