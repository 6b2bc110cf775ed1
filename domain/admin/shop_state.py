"""The shop's state for Prometheus (seats, accounts, orders, outboxes), read from the database when it scrapes,
beside the counters of infra/metrics.py."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from prometheus_client import generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlmodel import func, select

from domain.shared.models import AccountStatus, ChatGPTAccount, EmailOutbox, Order, TelegramOutbox
from infra import db, db_errors
from infra.metrics import REGISTRY


class ShopState(Collector):
    """Seats, accounts, orders and outbox read from the database when Prometheus scrapes."""

    def collect(self) -> Iterator[Any]:
        up = GaugeMetricFamily("aksesgpt_database_up", "Whether the database answered this scrape")
        try:
            state = list(self._shop_state())
        except Exception as exc:  # the database is down: still serve the counters, which say so
            db_errors.note(exc, "metrics")
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


REGISTRY.register(ShopState())  # once per process: this module is imported once


def render() -> bytes:
    """Every metric in Prometheus's text format: the counters and the shop's state."""
    return generate_latest(REGISTRY)
