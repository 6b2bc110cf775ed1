"""GET /healthz (alive, with the database) and GET /readyz (database, schema at head, background jobs)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from infra.db import database_status
from runtime.health import health_report

router = APIRouter()


@router.get("/healthz", include_in_schema=False)
async def healthz() -> JSONResponse:
    ok, detail = await run_in_threadpool(database_status)
    return JSONResponse({"status": "ok" if ok else "unavailable", "database": detail}, status_code=200 if ok else 503)


@router.get("/readyz", include_in_schema=False)
async def readyz(request: Request) -> JSONResponse:
    state = request.app.state
    healthy, report = await run_in_threadpool(
        lambda: health_report(jobs=getattr(state, "jobs", []), started_at=state.started_at)
    )
    return JSONResponse(report, status_code=200 if healthy else 503)
