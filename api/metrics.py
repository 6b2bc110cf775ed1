"""GET /metrics in Prometheus text format, behind METRICS_TOKEN (open in development when unset)."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST
from starlette.concurrency import run_in_threadpool

from api.routing import JsonRoute, Refusal
from domain.admin.shop_state import render

router = APIRouter(route_class=JsonRoute)


def operator_may_see(request: Request, authorization: str) -> bool:
    """Whether the caller may read operational details: the METRICS_TOKEN as a bearer token, or anyone in
    development when none is set."""
    settings = request.app.state.settings
    token = settings.METRICS_TOKEN
    if token:
        given = authorization.encode("utf-8", "backslashreplace")
        return hmac.compare_digest(given, f"Bearer {token}".encode())
    return not settings.is_production


def require_metrics_token(request: Request, authorization: Annotated[str, Header()] = "") -> None:
    """With METRICS_TOKEN set, the scraper's `Authorization: Bearer <token>` (401 without it); without
    one, open in development and 404 in production."""
    if operator_may_see(request, authorization):
        return
    if request.app.state.settings.METRICS_TOKEN:
        raise Refusal(401, {"message": "a valid bearer token is required"})
    raise Refusal(404, {"message": "set METRICS_TOKEN to expose metrics in production"})


@router.get("/metrics", include_in_schema=False, dependencies=[Depends(require_metrics_token)])
async def metrics() -> Response:
    return Response(await run_in_threadpool(render), media_type=CONTENT_TYPE_LATEST)
