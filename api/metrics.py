"""GET /metrics in Prometheus text format, behind METRICS_TOKEN (open in development when unset)."""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST
from starlette.concurrency import run_in_threadpool

from domain.admin.shop_state import render

router = APIRouter()


@router.get("/metrics", include_in_schema=False)
async def metrics(request: Request) -> Response:
    settings = request.app.state.settings
    token = settings.METRICS_TOKEN
    if token:
        given = request.headers.get("authorization", "").encode("utf-8", "backslashreplace")
        if not hmac.compare_digest(given, f"Bearer {token}".encode()):
            return JSONResponse({"message": "a valid bearer token is required"}, status_code=401)
    elif settings.is_production:
        return JSONResponse({"message": "set METRICS_TOKEN to expose metrics in production"}, status_code=404)
    return Response(await run_in_threadpool(render), media_type=CONTENT_TYPE_LATEST)
