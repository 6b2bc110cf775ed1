"""The owner's reports: each figure equals a plain SQL sum over the same WIB day, written here on its own, on
SQLite and PostgreSQL; rows near midnight WIB land on the right day."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from domain.admin.reports import (
    Grouping,
    account_costs,
    make_period,
    money,
    order_counts,
    pool_seats,
    revenue_by_channel,
    revenue_by_package,
    seats_started,
)
from domain.shared.errors import ValidationFailed
from domain.shared.models import (
    AccountAssignment,
    AccountStatus,
    AssignmentStatus,
    AuditLog,
    ChatGPTAccount,
    ManualPayment,
    Order,
    OrderStatus,
    Product,
)
from infra import db
from infra.types import UTCDateTime

FIRST, LAST = date(2026, 11, 1), date(2026, 11, 10)
NOW = datetime(2026, 11, 20, 5, 0, tzinfo=UTC)  # after the period: every day of it is past
DAYS = [FIRST + timedelta(days=n) for n in range((LAST - FIRST).days + 1)]


def utc(day: int, hour: int, minute: int = 0, second: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, second, tzinfo=UTC)


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """WIB day `day` in UTC, written out: 00:00 WIB is 17:00 UTC the day before."""
    start = datetime(day.year, day.month, day.day, tzinfo=UTC) - timedelta(hours=7)
    return start, start + timedelta(days=1)


def sql_value(query: str, day: date, **params: object) -> int:
    start, end = day_bounds(day)
    bounds = {name: value for name, value in (("a", start), ("b", end)) if f":{name}" in query}
    statement = sa.text(query).bindparams(*(sa.bindparam(name, type_=UTCDateTime()) for name in bounds))
    with db.read_session() as s:
        return int(s.connection().execute(statement, {**bounds, **params}).scalar() or 0)


def _order(s: Session, product: Product, code: str, created: datetime, **columns: object) -> Order:
    order = Order(
        code=code,
        access_token_hash="0" * 64,
        email=f"{code.lower()}@example.com",
        phone="081234567890",
        product_id=product.id,  # type: ignore[arg-type]
        amount_idr=product.price_idr,
        duration_days=product.duration_days,
        pool=product.pool,
        created_at=created,
        **columns,
    )
    s.add(order)
    s.flush()
    return order


def _seat(s: Session, order: Order, account: ChatGPTAccount, start: datetime, status: str = "ACTIVE") -> None:
    s.add(
        AccountAssignment(
            order_id=order.id,  # type: ignore[arg-type]
            chatgpt_account_id=account.id,  # type: ignore[arg-type]
            customer_email=order.email,
            status=status,
            start_at=start,
            end_at=start + timedelta(days=30),
        )
    )
    s.flush()


def seed(s: Session) -> None:
    """Two packages in two pools, three accounts (two with a monthly cost, one retired in the period), orders
    paid through gateways and by hand, a refund, an expiry, an extension paid in cash, several near midnight WIB."""
    basic = Product(slug="paket-30", name="Paket 30 hari", price_idr=79_000, duration_days=30, pool="default")
    vip = Product(slug="paket-vip", name="Paket VIP", price_idr=150_000, duration_days=30, pool="vip")
    s.add_all([basic, vip])
    s.flush()
    shared = ChatGPTAccount(
        email="a1@example.com", pool="default", max_seats=5, seats_used=3, monthly_cost_idr=300_000,
        created_at=utc(25, 3, month=10),
    )  # fmt: skip
    retired = ChatGPTAccount(
        email="a2@example.com", pool="vip", max_seats=3, seats_used=0, monthly_cost_idr=450_000,
        status=AccountStatus.RETIRED, created_at=utc(3, 16, 30), retired_at=utc(6, 17, 30),
    )  # fmt: skip
    free = ChatGPTAccount(email="a3@example.com", pool="vip", max_seats=2, seats_used=1, created_at=utc(1, 1))
    s.add_all([shared, retired, free])
    s.flush()
    paid = OrderStatus.FULFILLED
    o1 = _order(
        s,
        basic,
        "AG-R1",
        utc(1, 10),
        status=paid,
        provider="tripay",
        payment_method="QRIS",
        paid_at=utc(1, 16, 59, 59),
        paid_amount_idr=79_000,
        fee_idr=1_500,
    )  # fmt: skip  (23:59:59 WIB on 1 November)
    o2 = _order(
        s,
        basic,
        "AG-R2",
        utc(1, 17),
        status=OrderStatus.REFUNDED,
        provider="tripay",
        payment_method="BRIVA",
        paid_at=utc(1, 17),
        paid_amount_idr=79_000,
        fee_idr=4_250,
        refunded_amount_idr=50_000,
        refund_method="transfer",
        refunded_at=utc(4, 16, 59),
    )  # fmt: skip  (00:00 WIB on 2 November; refunded 23:59 WIB on 4 November)
    o3 = _order(s, vip, "AG-R3", utc(2, 3), status=paid, paid_at=utc(2, 3, 5), paid_amount_idr=150_000)
    s.add(ManualPayment(at=utc(2, 3, 5), kind="order", order_id=o3.id, amount_idr=145_000, method="cash", actor="t"))
    o4 = _order(s, vip, "AG-R4", utc(3, 20), status=OrderStatus.PAYMENT_EXPIRED)
    s.add(AuditLog(at=utc(4, 20), actor="t", action="order.expire", entity="order", entity_id=o4.id))
    o5 = _order(
        s, basic, "AG-R5", utc(5, 23), status=paid, provider="midtrans", payment_method="gopay",
        paid_at=utc(5, 23, 30), paid_amount_idr=79_000,
    )  # fmt: skip
    o6 = _order(
        s,
        basic,
        "AG-R6",
        utc(31, 15, month=10),
        status=paid,
        provider="tripay",
        payment_method="QRIS",
        paid_at=utc(31, 16, month=10),
        paid_amount_idr=79_000,
        fee_idr=1_500,
    )  # fmt: skip  (before the period; its extension, in cash, is in it: 00:10 WIB on 10 November)
    s.add(
        ManualPayment(at=utc(9, 17, 10), kind="extension", order_id=o6.id, amount_idr=70_000, method="cash", actor="t")
    )
    o7 = _order(
        s,
        vip,
        "AG-R7",
        utc(10, 16),
        status=paid,
        provider="tripay",
        payment_method="QRIS",
        paid_at=utc(10, 17),
        paid_amount_idr=150_000,
        fee_idr=2_000,
    )  # fmt: skip  (00:00 WIB on 11 November: after the period)
    _order(s, basic, "AG-R8", utc(9, 16, 59), status=OrderStatus.PENDING_PAYMENT)
    _seat(s, o1, shared, utc(1, 16, 59, 59))
    _seat(s, o2, shared, utc(1, 17), status=AssignmentStatus.REVOKED)
    _seat(s, o2, free, utc(3, 2), status=AssignmentStatus.REVOKED)  # a move: not a new sale
    _seat(s, o3, free, utc(3, 16, 40))
    _seat(s, o5, shared, utc(5, 23, 30))
    _seat(s, o6, shared, utc(31, 16, month=10))
    _seat(s, o7, free, utc(10, 17), status=AssignmentStatus.EXPIRED)


@pytest.fixture
def seeded(engine) -> None:
    db.in_transaction(seed)


def period(grouping: str = Grouping.DAY):
    return make_period(FIRST, LAST, grouping)


def read(report, **kw):
    with db.read_session() as s:
        return report(session=s, **kw)


GATEWAY_REVENUE = (
    "SELECT SUM(paid_amount_idr) FROM orders WHERE paid_at >= :a AND paid_at < :b "
    "AND orders.id NOT IN (SELECT order_id FROM manual_payments WHERE kind = 'order')"
)
MANUAL_REVENUE = "SELECT SUM(amount_idr) FROM manual_payments WHERE at >= :a AND at < :b"


def test_revenue_fees_refunds_and_net_per_day_equal_sql_sums(seeded) -> None:
    rows = read(money, period=period(), now=NOW)
    assert [r.bucket for r in rows] == DAYS
    for row in rows:
        day = row.bucket
        assert row.revenue_gateway == sql_value(GATEWAY_REVENUE, day), day
        assert row.revenue_manual == sql_value(MANUAL_REVENUE, day), day
        assert row.fees == sql_value("SELECT SUM(fee_idr) FROM orders WHERE paid_at >= :a AND paid_at < :b", day)
        assert row.refunds == sql_value(
            "SELECT SUM(refunded_amount_idr) FROM orders WHERE refunded_at >= :a AND refunded_at < :b", day
        )
        assert row.net == row.revenue - row.fees - row.refunds
    by_day = {r.bucket: r for r in rows}
    # near midnight WIB: 23:59:59 on the 1st, 00:00 on the 2nd, the cash extension 00:10 on the 10th
    assert (by_day[date(2026, 11, 1)].revenue, by_day[date(2026, 11, 1)].fees) == (79_000, 1_500)
    assert by_day[date(2026, 11, 2)].revenue == 79_000 + 145_000  # the manual payment, not the order's price
    assert by_day[date(2026, 11, 4)].refunds == 50_000
    assert by_day[date(2026, 11, 10)].revenue == 70_000
    assert sum(r.revenue for r in rows) == 79_000 * 3 + 145_000 + 70_000


def test_revenue_by_package_equals_sql_sums(seeded) -> None:
    split = read(revenue_by_package, period=period())
    assert split.names == ["Paket 30 hari", "Paket VIP"]
    for day in DAYS:
        for name in split.names:
            expected = sql_value(
                GATEWAY_REVENUE.replace("FROM orders WHERE", "FROM orders JOIN products p ON p.id = orders.product_id "
                                        "WHERE p.name = :name AND"),
                day, name=name,
            ) + sql_value(
                "SELECT SUM(m.amount_idr) FROM manual_payments m JOIN orders o ON o.id = m.order_id "
                "JOIN products p ON p.id = o.product_id WHERE m.at >= :a AND m.at < :b AND p.name = :name",
                day, name=name,
            )  # fmt: skip
            assert split.value(bucket=day, name=name) == expected, (day, name)
    assert split.total("Paket VIP") == 145_000


def test_revenue_by_channel_equals_sql_sums(seeded) -> None:
    split = read(revenue_by_channel, period=period())
    assert split.names == ["BRIVA", "QRIS", "Tunai (manual)", "gopay"]
    for day in DAYS:
        for method in ("BRIVA", "QRIS", "gopay"):
            expected = sql_value(GATEWAY_REVENUE + " AND payment_method = :m", day, m=method)
            assert split.value(day, method) == expected, (day, method)
        cash = sql_value(MANUAL_REVENUE + " AND method = 'cash'", day)
        assert split.value(day, "Tunai (manual)") == cash, day
    assert split.total("Tunai (manual)") == 145_000 + 70_000


def test_account_costs_and_profit_equal_sql_sums_of_days_in_service(seeded) -> None:
    costs = read(account_costs, period=period(), now=NOW)
    rows = read(money, period=period(), now=NOW)
    for day in DAYS:
        # in service on a WIB day: created before its end, not retired before its end
        cost_times_days = sql_value(
            "SELECT SUM(monthly_cost_idr) FROM chatgpt_accounts WHERE monthly_cost_idr IS NOT NULL "
            "AND created_at < :b AND (retired_at IS NULL OR retired_at >= :b)",
            day,
        )
        assert costs.get(day, 0) == round(cost_times_days / 30), day
    assert costs[date(2026, 11, 2)] == 10_000  # the shared account alone: 300.000 / 30
    assert costs[date(2026, 11, 3)] == 25_000  # the VIP account was created at 23:30 WIB that day: it counts
    assert costs[date(2026, 11, 7)] == 10_000  # retired at 00:30 WIB on the 7th: the 7th no longer counts
    assert costs[date(2026, 11, 6)] == 25_000
    for row in rows:
        assert row.costs == costs.get(row.bucket, 0)
        assert row.profit == row.net - row.costs


def test_costs_stop_at_today_and_round_per_bucket(seeded) -> None:
    now = utc(5, 3)  # 10:00 WIB on 5 November
    by_week = read(account_costs, period=period(Grouping.WEEK), now=now)
    # weeks start on Monday: 26 October (the 1st is a Sunday), 2 November, 9 November (nothing yet)
    shared_days = {date(2026, 10, 26): 1, date(2026, 11, 2): 4}
    vip_days = {date(2026, 11, 2): 3}  # 3rd, 4th, 5th
    for week, days in shared_days.items():
        expected = (300_000 * days + 450_000 * vip_days.get(week, 0) + 15) // 30
        assert by_week[week] == expected
    assert date(2026, 11, 9) not in by_week


def test_seats_sold_per_pool_equal_sql_counts_of_first_seats(seeded) -> None:
    split = read(seats_started, period=period())
    assert split.names == ["default", "vip"]
    for day in DAYS:
        for pool in split.names:
            expected = sql_value(
                "SELECT COUNT(*) FROM (SELECT order_id, MIN(start_at) AS s FROM account_assignments "
                "GROUP BY order_id) f JOIN orders o ON o.id = f.order_id "
                "WHERE f.s >= :a AND f.s < :b AND o.pool = :pool",
                day,
                pool=pool,
            )
            assert split.value(day, pool) == expected, (day, pool)
    assert (split.total("default"), split.total("vip")) == (3, 1)  # the move of AG-R2 is not a sale
    assert split.value(date(2026, 11, 1), "default") == 1 and split.value(date(2026, 11, 2), "default") == 1
    with db.read_session() as s:
        expected_pools = s.connection().execute(
            sa.text(
                "SELECT pool, SUM(COALESCE(max_seats, 1)), SUM(seats_used) FROM chatgpt_accounts "
                "WHERE status IN ('AVAILABLE', 'ASSIGNED') GROUP BY pool ORDER BY pool"
            )
        )
        assert [(p.pool, p.capacity, p.used) for p in pool_seats(session=s)] == [
            (pool, int(cap), int(used)) for pool, cap, used in expected_pools
        ]
    assert [(p.pool, p.free) for p in read(pool_seats)] == [("default", 2), ("vip", 1)]


def test_orders_created_paid_and_expired_equal_sql_counts(seeded) -> None:
    rows = read(order_counts, period=period())
    for row in rows:
        day = row.bucket
        assert row.created == sql_value("SELECT COUNT(*) FROM orders WHERE created_at >= :a AND created_at < :b", day)
        assert row.paid == sql_value("SELECT COUNT(*) FROM orders WHERE paid_at >= :a AND paid_at < :b", day)
        assert row.expired == sql_value(
            "SELECT COUNT(*) FROM audit_logs WHERE action = 'order.expire' AND at >= :a AND at < :b", day
        )
    assert sum(r.created for r in rows) == 7  # AG-R6 was created in October
    assert {r.bucket: r.expired for r in rows if r.expired} == {date(2026, 11, 5): 1}
    assert {r.bucket: r.created for r in rows}[date(2026, 11, 9)] == 1  # 23:59 WIB on the 9th


def test_monthly_grouping_adds_up_the_days(seeded) -> None:
    days = read(money, period=period(), now=NOW)
    months = read(money, period=period(Grouping.MONTH), now=NOW)
    assert [m.bucket for m in months] == [date(2026, 11, 1)]
    assert months[0].revenue == sum(d.revenue for d in days)
    assert months[0].refunds == sum(d.refunds for d in days)
    assert months[0].fees == sum(d.fees for d in days)


def test_a_bad_range_or_grouping_is_refused() -> None:
    with pytest.raises(ValidationFailed):
        make_period(LAST, FIRST)
    with pytest.raises(ValidationFailed):
        make_period(FIRST, LAST, "year")
    with pytest.raises(ValidationFailed):
        make_period(date(2020, 1, 1), LAST)
