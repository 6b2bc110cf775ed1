"""Read models for the admin dashboard: pool gauges, counts, revenue, webhook health, daily series."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlmodel import Session, col, func, select

from domain.admin.invariants import check_invariants
from domain.notify.alerts import active_alerts
from domain.orders.states import PAID_STATES
from domain.shared.i18n import WIB
from domain.shared.models import (
    AccountAssignment,
    AccountStatus,
    AdminAlert,
    AssignmentStatus,
    ChatGPTAccount,
    EventOutcome,
    Health,
    JobRun,
    Order,
    PaymentEvent,
)
from infra.types import utcnow

_capacity = func.coalesce(ChatGPTAccount.max_seats, 1)


@dataclass(frozen=True)
class UnhealthyAccount:
    id: int
    email: str
    pool: str
    health: str
    since: datetime | None
    last_error: str
    customers: int


@dataclass
class Overview:
    seats_total: int = 0
    seats_used: int = 0
    seats_free: int = 0
    accounts_by_status: dict[str, int] = field(default_factory=dict)
    accounts_by_health: dict[str, int] = field(default_factory=dict)  # accounts not retired
    unhealthy: list[UnhealthyAccount] = field(default_factory=list)  # the latest to turn unhealthy first
    orders_by_status: dict[str, int] = field(default_factory=dict)
    ending_7_days: int = 0
    revenue_today: int = 0
    revenue_7_days: int = 0
    revenue_30_days: int = 0
    webhooks_24h: int = 0
    webhook_success_rate: float | None = None
    webhook_p95_ms: float | None = None
    daily: list[tuple[str, int, int]] = field(default_factory=list)  # (date, orders paid, revenue)
    violations: list[str] = field(default_factory=list)
    jobs: list[JobRun] = field(default_factory=list)
    alerts: list[AdminAlert] = field(default_factory=list)

    @property
    def utilisation(self) -> float:
        return self.seats_used / self.seats_total if self.seats_total else 0.0


def _revenue_since(session: Session, since: datetime) -> int:
    query = select(func.coalesce(func.sum(Order.amount_idr), 0)).where(
        col(Order.status).in_(list(PAID_STATES)), col(Order.paid_at) >= since
    )
    return int(session.exec(query).one())


def overview(*, session: Session, now: datetime | None = None, with_invariants: bool = True) -> Overview:
    now = now or utcnow()
    data = Overview()
    in_service = col(ChatGPTAccount.status).in_([AccountStatus.AVAILABLE, AccountStatus.ASSIGNED])
    total, used = session.exec(
        select(func.coalesce(func.sum(_capacity), 0), func.coalesce(func.sum(ChatGPTAccount.seats_used), 0)).where(
            in_service
        )
    ).one()
    data.seats_total, data.seats_used = int(total), int(used)
    data.seats_free = int(
        session.exec(
            select(func.coalesce(func.sum(_capacity - ChatGPTAccount.seats_used), 0)).where(
                ChatGPTAccount.status == AccountStatus.AVAILABLE
            )
        ).one()
    )
    data.accounts_by_status = {
        s: n for s, n in session.exec(select(ChatGPTAccount.status, func.count()).group_by(ChatGPTAccount.status))
    }
    data.accounts_by_health, data.unhealthy = _health(session)
    data.orders_by_status = {s: n for s, n in session.exec(select(Order.status, func.count()).group_by(Order.status))}
    data.ending_7_days = int(
        session.exec(
            select(func.count())
            .select_from(AccountAssignment)
            .where(
                AccountAssignment.status == AssignmentStatus.ACTIVE,
                col(AccountAssignment.end_at) <= now + timedelta(days=7),
            )
        ).one()
    )
    midnight = now.astimezone(WIB).replace(hour=0, minute=0, second=0, microsecond=0)
    data.revenue_today = _revenue_since(session, midnight)
    data.revenue_7_days = _revenue_since(session, now - timedelta(days=7))
    data.revenue_30_days = _revenue_since(session, now - timedelta(days=30))
    events = list(
        session.exec(
            select(PaymentEvent.outcome, PaymentEvent.latency_ms).where(
                col(PaymentEvent.created_at) >= now - timedelta(hours=24)
            )
        )
    )
    data.webhooks_24h = len(events)
    if events:
        ok = sum(
            1
            for outcome, _ in events
            if outcome in (EventOutcome.APPLIED, EventOutcome.DUPLICATE, EventOutcome.IGNORED)
        )
        data.webhook_success_rate = ok / len(events)
        latencies = sorted(ms for _, ms in events if ms is not None)
        if latencies:
            data.webhook_p95_ms = latencies[min(len(latencies) - 1, int(len(latencies) * 0.95))]
    data.daily = daily_series(session=session, now=now)
    data.jobs = list(session.exec(select(JobRun).order_by(col(JobRun.name))))
    data.alerts = active_alerts(session=session)
    if with_invariants:
        data.violations = check_invariants(session=session)
    return data


def _health(session: Session, limit: int = 20) -> tuple[dict[str, int], list[UnhealthyAccount]]:
    """Accounts (not retired) per health, and the unhealthy ones."""
    kept = ChatGPTAccount.status != AccountStatus.RETIRED
    by_health = select(ChatGPTAccount.health, func.count()).where(kept).group_by(ChatGPTAccount.health)
    counts = {h: n for h, n in session.exec(by_health)}
    rows = session.exec(
        select(ChatGPTAccount)
        .where(kept, ChatGPTAccount.health != Health.OK)
        .order_by(col(ChatGPTAccount.health_changed_at).desc(), col(ChatGPTAccount.id))
        .limit(limit)
    )
    return counts, [
        UnhealthyAccount(a.id or 0, a.email, a.pool, a.health, a.health_changed_at, a.last_error, a.seats_used)
        for a in rows
    ]


def daily_series(*, session: Session, now: datetime, days: int = 30) -> list[tuple[str, int, int]]:
    """Paid orders and revenue per day (WIB) over the last `days` days, oldest first."""
    start = (now.astimezone(WIB) - timedelta(days=days - 1)).replace(hour=0, minute=0, second=0, microsecond=0)
    buckets = {(start + timedelta(days=i)).date(): [0, 0] for i in range(days)}
    rows = session.exec(
        select(Order.paid_at, Order.amount_idr).where(
            col(Order.status).in_(list(PAID_STATES)), col(Order.paid_at) >= start
        )
    )
    for paid_at, amount in rows:
        if paid_at is None:
            continue
        day = paid_at.astimezone(WIB).date()
        if day in buckets:
            buckets[day][0] += 1
            buckets[day][1] += amount
    return [(day.strftime("%d/%m"), n, revenue) for day, (n, revenue) in buckets.items()]
