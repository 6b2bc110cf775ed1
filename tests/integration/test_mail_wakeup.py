"""A committed e-mail brings the outbox job forward: the customer's access e-mail leaves within about a
second of the payment, not at the job's next 30-second interval."""

from __future__ import annotations

import asyncio
import threading
from datetime import timedelta

import pytest
from sqlmodel import func, select

from domain.notify import mail
from domain.shared.models import EmailOutbox
from infra import db
from infra.types import utcnow
from runtime.jobs import Job
from runtime.scheduler import DELIVERY_JOB, RunAgainWhenWoken, build_scheduler, start, stop
from tests.helpers import checked_out, make_product


@pytest.fixture
def wakes():
    calls: list[int] = []
    mail.on_mail_committed(lambda: calls.append(1))
    yield calls
    mail.on_mail_committed(None)


def _queue(session, due_at=None) -> None:
    message = mail.Message(subject="Tes", greeting="Halo")
    mail.queue_email(session=session, to="a@example.com", kind="test", message=message, lang="id", due_at=due_at)


def test_a_transaction_that_queued_mail_wakes_delivery_once_after_it_commits(engine, wakes):
    def two(session) -> None:
        _queue(session)
        _queue(session)
        assert wakes == []  # not before the commit: the rows are not there yet

    db.in_transaction(two)

    assert wakes == [1]


def test_rolled_back_mail_and_mail_due_later_wake_nothing(engine, wakes):
    def failing(session) -> None:
        _queue(session)
        raise RuntimeError("the change fails")

    with pytest.raises(RuntimeError):
        db.in_transaction(failing)
    db.in_transaction(lambda s: _queue(s, due_at=utcnow() + timedelta(days=1)))  # a reminder for tomorrow

    assert wakes == []
    with db.read_session() as s:
        assert s.exec(select(func.count()).select_from(EmailOutbox)).one() == 1  # only the reminder


def test_an_order_placed_wakes_the_outbox_job_long_before_its_interval(engine):
    product = make_product()
    runs: list[int] = []
    ran = threading.Event()

    def deliver() -> str:
        runs.append(1)
        ran.set()
        return "delivered"

    async def scenario() -> bool:
        scheduler = build_scheduler([Job(DELIVERY_JOB, 3600, deliver)])  # an hour between runs
        start(scheduler)  # runs every job once, two seconds after start
        try:
            assert await asyncio.to_thread(ran.wait, 30)
            ran.clear()
            await asyncio.to_thread(checked_out, product)  # queues the "how to pay" e-mail
            return await asyncio.to_thread(ran.wait, 30)
        finally:
            stop(scheduler)

    assert asyncio.run(scenario())
    assert len(runs) == 2
    assert mail._wake_delivery is None  # stopping the scheduler unhooks it


def test_mail_committed_while_the_outbox_job_runs_makes_it_run_again_at_once():
    calls: list[int] = []

    def deliver() -> str:
        calls.append(1)
        if len(calls) == 1:
            assert runner.woken()  # a payment committed mid-run: this run will go again
        return f"run {len(calls)}"

    runner = RunAgainWhenWoken(deliver)

    assert runner() == "run 2"
    assert len(calls) == 2
    assert runner.woken() is False  # idle: the scheduler must bring the job forward itself


def test_a_savepoint_released_is_not_a_commit(engine, wakes):
    def work(session) -> None:
        nested = session.begin_nested()
        _queue(session)
        nested.commit()
        assert wakes == []

    db.in_transaction(work)

    assert wakes == [1]
