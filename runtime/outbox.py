"""Delivering an outbox (e-mail, Telegram): claim the due PENDING rows under a lease, send each once,
then settle it: SENT, or retried after 1, 2, 4 … 60 minutes, or FAILED after the tenth attempt."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import TypeVar

from sqlmodel import Session, col, select

from domain.shared.models import MailStatus, OutboxRow
from infra import db
from infra.changes import announce
from infra.types import utcnow

BACKOFF_MINUTES = (1, 2, 4, 8, 16, 32, 60, 60, 60, 60)  # the wait after attempt n; ten attempts in all
MAX_ATTEMPTS = len(BACKOFF_MINUTES)
LEASE = timedelta(minutes=5)  # a claimed row is not picked again for this long, even if the sender dies

Row = TypeVar("Row", bound=OutboxRow)


@dataclass(frozen=True)
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0

    def __str__(self) -> str:
        return f"sent {self.sent}, retrying {self.retrying}, failed {self.failed}"


def _claim(session: Session, model: type[Row], now: datetime, limit: int) -> list[Row]:
    rows = list(
        session.exec(
            select(model)
            .where(model.status == MailStatus.PENDING, col(model.next_attempt_at) <= now)
            .order_by(col(model.id))
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )
    for row in rows:
        row.attempts += 1
        row.next_attempt_at = now + LEASE  # not picked again while this attempt may still be running
        session.add(row)
    return rows


def _settle(
    session: Session,
    *,
    model: type[Row],
    row_id: int | None,
    error: str | None,
    now: datetime,
    started: float,
    gave_up: Callable[[Session, Row, str], None],
    finished: Callable[[Row], None] | None,
    channel: str,
) -> str:
    announce(session=session, topics=(channel,))  # the admin's outbox follows it
    current = session.get(model, row_id)
    assert current is not None
    if error is None:
        current.status, current.sent_at, current.last_error = MailStatus.SENT, utcnow(), None
    elif current.attempts >= MAX_ATTEMPTS:
        current.status, current.last_error = MailStatus.FAILED, error
        gave_up(session, current, error)
    else:
        current.last_error = error
        # the wait counts from this attempt's end, not from when the batch was claimed
        settled = now + timedelta(seconds=time.monotonic() - started)
        current.next_attempt_at = settled + timedelta(minutes=BACKOFF_MINUTES[current.attempts - 1])
    if finished is not None and current.status != MailStatus.PENDING:
        finished(current)
    session.add(current)
    return current.status


def deliver_due(
    *,
    model: type[Row],
    send: Callable[[Row], None],
    gave_up: Callable[[Session, Row, str], None],
    channel: str,
    describe: Callable[[Row], str],
    now: datetime | None = None,
    limit: int = 50,
    finished: Callable[[Row], None] | None = None,
) -> DeliveryReport:
    """Send the due rows of `model` once each with `send` (which raises on failure, with a message that
    holds no secret); `gave_up` runs in the transaction that marks a row FAILED, `finished` in the one that
    marks it SENT or FAILED."""
    log = logging.getLogger(f"aksesgpt.{channel}")
    now = now or utcnow()
    claimed = db.in_transaction(lambda s: _claim(s, model, now, limit))
    sent = retrying = failed = 0
    started = time.monotonic()
    for row in claimed:
        if time.monotonic() - started > LEASE.total_seconds() / 2:
            break  # a slow server: leave the rest to their lease rather than risk sending them twice
        try:
            send(row)
            error = None
        except Exception as exc:  # any failure of the path is retried, never lost
            error = f"{type(exc).__name__}: {exc}"[:1000]

        settle = partial(
            _settle,
            model=model,
            row_id=row.id,
            error=error,
            now=now,
            started=started,
            gave_up=gave_up,
            finished=finished,
            channel=channel,
        )
        status = db.in_transaction(settle)
        if status == MailStatus.SENT:
            sent += 1
        elif status == MailStatus.FAILED:
            failed += 1
            log.warning("%s outcome=failed id=%s %s error=%s", channel, row.id, describe(row), error)
        else:
            retrying += 1
            log.warning(
                "%s outcome=retry id=%s %s attempt=%s error=%s", channel, row.id, describe(row), row.attempts, error
            )
    return DeliveryReport(sent=sent, retrying=retrying, failed=failed)
