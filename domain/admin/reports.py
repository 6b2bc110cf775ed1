"""The owner's reports over a range of WIB calendar days, grouped by day, week (Monday first) or month.

Each report reads the rows of its range with a plain SQL filter on UTC bounds (the same on SQLite and PostgreSQL)
and puts each row in its WIB bucket here, in Python: the bucket of a moment is the WIB calendar day it falls on.

Money (whole rupiah):
- revenue: orders paid through a gateway, `paid_amount_idr` by `paid_at` (every order with a paid_at, whatever
  its status since, except the ones marked paid by hand with a manual method: those have a ManualPayment of
  kind `order`), plus every ManualPayment (`amount_idr` by `at`), the extensions included;
- fees: `Order.fee_idr` by `paid_at` (Tripay's merchant fee; Midtrans says none);
- refunds: `Order.refunded_amount_idr` by `refunded_at`;
- discounts (shown, not subtracted): `Order.discount_idr` of promo codes by `paid_at`;
- net = revenue - fees - refunds; profit = net - account costs (`account_costs`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from domain.shared.errors import ValidationFailed
from domain.shared.i18n import WIB
from domain.shared.models import (
    AccountAssignment,
    AccountStatus,
    AuditLog,
    ChatGPTAccount,
    ManualPayment,
    Order,
    Product,
)
from domain.shared.money import MANUAL_METHODS
from infra.types import utcnow

MAX_DAYS = 366 * 3  # one report covers three years at most
COST_DAYS = 30  # a monthly cost is spread over this many days
UNKNOWN_CHANNEL = "lainnya"  # an order paid without a gateway or a method said (marked paid by hand)


class Grouping(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


@dataclass(frozen=True)
class Period:
    """WIB calendar days `first` to `last` (both included), grouped by `grouping`."""

    first: date
    last: date
    grouping: Grouping = Grouping.DAY

    @property
    def since(self) -> datetime:
        return wib_midnight(self.first)

    @property
    def until(self) -> datetime:
        return wib_midnight(self.last + timedelta(days=1))


def wib_midnight(day: date) -> datetime:
    """The UTC moment WIB day `day` starts."""
    return datetime.combine(day, time(0), tzinfo=WIB).astimezone(UTC)


def wib_day(moment: datetime) -> date:
    return moment.astimezone(WIB).date()


def make_period(first: date, last: date, grouping: str = Grouping.DAY) -> Period:
    """A checked period: the first day not after the last, three years at most, a known grouping."""
    if grouping not in Grouping.__members__.values():
        raise ValidationFailed("grouping must be day, week or month", field="grouping")
    if last < first:
        raise ValidationFailed("the first day must not be after the last day", field="first")
    if (last - first).days >= MAX_DAYS:
        raise ValidationFailed(f"a report covers {MAX_DAYS} days at most", field="last")
    return Period(first, last, Grouping(grouping))


def bucket_start(day: date, grouping: Grouping) -> date:
    if grouping == Grouping.WEEK:
        return day - timedelta(days=day.weekday())
    if grouping == Grouping.MONTH:
        return day.replace(day=1)
    return day


def bucket_keys(period: Period) -> list[date]:
    """Each bucket of the period, by its first day (a bucket's first day may fall before the period's)."""
    keys: list[date] = []
    day = period.first
    while day <= period.last:
        key = bucket_start(day, period.grouping)
        if not keys or keys[-1] != key:
            keys.append(key)
        day += timedelta(days=1)
    return keys


def bucket_of(moment: datetime, period: Period) -> date:
    return bucket_start(wib_day(moment), period.grouping)


def _sum_by_bucket(rows: Iterable[tuple[datetime | None, int | None]], period: Period) -> dict[date, int]:
    totals: dict[date, int] = defaultdict(int)
    for at, amount in rows:
        if at is not None:  # (the queries select rows within the period: never None)
            totals[bucket_of(at, period)] += amount or 0
    return totals


def _in(column: Any, period: Period) -> list[Any]:
    return [col(column) >= period.since, col(column) < period.until]


# orders marked paid by hand with a manual method: their money counts through their ManualPayment row
_MANUALLY_PAID = select(ManualPayment.order_id).where(ManualPayment.kind == "order")


RENEWAL_LABEL = "Perpanjangan · "  # reports keep a renewal's money apart from first sales of the same package
_PACKAGE_LABEL: Any = sa.case(
    (col(Order.renews_order_id).is_not(None), sa.literal(RENEWAL_LABEL, sa.String()) + col(Product.name)),
    else_=col(Product.name),
).label("package")


def _gateway_paid(session: Session, period: Period) -> list[tuple[datetime | None, int | None, str, str]]:
    """(paid_at, paid amount, package name, channel) of every gateway-paid order of the period; the channel is
    the gateway's payment method, else the gateway's name."""
    channel = func.coalesce(Order.payment_method, Order.provider, UNKNOWN_CHANNEL)
    query = (
        select(Order.paid_at, Order.paid_amount_idr, _PACKAGE_LABEL, channel)
        .join(Product, col(Product.id) == col(Order.product_id))
        .where(*_in(Order.paid_at, period), col(Order.id).not_in(_MANUALLY_PAID))
    )
    return [(at, amount, name, str(method)) for at, amount, name, method in session.exec(query)]


def _manual_paid(session: Session, period: Period) -> list[tuple[datetime, int, str, str]]:
    """(at, amount, package name, channel) of every ManualPayment of the period."""
    query = (
        select(ManualPayment.at, ManualPayment.amount_idr, _PACKAGE_LABEL, ManualPayment.method)
        .join(Order, col(Order.id) == col(ManualPayment.order_id))
        .join(Product, col(Product.id) == col(Order.product_id))
        .where(*_in(ManualPayment.at, period))
    )
    return [(at, amount, name, manual_channel(method)) for at, amount, name, method in session.exec(query)]


def manual_channel(method: str) -> str:
    return f"{MANUAL_METHODS.get(method, method)} (manual)"


@dataclass(frozen=True)
class MoneyRow:
    bucket: date
    revenue_gateway: int
    revenue_manual: int
    fees: int
    refunds: int
    costs: int
    discounts: int = 0  # promo-code discounts of the orders paid in the bucket (not subtracted: revenue is paid)

    @property
    def revenue(self) -> int:
        return self.revenue_gateway + self.revenue_manual

    @property
    def net(self) -> int:
        return self.revenue - self.fees - self.refunds

    @property
    def profit(self) -> int:
        return self.net - self.costs


def money(*, session: Session, period: Period, now: datetime | None = None) -> list[MoneyRow]:
    """Revenue (gateway, manual), fees, refunds, net, account costs and profit, one row per bucket."""
    gateway = _sum_by_bucket(((at, amount) for at, amount, _, _ in _gateway_paid(session, period)), period)
    manual = _sum_by_bucket(((at, amount) for at, amount, _, _ in _manual_paid(session, period)), period)
    fees = _sum_by_bucket(
        session.exec(select(Order.paid_at, Order.fee_idr).where(*_in(Order.paid_at, period))),
        period,
    )
    refunds = _sum_by_bucket(
        session.exec(select(Order.refunded_at, Order.refunded_amount_idr).where(*_in(Order.refunded_at, period))),
        period,
    )
    costs = account_costs(session=session, period=period, now=now)
    discounts = _sum_by_bucket(
        session.exec(select(Order.paid_at, Order.discount_idr).where(*_in(Order.paid_at, period))), period
    )
    return [
        MoneyRow(
            key,
            gateway.get(key, 0),
            manual.get(key, 0),
            fees.get(key, 0),
            refunds.get(key, 0),
            costs.get(key, 0),
            discounts.get(key, 0),
        )
        for key in bucket_keys(period)
    ]


@dataclass(frozen=True)
class Split:
    """An amount per bucket for each of several names (packages, channels, pools)."""

    names: list[str]
    by_bucket: dict[date, dict[str, int]] = field(default_factory=dict)

    def value(self, bucket: date, name: str) -> int:
        return self.by_bucket.get(bucket, {}).get(name, 0)

    def total(self, name: str) -> int:
        return sum(values.get(name, 0) for values in self.by_bucket.values())


def _split(rows: Iterable[tuple[datetime | None, int, str]], period: Period) -> Split:
    by_bucket: dict[date, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    names: set[str] = set()
    for at, amount, name in rows:
        if at is None:  # (the queries select rows within the period: never None)
            continue
        by_bucket[bucket_of(at, period)][name] += amount
        names.add(name)
    return Split(sorted(names), {k: dict(v) for k, v in by_bucket.items()})


def revenue_by_package(*, session: Session, period: Period) -> Split:
    rows = [(at, amount or 0, name) for at, amount, name, _ in _gateway_paid(session, period)]
    rows += [(at, amount, name) for at, amount, name, _ in _manual_paid(session, period)]
    return _split(rows, period)


def revenue_by_channel(*, session: Session, period: Period) -> Split:
    """By payment method: the gateway's channel (QRIS, BRIVA…), or the manual method ("Tunai (manual)")."""
    rows = [(at, amount or 0, channel) for at, amount, _, channel in _gateway_paid(session, period)]
    rows += [(at, amount, channel) for at, amount, _, channel in _manual_paid(session, period)]
    return _split(rows, period)


def service_end(account: ChatGPTAccount, now: datetime) -> datetime:
    """When an account left service: retired_at; a retired account without one (retired before it was recorded):
    its last update; otherwise it is still in service (now)."""
    if account.retired_at is not None:
        return account.retired_at
    if account.status == AccountStatus.RETIRED:
        return account.updated_at
    return now


def account_costs(*, session: Session, period: Period, now: datetime | None = None) -> dict[date, int]:
    """What the accounts cost in each bucket, prorated by day.

    An account with a monthly cost C is in service on each WIB calendar day from the day of its created_at up to,
    but not including, the day it left service (`service_end`: retired_at), or up to and including today when it
    is still in service; a day after today never counts. Each day in service costs C/30. A bucket's cost is the
    sum over accounts of C x (its days in service within the bucket and the period) / 30, rounded to the nearest
    rupiah once per bucket (halves up)."""
    now = now or utcnow()
    today = wib_day(now)
    accounts = session.exec(
        select(ChatGPTAccount).where(
            col(ChatGPTAccount.monthly_cost_idr).is_not(None), col(ChatGPTAccount.created_at) < period.until
        )
    )
    thirtieths: dict[date, int] = defaultdict(int)  # cost x days, to divide by COST_DAYS once per bucket
    for account in accounts:
        first = max(wib_day(account.created_at), period.first)
        end = service_end(account, now)
        last = min(wib_day(end) - timedelta(days=1) if end < now else today, period.last)
        day = first
        while day <= last:
            thirtieths[bucket_start(day, period.grouping)] += account.monthly_cost_idr or 0
            day += timedelta(days=1)
    return {key: (value * 2 + COST_DAYS) // (2 * COST_DAYS) for key, value in thirtieths.items()}


@dataclass(frozen=True)
class PoolSeats:
    pool: str
    capacity: int
    used: int

    @property
    def free(self) -> int:
        return self.capacity - self.used


def seats_started(*, session: Session, period: Period) -> Split:
    """Seats sold per pool: each order's first seat (its earliest assignment; a move to another account starts no
    new sale), counted in the bucket of that seat's start_at, under the order's pool."""
    first_seat = (
        select(AccountAssignment.order_id, func.min(AccountAssignment.start_at).label("started"))
        .group_by(col(AccountAssignment.order_id))
        .subquery()
    )
    query = (
        select(first_seat.c.started, Order.pool)
        .join(Order, col(Order.id) == first_seat.c.order_id)
        .where(first_seat.c.started >= period.since, first_seat.c.started < period.until)
    )
    return _split(((_aware(at), 1, pool) for at, pool in session.exec(query)), period)


def _aware(value: datetime | str) -> datetime:
    """A timestamp read through an aggregate (SQLite returns its text; the column type does not apply)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def pool_seats(*, session: Session) -> list[PoolSeats]:
    """Each pool's seats now, over its accounts in service (available or all seats taken)."""
    capacity = func.coalesce(ChatGPTAccount.max_seats, 1)
    query = (
        select(ChatGPTAccount.pool, func.sum(capacity), func.sum(ChatGPTAccount.seats_used))
        .where(col(ChatGPTAccount.status).in_([AccountStatus.AVAILABLE, AccountStatus.ASSIGNED]))
        .group_by(col(ChatGPTAccount.pool))
        .order_by(col(ChatGPTAccount.pool))
    )
    return [PoolSeats(pool, int(total or 0), int(used or 0)) for pool, total, used in session.exec(query)]


@dataclass(frozen=True)
class OrderCounts:
    bucket: date
    created: int
    paid: int
    expired: int


def order_counts(*, session: Session, period: Period) -> list[OrderCounts]:
    """Orders created (created_at), paid (paid_at, by a gateway or by hand) and expired unpaid (when the
    order.expire audit entry was written) in each bucket."""
    created = _sum_by_bucket(
        ((at, 1) for at in session.exec(select(Order.created_at).where(*_in(Order.created_at, period)))), period
    )
    paid = _sum_by_bucket(
        ((at, 1) for at in session.exec(select(Order.paid_at).where(*_in(Order.paid_at, period)))), period
    )
    expired = _sum_by_bucket(
        (
            (at, 1)
            for at in session.exec(
                select(AuditLog.at).where(
                    AuditLog.entity == "order", AuditLog.action == "order.expire", *_in(AuditLog.at, period)
                )
            )
        ),
        period,
    )
    return [OrderCounts(key, created.get(key, 0), paid.get(key, 0), expired.get(key, 0)) for key in bucket_keys(period)]
