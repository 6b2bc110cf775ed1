"""Callback requests: recorded and applied one per transaction, or several in one (group commit) with
the outcome each would have had alone."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session

from domain.orders.locks import lock_orders_by_code, lock_pools
from domain.payments.events import record_payment_event
from domain.payments.gateway import (
    PaymentStatus,
    TransactionState,
)
from domain.payments.notices import apply_gateway_state
from domain.shared.errors import DomainError, NotFound
from domain.shared.models import EventOutcome
from infra import db, db_errors
from infra.metrics import CALLBACK_BATCH_REPLAYS, WEBHOOK_LATENCY, WEBHOOK_REQUESTS

log = logging.getLogger("aksesgpt.webhooks")


@dataclass(frozen=True)
class CallbackOutcome:
    """What became of one callback request; the route turns `verdict` into an HTTP answer."""

    outcome: EventOutcome
    verdict: str  # processed | unknown_order | invalid | forged
    detail: str = ""
    order_code: str | None = None


@dataclass(frozen=True)
class CallbackJob:
    """One callback request as the route read it: the raw body and kept headers, whether the
    signature held, and the transaction state it announces (None when refused or malformed)."""

    provider: str
    raw_body: bytes
    headers: dict[str, str]
    started: float  # time.perf_counter() when the route began
    signature_valid: bool
    state: TransactionState | None
    problem: str = ""
    malformed: bool = False
    nothing_to_do: bool = False

    def elapsed_ms(self) -> float:
        return round((time.perf_counter() - self.started) * 1000, 2)

    def refusal(self) -> CallbackOutcome | None:
        """The answer for a request that is not applied (malformed, forged, or authentic with nothing
        to do); None when its state should be applied."""
        if self.malformed:
            return CallbackOutcome(EventOutcome.REJECTED, "invalid", self.problem or "malformed body")
        if not self.signature_valid:
            return CallbackOutcome(EventOutcome.REJECTED, "forged", self.problem or "invalid signature")
        if self.nothing_to_do:  # authentic, but a status the shop does not act on
            return CallbackOutcome(EventOutcome.IGNORED, "processed", self.problem)
        if self.state is None:
            return CallbackOutcome(EventOutcome.REJECTED, "invalid", self.problem or "malformed body")
        return None

    def record(self, session: Session, outcome: EventOutcome, detail: str, order_id: int | None = None) -> None:
        record_payment_event(
            session=session,
            provider=self.provider,
            raw_body=self.raw_body,
            headers=self.headers,
            signature_valid=self.signature_valid,
            outcome=outcome,
            detail=detail,
            latency_ms=self.elapsed_ms(),
            order_id=order_id,
            state=self.state,
        )


def apply_callback(*, session: Session, job: CallbackJob) -> CallbackOutcome:
    """Record one callback request in the caller's transaction and, when it is authentic and
    well-formed, apply it there too. Domain refusals of an authentic notice (unknown order, a PAID
    without amount…) raise, so the caller can undo the effect and record the refusal alone."""
    refused = job.refusal()
    if refused is not None:
        job.record(session, refused.outcome, refused.detail)
        return refused
    assert job.state is not None
    result = apply_gateway_state(session=session, state=job.state, actor=f"{job.provider}_webhook")
    job.record(session, result.outcome, result.detail, result.order.id)
    return CallbackOutcome(result.outcome, "processed", result.detail, result.order.code)


def report_callback(job: CallbackJob, result: CallbackOutcome) -> None:
    """Count and log a callback whose transaction committed."""
    WEBHOOK_REQUESTS.labels(provider=job.provider, outcome=result.outcome.value).inc()
    WEBHOOK_LATENCY.labels(provider=job.provider).observe(job.elapsed_ms() / 1000)
    log.info(
        "webhook provider=%s order=%s ref=%s status=%s outcome=%s detail=%r latency_ms=%s",
        job.provider,
        result.order_code or "?",
        job.state.reference if job.state else "?",
        job.state.status.value if job.state else "?",
        result.outcome.value,
        result.detail,
        job.elapsed_ms(),
    )


def process_callback(job: CallbackJob) -> CallbackOutcome:
    """Record one callback request and, when it is authentic and well-formed, apply it, in a
    transaction of its own.

    The event row of an applied callback is written in the same transaction as its effect; domain
    refusals and failures are recorded in a transaction of their own, so every request leaves a row.
    An unexpected failure is recorded (when the database allows) and raised: the gateway gets a 500
    and delivers again."""

    def alone(outcome: EventOutcome, verdict: str, detail: str) -> CallbackOutcome:
        result = CallbackOutcome(outcome, verdict, detail)
        db.in_transaction(lambda s: job.record(s, outcome, detail))
        report_callback(job, result)
        return result

    def apply(session: Session) -> CallbackOutcome:
        db.limit_lock_waits(session)
        return apply_callback(session=session, job=job)

    try:
        result = db.in_transaction(apply)
    except NotFound as exc:
        return alone(EventOutcome.IGNORED, "unknown_order", exc.message)
    except DomainError as exc:
        return alone(EventOutcome.REJECTED, "invalid", exc.message)
    except Exception as exc:
        db_errors.note(exc, "callback")
        log.exception("webhook provider=%s ref=%s outcome=error", job.provider, job.state and job.state.reference)
        try:
            alone(EventOutcome.ERROR, "error", f"{type(exc).__name__}")
        except Exception:  # the database itself may be what failed
            log.exception("webhook provider=%s could not record the failed event", job.provider)
        raise
    report_callback(job, result)
    return result


def _may_join_batch(job: CallbackJob) -> bool:
    """Whether a callback can share a batch's transaction: a batch takes its locks up front (orders by
    id, then their pools by name, the order single callbacks take them), so it only holds notices whose
    locks are all known before: refusals (no lock) and notices naming our order code. A REFUND locks
    the order's assignment and perhaps another pool after that, which could deadlock with the expiry
    job or an admin revoking; it goes in a transaction of its own."""
    if job.refusal() is not None:
        return True
    return job.state is not None and bool(job.state.merchant_ref) and job.state.status != PaymentStatus.REFUND


def process_callbacks(jobs: Sequence[CallbackJob]) -> list[CallbackOutcome | Exception]:
    """Apply several callback requests, in their order, the ones that can in shared transactions
    (group commit); each gets the outcome it would have had alone.

    Consecutive requests that may share a transaction (`_may_join_batch`) go in one; the others, one
    transaction each, in their place in the sequence. When anything in a shared transaction fails (a
    domain refusal of an authentic notice, a database error), it is rolled back and each of its
    requests goes again through `process_callback`, one transaction each: nothing of a failed batch
    stays written, and the requests that would have succeeded alone still do. An exception in the
    returned list is that request's failure."""
    outcomes: list[CallbackOutcome | Exception | None] = [None] * len(jobs)
    run: list[int] = []

    def apply_run() -> None:
        for index, outcome in zip(run, _apply_together([jobs[i] for i in run]), strict=True):
            outcomes[index] = outcome
        run.clear()

    for index, job in enumerate(jobs):
        if _may_join_batch(job):
            run.append(index)
            continue
        apply_run()
        outcomes[index] = _apply_alone(job)
    apply_run()
    assert all(outcome is not None for outcome in outcomes), "a callback without an outcome"
    return outcomes  # type: ignore[return-value]


def _apply_alone(job: CallbackJob) -> CallbackOutcome | Exception:
    try:
        return process_callback(job)
    except Exception as exc:  # already logged and recorded by process_callback
        return exc


def _apply_together(jobs: list[CallbackJob]) -> list[CallbackOutcome | Exception]:
    if len(jobs) < 2:
        return [_apply_alone(job) for job in jobs]

    def batch(session: Session) -> list[CallbackOutcome | None]:
        db.limit_lock_waits(session)
        codes = {job.state.merchant_ref for job in jobs if job.refusal() is None and job.state}
        orders = lock_orders_by_code(session=session, codes=codes)
        lock_pools(session=session, pools={order.pool for order in orders})
        found = {order.code for order in orders}
        results: list[CallbackOutcome | None] = []
        for job in jobs:
            if job.refusal() is None and job.state and job.state.merchant_ref not in found:
                # not our order's code: found (or not) by the gateway's reference, a lock not taken up
                # front, so it goes alone after the batch
                results.append(None)
            else:
                results.append(apply_callback(session=session, job=job))
        return results

    try:
        results = db.in_transaction(batch)
    except Exception as exc:
        CALLBACK_BATCH_REPLAYS.inc()
        log.warning("webhook batch of %s rolled back (%s): applying one by one", len(jobs), type(exc).__name__)
        return [_apply_alone(job) for job in jobs]
    outcomes: list[CallbackOutcome | Exception] = []
    for job, result in zip(jobs, results, strict=True):
        if result is None:
            outcomes.append(_apply_alone(job))
        else:
            report_callback(job, result)
            outcomes.append(result)
    return outcomes
