"""The expiry job ends seats a batch at a time in set-based statements (domain/seats/ending.py end_assignments).
It must write what ending them one by one wrote (bench.rowwise_jobs.py, the job as it was): the same seats,
accounts, audit entries, e-mails, workspace tasks and served orders, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
import threading
from collections import Counter
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import Session, SQLModel, select

from bench.rowwise_jobs import release_expired_assignments_rowwise, remind_seats_rowwise
from domain.admin.invariants import check_invariants
from domain.catalog.pool import add_account
from domain.orders.orders import create_order
from domain.seats.assignments import release_expired_assignments, remind_seats
from domain.seats.seats import status_after_freeing, status_for
from domain.shared.i18n import format_date
from domain.shared.models import (
    AccountAssignment,
    AccountStatus,
    AssignmentStatus,
    AuditLog,
    ChatGPTAccount,
    EmailOutbox,
    Order,
    OrderStatus,
    TaskKind,
    TaskStatus,
    WorkspaceTask,
)
from infra import db
from infra.sqlfuncs import json_object, utc_isoformat
from infra.types import UTCDateTime, utcnow
from runtime.jobs import release_expired, send_reminders
from tests.helpers import ADMIN, invariants, make_product, pay, random_email

_CHANGES = "aksesgpt.changes"  # where infra/changes.py gathers a transaction's topics
_ISO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00")
_DATE = re.compile(r"\d{1,2} \w+ \d{4}, \d\d\.\d\d WIB")


def _account(pool: str = "default", max_seats: int | None = 3, **fields: Any) -> ChatGPTAccount:
    with db.write_session() as s:
        return add_account(
            session=s,
            actor=ADMIN,
            email=random_email("acct"),
            password="Pw-123456",
            pool=pool,
            max_seats=max_seats,
            **fields,
        )


def _paid(product, *, locale: str = "id", name: str = "Budi Santoso") -> Order:
    with db.write_session() as s:
        order, _ = create_order(
            session=s, product_slug=product.slug, email=random_email(), name=name, phone="081234567890", locale=locale
        )
    pay(order)
    return order


def _shop() -> dict[str, Any]:
    """Accounts of every kind, full, whose seats end in 30 days (one seat in 60), and orders waiting for stock."""
    month = make_product(slug="paket-30", duration_days=30)
    two_months = make_product(slug="paket-60", duration_days=60)
    team = make_product(slug="team-30", duration_days=30, pool="team")
    shared = _account()  # CREDENTIALS, three seats: three seats end on one account in one batch
    _paid(month)
    _paid(month, locale="en", name='Siti O\'Neil <b>&</b> "Co"')
    _paid(month)
    single = _account(max_seats=None)
    _paid(month)
    invite = _account(delivery="INVITE")  # the owner's invitation queue: ended seats become TO_REMOVE
    _paid(month)
    _paid(two_months)  # still running after the release
    _paid(month, locale="en")
    automated = _account(delivery="INVITE", driver="chatgpt", workspace_id="ws-bulk", access_token="tok-bulk")
    auto_orders = [_paid(month) for _ in range(3)]  # each queued its invitation
    waiting = [_paid(month), _paid(month)]  # the pool is full: pending_stock
    team_account = _account(pool="team", max_seats=1)
    _paid(team)
    waiting.append(_paid(team))
    with db.write_session() as s:
        invites = {
            task.assignment_id: task
            for task in s.exec(select(WorkspaceTask).where(WorkspaceTask.kind == TaskKind.INVITE))
        }
        seats = {
            seat.order_id: seat.id
            for seat in s.exec(select(AccountAssignment).where(AccountAssignment.status == "ACTIVE"))
        }
        in_flight = invites[seats[auto_orders[1].id]]  # claimed by a worker, its lease running: the removal waits
        in_flight.attempts, in_flight.next_attempt_at = 1, utcnow() + timedelta(days=40)
        done = invites[seats[auto_orders[2].id]]  # sent and confirmed: the member is removed
        done.status, done.attempts, done.done_at = TaskStatus.DONE, 1, utcnow()
        s.add_all([in_flight, done])
    assert {_status(o.id) for o in waiting} == {OrderStatus.PENDING_STOCK}
    accounts = {"shared": shared, "single": single, "invite": invite, "automated": automated, "team": team_account}
    return {"accounts": accounts, "waiting": waiting, "later": utcnow() + timedelta(days=31)}


def _status(order_id: int) -> str:
    with db.read_session() as s:
        return s.get(Order, order_id).status


def _rows(s: Session, model: type[SQLModel], *where: Any) -> list[Any]:
    table = model.__table__  # type: ignore[attr-defined]
    return list(s.connection().execute(sa.select(table).where(*where).order_by(table.c.id)))


def _when(value: datetime | None, started: datetime, ended: datetime) -> Any:
    """A timestamp written during the run (it differs between two runs) as '<now>'; others as they are."""
    return "<now>" if value is not None and started <= value <= ended else value


def _capture(s: Session, run: Any, high: dict[str, int]) -> dict[str, Any]:
    """Run one release in a savepoint and describe everything it wrote (timestamps of the moment normalised, ids
    of new rows replaced by what they belong to), then roll it back."""
    s.info.pop(_CHANGES, None)
    savepoint = s.begin_nested()
    started = utcnow()
    released = run(s)
    s.flush()
    ended = utcnow()
    seats = _rows(s, AccountAssignment)
    new_seat = {row.id: f"new seat of order {row.order_id}" for row in seats if row.id > high["seat"]}
    ended_at = {row.id: row.ended_at for row in seats}
    locale = {row.id: row.locale for row in _rows(s, Order)}

    def entity(row: Any) -> Any:
        return new_seat.get(row.entity_id, row.entity_id) if row.entity == "assignment" else row.entity_id

    audit = []
    for row in _rows(s, AuditLog, AuditLog.__table__.c.id > high["audit"]):  # type: ignore[attr-defined]
        details = row.details
        if row.action == "assignment.expire":  # exactly as written, but for the moment it ended
            assert details["after"]["ended_at"] == ended_at[row.entity_id].isoformat()
            details = {**details, "after": {**details["after"], "ended_at": "<ended_at>"}}
        else:  # what serving the waiting orders wrote: new seats start now
            details = _ISO.sub("<ts>", repr(details))
        audit.append((row.actor, row.action, row.entity, entity(row), details, row.ip))
    mails = []
    for row in _rows(s, EmailOutbox, EmailOutbox.__table__.c.id > high["mail"]):  # type: ignore[attr-defined]
        texts = [row.subject, row.html, row.text]
        if row.kind == "seat_ended":  # the day and minute it ended, in the customer's language
            seat = next(seat for seat in seats if seat.order_id == row.order_id and seat.ended_at)
            day = format_date(seat.ended_at, locale[row.order_id])
            assert day in row.text and day in row.html
        mails.append(
            (row.to, row.kind, row.order_id, row.status, row.secret_enc, *(_DATE.sub("<d>", t) for t in texts))
        )
    tasks = sorted(
        (
            (
                row.account_id,
                new_seat.get(row.assignment_id, row.assignment_id),
                row.kind,
                row.email,
                row.status,
                row.reason,
                row.last_error,
                row.attempts,
                _when(row.next_attempt_at, started, ended),
                _when(row.done_at, started, ended),
                row.confirm_by,
            )
            for row in _rows(s, WorkspaceTask)
        ),
        key=repr,
    )
    state = {
        "seats": sorted(
            (
                (new_seat.get(r.id, r.id), r.order_id, r.chatgpt_account_id, r.status, r.end_reason, r.invite_state)
                for r in seats
            ),
            key=repr,
        ),
        "accounts": [(r.id, r.seats_used, r.status) for r in _rows(s, ChatGPTAccount)],
        "orders": [(r.id, r.status) for r in _rows(s, Order)],
    }
    new_topic = {f"assignment:{seat_id}": f"assignment:{name}" for seat_id, name in new_seat.items()}
    topics = {new_topic.get(topic, topic) for topic in s.info.get(_CHANGES, ())}
    savepoint.rollback()
    s.expire_all()
    return {"released": sorted(released), "audit": audit, "mails": mails, "tasks": tasks, "topics": topics, **state}


def test_a_batch_writes_what_ending_the_seats_one_by_one_wrote(engine) -> None:
    shop = _shop()
    later = shop["later"]
    with db.write_session() as s:
        high = {
            "seat": s.exec(sa.select(sa.func.max(AccountAssignment.id))).one()[0],
            "audit": s.exec(sa.select(sa.func.max(AuditLog.id))).one()[0],
            "mail": s.exec(sa.select(sa.func.max(EmailOutbox.id))).one()[0],
        }
        old = _capture(
            s, lambda s: [a.id for a in release_expired_assignments_rowwise(session=s, now=later, limit=100)], high
        )
        new = _capture(s, lambda s: release_expired_assignments(session=s, now=later, limit=100), high)
        s.rollback()

    assert len(new["released"]) == 10 and new["released"] == old["released"]
    expired = [entry for entry in new["audit"] if entry[1] == "assignment.expire"]
    assert len(expired) == 10
    assert new["audit"] == old["audit"]  # same entries, same content, same order
    # three seats of one account, ended in one batch, count down as they did one by one
    shared = shop["accounts"]["shared"].id
    counts = [e[4]["account_seats"] for e in expired if e[4]["before"]["chatgpt_account_id"] == shared]
    assert counts == [{"before": 3, "after": 2}, {"before": 2, "after": 1}, {"before": 1, "after": 0}]
    invited = [e[4] for e in expired if e[4]["before"]["invite_state"] is not None]
    assert len(invited) == 5 and {e["after"]["invite_state"] for e in invited} == {"TO_REMOVE"}

    assert new["mails"] == old["mails"]  # the "seat ended" e-mails, and the access e-mails of the orders served
    assert Counter(m[1] for m in new["mails"]) == {"seat_ended": 10, "access_ready": 3}
    assert new["tasks"] == old["tasks"]
    removals = [t for t in new["tasks"] if t[2] == TaskKind.REMOVE]
    assert len(removals) == 3  # the automated workspace's three ended seats
    assert Counter(t[4] for t in new["tasks"] if t[2] == TaskKind.INVITE) == {"CANCELLED": 1, "PENDING": 1, "DONE": 1}
    assert [t[10] is not None for t in removals].count(True) == 1  # the one behind an invite in flight waits for it

    assert new["seats"] == old["seats"] and new["accounts"] == old["accounts"] and new["orders"] == old["orders"]
    assert {status for _, status in new["orders"]} == {OrderStatus.FULFILLED}  # the waiting orders were served

    # the change feed: what one by one announced, and each ended seat's order and account
    assert old["topics"] <= new["topics"]
    with db.read_session() as s:
        ended = [s.get(AccountAssignment, seat_id) for seat_id in new["released"]]
    assert {f"order:{seat.order_id}" for seat in ended} <= new["topics"]
    assert {f"account:{seat.chatgpt_account_id}" for seat in ended} <= new["topics"]
    assert {f"assignment:{seat.id}" for seat in ended} | {"assignment", "account", "order"} <= new["topics"]


def test_the_job_keeps_the_invariants_and_tells_each_customer_once(engine) -> None:
    shop = _shop()
    assert release_expired(now=shop["later"]) == "released 10"
    assert invariants() == []
    with db.read_session() as s:
        ended = s.exec(select(AccountAssignment).where(AccountAssignment.status == AssignmentStatus.EXPIRED)).all()
        mails = Counter(m.order_id for m in s.exec(select(EmailOutbox).where(EmailOutbox.kind == "seat_ended")))
        audits = Counter(a.entity_id for a in s.exec(select(AuditLog).where(AuditLog.action == "assignment.expire")))
        accounts = {a.id: a for a in s.exec(select(ChatGPTAccount))}
        assert check_invariants(session=s) == []
    assert len(ended) == 10
    assert mails == {seat.order_id: 1 for seat in ended}
    assert audits == {seat.id: 1 for seat in ended}
    # three waiting orders took three of the freed seats; the 60-day seat still runs
    assert sum(a.seats_used for a in accounts.values()) == 4
    assert {_status(o.id) for o in shop["waiting"]} == {OrderStatus.FULFILLED}
    # the seats they got started now and end before the moved clock too: the next run ends those, and only those
    assert release_expired(now=shop["later"]) == "released 3"
    assert release_expired(now=shop["later"]) == "released 0"
    with db.read_session() as s:
        mails = Counter(m.order_id for m in s.exec(select(EmailOutbox).where(EmailOutbox.kind == "seat_ended")))
    assert len(mails) == 13 and set(mails.values()) == {1}
    assert invariants() == []


@pytest.mark.parametrize("limit", [1, 4])
def test_small_batches_end_each_seat_once_in_the_order_of_their_end(engine, limit) -> None:
    shop = _shop()
    batches = []
    while released := db.in_transaction(
        lambda s: release_expired_assignments(session=s, now=shop["later"], limit=limit)
    ):
        batches.append(released)
        assert invariants() == []
    # the ten, then the three seats the waiting orders got meanwhile (they end before the moved clock too)
    assert all(len(batch) <= limit for batch in batches) and sum(len(b) for b in batches) == 13
    with db.read_session() as s:
        entries = s.exec(select(AuditLog).where(AuditLog.action == "assignment.expire").order_by(AuditLog.id)).all()
        ends = {a.id: (a.end_at, a.id) for a in s.exec(select(AccountAssignment))}
    ended = [seat for batch in batches for seat in batch]
    assert [e.entity_id for e in entries] == ended and ended == sorted(ended, key=ends.__getitem__)
    assert {(e.details["account_seats"]["before"] - e.details["account_seats"]["after"]) for e in entries} == {1}


def test_two_transactions_racing_never_end_a_seat_twice(engine) -> None:
    """Two release transactions at once (threads, each its own connection): SKIP LOCKED on PostgreSQL, one
    writer on SQLite; every seat is ended once, with one audit entry and one e-mail."""
    shop = _shop()
    barrier = threading.Barrier(2)
    results: list[list[int]] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            while released := db.in_transaction(
                lambda s: release_expired_assignments(session=s, now=shop["later"], limit=3)
            ):
                results.append(released)
        except BaseException as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    ended = [seat for batch in results for seat in batch]
    assert len(ended) == len(set(ended)) == 13  # the ten, and the seats the waiting orders got meanwhile
    with db.read_session() as s:
        audits = Counter(a.entity_id for a in s.exec(select(AuditLog).where(AuditLog.action == "assignment.expire")))
        mails = Counter(m.order_id for m in s.exec(select(EmailOutbox).where(EmailOutbox.kind == "seat_ended")))
    assert set(audits.values()) == {1} and len(audits) == 13
    assert set(mails.values()) == {1} and len(mails) == 13
    assert invariants() == []


@pytest.mark.parametrize("max_seats", [None, 1, 3])
@pytest.mark.parametrize(
    "status", [AccountStatus.AVAILABLE, AccountStatus.ASSIGNED, AccountStatus.SUSPENDED, AccountStatus.RETIRED]
)
def test_the_freeing_statement_computes_the_status_as_python_does(engine, max_seats, status) -> None:
    """The batch frees several seats of an account in one UPDATE whose new status is seats.status_after_freeing: it
    must say what status_for says, for every fill level and number freed."""
    capacity = max_seats or 1
    for seats_used in range(1, capacity + 1):
        for freed in range(1, seats_used + 1):
            row = sa.select(
                sa.literal(status.value, sa.String).label("status"),
                sa.literal(seats_used, sa.Integer).label("seats_used"),
                sa.literal(max_seats, sa.Integer).label("max_seats"),
            ).subquery()
            with engine.connect() as conn:
                in_sql = conn.execute(sa.select(status_after_freeing(row, sa.literal(freed, sa.Integer)))).scalar_one()
            assert in_sql == status_for(status=status, seats_used=seats_used - freed, capacity=capacity)


def _reminded(s: Session, remind: Any, now: datetime, high_mail: int) -> tuple[list[Any], list[Any], int]:
    savepoint = s.begin_nested()
    handled = remind(s, now, 3) + remind(s, now, 1)
    s.flush()
    mails = [
        (r.to, r.kind, r.order_id, r.status, r.subject, r.html, r.text)
        for r in _rows(s, EmailOutbox, EmailOutbox.__table__.c.id > high_mail)  # type: ignore[attr-defined]
    ]
    marks = [(r.id, r.reminded_3d_at, r.reminded_1d_at) for r in _rows(s, AccountAssignment)]
    savepoint.rollback()
    s.expire_all()
    return mails, marks, handled


@pytest.mark.parametrize("hours_before", [71, 23])
def test_reminders_in_a_batch_are_the_reminders_one_by_one(engine, hours_before) -> None:
    """About 3 days before the seats end, or within a day of it (the 3-day reminder only marked, the 1-day one
    sent)."""
    _shop()
    with db.write_session() as s:
        ends = sorted(s.exec(select(AccountAssignment.end_at).where(AccountAssignment.status == "ACTIVE")))
        high_mail = s.exec(sa.select(sa.func.max(EmailOutbox.id))).one()[0]
        now = ends[-2] - timedelta(hours=hours_before)  # within reach of every 30-day seat, not the 60-day one
        old = _reminded(s, lambda s, now, days: remind_seats_rowwise(session=s, now=now, days=days), now, high_mail)
        new = _reminded(s, lambda s, now, days: remind_seats(session=s, now=now, days=days), now, high_mail)
        s.rollback()
    assert new == old
    mails, marks, handled = new
    expected = {71: {"reminder_3d": 10}, 23: {"reminder_1d": 10}}[hours_before]
    assert handled == 10 + 10 * (hours_before == 23) and Counter(m[1] for m in mails) == expected
    assert sum(mark[1] is not None for mark in marks) == 10


def test_the_reminder_job_reminds_each_seat_once(engine) -> None:
    shop = _shop()
    soon = shop["later"] - timedelta(days=3)  # the 30-day seats end in about 2 days
    assert send_reminders(now=soon) == "reminders 10"
    assert send_reminders(now=soon) == "reminders 0"
    assert send_reminders(now=soon + timedelta(days=1, hours=12)) == "reminders 10"  # about half a day before
    with db.read_session() as s:
        kinds = Counter((m.order_id, m.kind) for m in s.exec(select(EmailOutbox)) if m.kind.startswith("reminder"))
    assert len(kinds) == 20 and set(kinds.values()) == {1}


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2026, 12, 2, 10, 0, 0, tzinfo=UTC),
        datetime(2026, 12, 2, 10, 0, 0, 5, tzinfo=UTC),
        datetime(2026, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
        datetime(2027, 1, 1, 6, 30, 0, 120000, tzinfo=timezone(timedelta(hours=7))),
    ],
)
def test_the_database_writes_timestamps_and_json_as_python_does(engine, moment) -> None:
    """The audit entries the batch writes are built by the database (infra/sqlfuncs.py): a stored timestamp comes
    out as isoformat() of the value read back, with or without its fraction, and objects keep their keys' order."""
    row = sa.select(sa.literal(moment, UTCDateTime()).label("at"), sa.literal(7, sa.Integer).label("n")).subquery()
    query = sa.select(
        utc_isoformat(row.c.at),
        json_object(b=row.c.n, a=json_object(at=utc_isoformat(row.c.at), none=sa.null()), c=row.c.n - 1),
    )
    with engine.connect() as conn:
        iso, details = conn.execute(query).one()
    assert iso == moment.astimezone(UTC).isoformat()
    assert details == {"b": 7, "a": {"at": iso, "none": None}, "c": 6} and list(details) == ["b", "a", "c"]
