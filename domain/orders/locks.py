"""Transaction locks, taken in one order everywhere: the order (or assignment) row, then its pool(s) in
name order, then account rows. Every use case that changes seats or orders goes through these."""

from __future__ import annotations

import zlib
from collections.abc import Iterable

import sqlalchemy as sa
from sqlmodel import Session, col, select

from domain.shared.models import Order

_POOL_LOCK = sa.text("SELECT pg_advisory_xact_lock(:key)")
_LOCKED_ORDERS = "aksesgpt.locked_orders"  # a write session is one transaction
_LOCKED_CODES = "aksesgpt.locked_order_codes"


def lock_pools(*, session: Session, pools: Iterable[str]) -> None:
    """Serialise seat changes per pool for the rest of the transaction (PostgreSQL advisory locks).

    Lock order everywhere: the order or assignment row, then its pool(s) in name order, then
    account rows. Taking the pool before any account row is what keeps payments, revokes,
    expiries and pool edits from deadlocking. SQLite needs nothing: BEGIN IMMEDIATE already
    admits one writer at a time."""
    if session.get_bind().dialect.name != "postgresql":
        return
    held: set[str] = session.info.setdefault("locked_pools", set())  # a write session is one transaction
    for pool in sorted(set(pools) - held):
        key = zlib.crc32(f"aksesgpt.pool:{pool}".encode()) - 2**31  # a signed 32-bit key, stable across processes
        session.connection().execute(_POOL_LOCK, {"key": key})
        held.add(pool)


def lock_order(*, session: Session, order_id: int) -> Order | None:
    """The order row, locked for the rest of the transaction (SELECT … FOR UPDATE)."""
    if order_id in session.info.get(_LOCKED_ORDERS, ()):
        return session.get(Order, order_id)  # locked and loaded earlier in this transaction
    return lock_order_where(session=session, condition=col(Order.id) == order_id)


def lock_order_where(*, session: Session, condition: sa.ColumnElement[bool]) -> Order | None:
    """The one order matching `condition`, locked and freshly loaded; later lock_order calls for it
    in the same transaction cost no query."""
    query = select(Order).where(condition).with_for_update().execution_options(populate_existing=True)
    order = session.exec(query).first()
    if order is not None:
        session.info.setdefault(_LOCKED_ORDERS, set()).add(order.id)
    return order


def lock_orders_by_code(*, session: Session, codes: Iterable[str]) -> list[Order]:
    """Lock the orders with these public codes at once, in id order (so two transactions locking
    overlapping sets cannot deadlock), and load them; later lock_order or locked_order_by_code calls
    for them in the same transaction cost no query."""
    wanted = sorted(set(codes))
    if not wanted:
        return []
    query = (
        select(Order)
        .where(col(Order.code).in_(wanted))
        .order_by(col(Order.id))
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    orders = list(session.exec(query))
    locked: set[int] = session.info.setdefault(_LOCKED_ORDERS, set())
    codes_locked: dict[str, int] = session.info.setdefault(_LOCKED_CODES, {})
    for order in orders:
        assert order.id is not None
        locked.add(order.id)
        codes_locked[order.code] = order.id
    return orders


def locked_order_by_code(*, session: Session, code: str) -> Order | None:
    """The order with this code when lock_orders_by_code already locked it in this transaction."""
    order_id = session.info.get(_LOCKED_CODES, {}).get(code)
    return session.get(Order, order_id) if order_id is not None else None
