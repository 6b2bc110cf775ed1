"""GET /healthz (alive, with the database) and GET /readyz (database, schema at head, background jobs)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Request, Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from api.metrics import operator_may_see
from infra.db import database_status
from runtime.health import health_report

router = APIRouter()


class Health(BaseModel):
    status: str  # ok | unavailable (| degraded, for /readyz)
    database: str | None = None  # ok, or why not


class Migrations(BaseModel):
    current: str
    head: str


class JobHealth(BaseModel):
    last_success_at: str | None
    last_outcome: str | None
    late: bool


class Readiness(Health):
    """runtime.health.health_report: no migrations without a database, no jobs without the scheduler."""

    migrations: Migrations | None = None
    writes: str | None = None  # ok, or why the database took no write
    jobs: dict[str, JobHealth] | None = None


@router.get("/healthz", include_in_schema=False)
async def healthz(response: Response) -> Health:
    ok, detail = await run_in_threadpool(database_status)
    response.status_code = 200 if ok else 503
    return Health(status="ok" if ok else "unavailable", database=detail)


@router.get("/readyz", include_in_schema=False, response_model_exclude_unset=True)
async def readyz(request: Request, response: Response, authorization: Annotated[str, Header()] = "") -> Readiness:
    """The status for anyone (a load balancer); the details (database, migrations, job names and times) only
    for the operator's METRICS_TOKEN, or in development."""
    state = request.app.state
    healthy, report = await run_in_threadpool(
        lambda: health_report(jobs=getattr(state, "jobs", []), started_at=state.started_at)
    )
    response.status_code = 200 if healthy else 503
    if not operator_may_see(request, authorization):
        return Readiness.model_validate({"status": report["status"]})
    return Readiness.model_validate(report)
