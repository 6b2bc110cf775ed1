"""GET /healthz: database, schema revision and background jobs as JSON; 200 when all is well, else 503."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from domain.health import health_report

router = APIRouter()


@router.get("/healthz", include_in_schema=False)
async def healthz(request: Request) -> JSONResponse:
    state = request.app.state
    healthy, report = await run_in_threadpool(
        lambda: health_report(jobs=getattr(state, "jobs", []), started_at=state.started_at)
    )
    return JSONResponse(report, status_code=200 if healthy else 503)
