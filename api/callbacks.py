"""POST /callback/tripay and /callback/midtrans: size limit, signature, parse, then one domain call."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from api.body import read_body, too_large
from domain.payments.callbacks import CallbackJob, CallbackOutcome
from domain.payments.gateway import GatewayError, GatewayRejected, TransactionState
from domain.payments.notices import CONFIRM_FIRST, confirmed_state
from integrations import midtrans, tripay
from runtime.callback_writer import ANSWER_WITHIN_S, callback_writer

router = APIRouter()
log = logging.getLogger("aksesgpt.webhooks")
MAX_BODY = 64 * 1024
KEPT_HEADERS = (
    "content-type",
    "content-length",
    "user-agent",
    "x-callback-event",
    "x-callback-signature",
    "x-forwarded-for",
    "x-real-ip",
)
ANSWERS = {"processed": 200, "unknown_order": 404, "invalid": 400, "forged": 401}


async def _read(request: Request) -> tuple[bytes | None, dict[str, str]]:
    headers = {k: v[:300] for k, v in request.headers.items() if k.lower() in KEPT_HEADERS}
    headers["client"] = request.client.host if request.client else ""
    return await read_body(request, MAX_BODY), headers


def _answer(result: CallbackOutcome, job: CallbackJob) -> JSONResponse:
    """The gateway's answer; Server-Timing tells how long the app took from receiving the request to
    its transaction committed (what the webhook benchmark reports as the app's own latency)."""
    status = ANSWERS[result.verdict]
    body: dict[str, object] = {"success": status == 200}
    if status != 200:
        body["message"] = result.detail
    return JSONResponse(body, status_code=status, headers={"Server-Timing": f"app;dur={job.elapsed_ms()}"})


async def _applied(job: CallbackJob) -> JSONResponse:
    try:
        result = await callback_writer().submit(job)
    except TimeoutError:  # stuck behind a lock or a slow database: the gateway delivers again later
        log.warning("webhook provider=%s answered 503: not applied within %s s", job.provider, ANSWER_WITHIN_S)
        return JSONResponse({"success": False, "message": "busy, deliver again"}, status_code=503)
    return _answer(result, job)


@router.post("/callback/ping", include_in_schema=False)
async def callback_ping() -> JSONResponse:
    """Answers like a processed callback and does nothing: checks that proxies pass the callback path
    through without redirects (and is the ceiling the webhook benchmark compares against)."""
    return JSONResponse({"success": True})


@dataclass
class Reading:
    """What a route made of a callback request before the domain sees it."""

    valid: bool  # the signature (and source) held
    state: TransactionState | None = None
    problem: str = ""
    malformed: bool = False
    nothing_to_do: bool = False


async def _received(
    request: Request, provider: str, read: Callable[[Request, bytes, dict[str, str]], Awaitable[Reading | JSONResponse]]
) -> JSONResponse:
    """The one path of a callback request: size limit, the gateway's own reading, then the callback writer."""
    started = time.perf_counter()
    raw, headers = await _read(request)
    if raw is None:
        return too_large(MAX_BODY)
    reading = await read(request, raw, headers)
    if isinstance(reading, JSONResponse):
        return reading
    job = CallbackJob(
        provider=provider,
        raw_body=raw,
        headers=headers,
        started=started,
        signature_valid=reading.valid,
        state=reading.state,
        problem=reading.problem,
        malformed=reading.malformed,
        nothing_to_do=reading.nothing_to_do,
    )
    return await _applied(job)


async def _read_tripay(request: Request, raw: bytes, headers: dict[str, str]) -> Reading:
    gateways, allowed = request.app.state.gateways, request.app.state.settings.callback_ips
    valid = tripay.verify_callback(
        gateways.tripay_private_key,
        raw,
        request.headers.get("x-callback-signature"),
        request.headers.get("x-callback-event"),
    )
    if allowed and headers["client"] not in allowed:
        return Reading(False, problem=f"source {headers['client']} is not in TRIPAY_CALLBACK_IPS")
    if not valid:
        return Reading(False)
    try:
        return Reading(True, state=tripay.parse_callback(raw))
    except (ValueError, GatewayRejected) as exc:
        return Reading(True, problem=f"malformed callback: {getattr(exc, 'message', exc)}", malformed=True)


async def _read_midtrans(request: Request, raw: bytes, _headers: dict[str, str]) -> Reading | JSONResponse:
    gateways = request.app.state.gateways
    try:
        data = json.loads(raw)
        if not isinstance(data, dict):
            raise ValueError("not an object")
    except (ValueError, RecursionError):
        return Reading(
            midtrans.verify_notification(None, gateways.midtrans_server_key), problem="malformed JSON", malformed=True
        )
    if not midtrans.verify_notification(data, gateways.midtrans_server_key):
        return Reading(False)
    try:
        state = midtrans.parse_notification(data)
    except GatewayRejected as exc:
        return Reading(True, problem=exc.message, nothing_to_do=True)
    status_api = gateways.by_name.get(midtrans.PROVIDER)
    if state.status not in CONFIRM_FIRST or status_api is None:
        return Reading(True, state=state)
    claimed = state.status
    try:
        state = await run_in_threadpool(confirmed_state, state, status_api)
    except GatewayError as exc:  # cannot confirm now: Midtrans delivers again
        log.warning("webhook provider=midtrans order=%s not confirmed: %s", state.merchant_ref, exc.message)
        return JSONResponse({"success": False, "message": "status not confirmed, deliver again"}, status_code=503)
    problem = (
        "" if state.status == claimed else f"notice said {claimed.value}, Midtrans's status says {state.status.value}"
    )
    if problem:
        log.warning("webhook provider=midtrans order=%s %s", state.merchant_ref, problem)
    return Reading(True, state=state, problem=problem)


@router.post("/callback/tripay", include_in_schema=False)
async def tripay_callback(request: Request) -> JSONResponse:
    return await _received(request, tripay.PROVIDER, _read_tripay)


@router.post("/callback/midtrans", include_in_schema=False)
async def midtrans_callback(request: Request) -> JSONResponse:
    return await _received(request, midtrans.PROVIDER, _read_midtrans)
