"""GET /healthz: JSON with the database status; 200 when it answers, 503 when not."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from domain.db import database_status

router = APIRouter()


@router.get("/healthz", include_in_schema=False)
def healthz() -> JSONResponse:
    ok, detail = database_status()
    body = {"status": "ok" if ok else "unavailable", "database": detail}
    return JSONResponse(body, status_code=200 if ok else 503)
