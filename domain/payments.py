"""Payments: starting a checkout on a gateway (with failover), applying what a gateway says of a
transaction (callbacks and reconciliation take the same path), and the payment_events log."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from domain import db, db_errors
from domain.alerts import raise_alert
from domain.allocation import lock_order, lock_order_where, lock_orders_by_code, lock_pools, locked_order_by_code
from domain.audit import SYSTEM, record_audit
from domain.errors import Conflict, DomainError, NotFound, ValidationFailed
from domain.gateway import Checkout, CheckoutRequest, GatewayError, PaymentGateway, PaymentStatus, TransactionState
from domain.mail import queue_order_created
from domain.metrics import CALLBACK_BATCH_REPLAYS, FAILOVERS, WEBHOOK_LATENCY, WEBHOOK_REQUESTS
from domain.models import EventOutcome, Order, OrderStatus, PaymentEvent, Product
from domain.order_states import PAID_STATES
from domain.orders import PaymentResult, expire_order, fail_order, record_payment, refund_order
from domain.rows import insert_at_commit
from domain.types import utcnow

log = logging.getLogger("aksesgpt.webhooks")
PAYMENT_WINDOW = timedelta(hours=1)


def attach_checkout(*, session: Session, order_id: int, checkout: Checkout, actor: str) -> Order:
    """Remember the gateway transaction of an order: reference, how to pay, and the deadline.
    Re-checked under the order's row lock, so two racing checkouts cannot both attach."""
    order = lock_order(session=session, order_id=order_id)
    if order is None:
        raise NotFound(f"unknown order id {order_id}")
    if order.status != OrderStatus.PENDING_PAYMENT or order.provider_reference:
        raise Conflict(f"order {order.code} already has a payment ({order.provider} {order.provider_reference})")
    order.provider, order.provider_reference = checkout.provider, checkout.reference
    order.payment_method, order.checkout_url = checkout.method, checkout.checkout_url
    order.pay_code, order.qr_string = checkout.pay_code, checkout.qr_string
    order.payment_expires_at = checkout.expires_at or order.payment_expires_at
    session.add(order)
    session.flush()
    queue_order_created(session=session, order=order)
    record_audit(
        session=session,
        actor=actor,
        action="order.checkout",
        entity="order",
        entity_id=order.id,
        order_code=order.code,
        provider=checkout.provider,
        reference=checkout.reference,
        method=checkout.method,
    )
    return order


def start_payment(
    *,
    order_id: int,
    method: str,
    gateways: Sequence[PaymentGateway],
    return_url: str,
    actor: str = SYSTEM,
    window: timedelta = PAYMENT_WINDOW,
) -> Order:
    """Open a transaction for an unpaid order on the first gateway that works.

    No database transaction is held during the gateway calls. When the first gateway fails for a
    reason that is not the customer's (timeout, 5xx, merchant misconfiguration) the next one is
    tried, and the failover is audited and counted. When every gateway fails the order is marked
    payment_failed and the last GatewayError is raised."""
    if not gateways:
        raise GatewayError("no payment gateway is configured")
    with db.read_session() as session:
        order = session.get(Order, order_id)
        if order is None:
            raise NotFound(f"unknown order id {order_id}")
        if order.status != OrderStatus.PENDING_PAYMENT or order.provider_reference:
            raise ValidationFailed(f"order {order.code} already has a payment in progress or is {order.status}")
        product = session.get(Product, order.product_id)
        item_name = product.name if product else "ChatGPT"
    request = CheckoutRequest(
        merchant_ref=order.code,
        amount_idr=order.amount_idr,
        method=method,
        customer_name=order.name,
        customer_email=order.email,
        customer_phone=order.phone,
        item_name=item_name,
        return_url=return_url,
        expires_at=utcnow() + window,
    )
    failure: GatewayError | None = None
    for index, gateway in enumerate(gateways):
        try:
            checkout = gateway.create_transaction(request)
        except GatewayError as exc:
            failure = exc
            log.warning(
                "checkout gateway=%s order=%s outcome=unavailable reason=%s", gateway.name, order.code, exc.message
            )
            continue
        failed_over_from = gateways[0].name if index > 0 else None
        break
    else:
        db.in_transaction(lambda s: fail_order(session=s, order_id=order_id, actor=actor))
        assert failure is not None
        raise failure

    def attach(s: Session) -> Order:
        if failed_over_from is not None:
            record_audit(
                session=s,
                actor=actor,
                action="order.payment_failover",
                entity="order",
                entity_id=order_id,
                order_code=order.code,
                failed=failed_over_from,
                to=checkout.provider,
                reason=failure.message if failure else "",
            )
        return attach_checkout(session=s, order_id=order_id, checkout=checkout, actor=actor)

    attached = db.in_transaction(attach)
    if failed_over_from is not None:
        FAILOVERS.labels(to=checkout.provider).inc()
    return attached


def find_order_for(*, session: Session, state: TransactionState) -> Order | None:
    """The order a gateway notice is about, locked for the rest of the transaction."""
    if state.merchant_ref:
        order = locked_order_by_code(session=session, code=state.merchant_ref)
        if order is not None:
            return order
        order = lock_order_where(session=session, condition=col(Order.code) == state.merchant_ref)
        if order is not None:
            return order
    return lock_order_where(
        session=session,
        condition=sa.and_(col(Order.provider) == state.provider, col(Order.provider_reference) == state.reference),
    )


def apply_gateway_state(*, session: Session, state: TransactionState, actor: str) -> PaymentResult:
    """Apply a gateway's word on a transaction: PAID fulfils (or queues, or holds a wrong amount for
    review), EXPIRED/FAILED close an unpaid order, REFUND revokes the seat. Stale or out-of-order
    news is ignored; repeated news is a duplicate. One path for callbacks, polling and admins."""
    order = find_order_for(session=session, state=state)
    if order is None:
        raise NotFound(f"no order for {state.provider} transaction {state.reference}")
    order_id = order.id
    assert order_id is not None
    current = order.provider == state.provider and order.provider_reference == state.reference
    if state.status == PaymentStatus.PAID:
        if state.amount_idr is None:
            raise ValidationFailed("a PAID notice without an amount cannot be applied", field="amount")
        # money arrived, even on an older transaction of this order (e.g. before a failover): honour it
        result = record_payment(
            session=session,
            order_id=order_id,
            amount_idr=state.amount_idr,
            actor=actor,
            paid_at=state.paid_at,
        )
        if result.outcome == EventOutcome.DUPLICATE and not current:
            # paid already, and now paid again on another transaction: the customer paid twice
            raise_alert(
                session=session,
                key=f"double_payment:{order.code}:{state.reference}",
                kind="double_payment",
                subject=f"Pembayaran ganda: {order.code}",
                message=f"Pesanan {order.code} sudah dibayar, lalu {state.provider} melaporkan pembayaran "
                f"lain ({state.reference}, {state.amount_idr} rupiah). Kembalikan salah satunya.",
            )
            return PaymentResult(
                EventOutcome.DUPLICATE,
                result.order,
                result.assignment,
                "paid again on another transaction: admins alerted",
            )
        return result
    if not current:
        return PaymentResult(EventOutcome.IGNORED, order, None, "not the order's current transaction")
    if state.status == PaymentStatus.EXPIRED:
        return expire_order(session=session, order_id=order_id, actor=actor)
    if state.status == PaymentStatus.FAILED:
        return fail_order(session=session, order_id=order_id, actor=actor)
    if state.status == PaymentStatus.REFUND:
        if order.status == OrderStatus.REFUNDED:
            return PaymentResult(EventOutcome.DUPLICATE, order, None, "already refunded")
        if order.status not in PAID_STATES:
            return PaymentResult(EventOutcome.IGNORED, order, None, f"refund for an order that is {order.status}")
        refund_order(session=session, order_id=order_id, actor=actor, reason=f"{state.provider} refund")
        return PaymentResult(EventOutcome.APPLIED, order, None, "refunded")
    return PaymentResult(EventOutcome.IGNORED, order, None, f"status {state.status} needs no action")


def record_payment_event(
    *,
    session: Session,
    provider: str,
    raw_body: bytes,
    headers: dict[str, str],
    signature_valid: bool,
    outcome: EventOutcome,
    detail: str = "",
    latency_ms: float | None = None,
    order_id: int | None = None,
    state: TransactionState | None = None,
) -> None:
    """Keep one callback request, whatever became of it (written when the transaction commits)."""
    key = f"{provider}:{state.reference}:{state.status}" if state else _claimed_key(provider, raw_body)
    values = {
        "provider": provider,
        "event_key": _storable(key)[:160],
        "headers": {_storable(k): _storable(v) for k, v in headers.items()},
        "raw_body": _storable(raw_body.decode("utf-8", errors="replace")),
        "signature_valid": signature_valid,
        "outcome": outcome,
        "detail": _storable(detail)[:500],
        "latency_ms": latency_ms,
        "order_id": order_id,
    }
    insert_at_commit(session=session, model=PaymentEvent, values=values)


def _claimed_key(provider: str, raw_body: bytes) -> str:
    """For a refused request: the transaction and status it claims, so forgeries show beside the real ones."""
    try:
        data = json.loads(raw_body)
    except (ValueError, RecursionError):
        return f"{provider}:?"
    if not isinstance(data, dict):
        return f"{provider}:?"
    reference = data.get("reference") or data.get("order_id") or "?"
    status = data.get("status") or data.get("transaction_status") or "?"
    return f"{provider}:{reference}:{status} (claimed)"


def _storable(text: str) -> str:
    """Text any database keeps: no NUL (PostgreSQL refuses it) and no lone surrogates (not encodable),
    both of which hostile bodies may carry."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8").replace("\x00", "\\u0000")


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


@dataclass(frozen=True)
class ReconcileReport:
    checked: int
    applied: int
    errors: int
    confirmed_unpaid: frozenset[int] = frozenset()  # orders the gateway said are still unpaid


def reconcile_unpaid(
    *,
    gateways: dict[str, PaymentGateway],
    older_than: timedelta = timedelta(minutes=15),
    limit: int = 50,
    now: datetime | None = None,
) -> ReconcileReport:
    """Ask the gateway about orders still unpaid after `older_than`, and apply what it says
    through the callback path, so a lost callback never strands a paying customer."""
    cutoff = (now or utcnow()) - older_than
    with db.read_session() as session:
        orders = list(
            session.exec(
                select(Order)
                .where(
                    Order.status == OrderStatus.PENDING_PAYMENT,
                    col(Order.provider_reference).is_not(None),
                    col(Order.created_at) <= cutoff,
                )
                .order_by(col(Order.created_at))
                .limit(limit)
            )
        )
    applied = errors = 0
    unpaid: set[int] = set()
    for order in orders:
        gateway = gateways.get(order.provider or "")
        if gateway is None:
            continue
        try:
            state = gateway.transaction_state(reference=order.provider_reference or "", merchant_ref=order.code)
            if state.status == PaymentStatus.UNPAID:
                unpaid.add(order.id)  # type: ignore[arg-type]
                continue
            result = db.in_transaction(_applier(state, "reconciler"))
        except Exception as exc:  # one order or gateway hiccup must not stop the others (retried next run)
            errors += 1
            log.warning("reconcile order=%s outcome=error reason=%s", order.code, getattr(exc, "message", exc))
            continue
        applied += result.outcome == EventOutcome.APPLIED
        log.info("reconcile order=%s status=%s outcome=%s", order.code, state.status, result.outcome)
    return ReconcileReport(checked=len(orders), applied=applied, errors=errors, confirmed_unpaid=frozenset(unpaid))


def _applier(state: TransactionState, actor: str) -> Callable[[Session], PaymentResult]:
    return lambda session: apply_gateway_state(session=session, state=state, actor=actor)
