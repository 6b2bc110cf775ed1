"""Request bodies of the JSON routes: read with a size limit, and described in the OpenAPI document."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

MAX_JSON_BODY = 16 * 1024  # an order or an admin change is a few hundred bytes


async def read_body(request: Request, limit: int = MAX_JSON_BODY) -> bytes | None:
    """The body, or None as soon as it is known to be larger than `limit` (declared or streamed)."""
    declared = request.headers.get("content-length", "0")
    if declared.isdigit() and int(declared) > limit:
        return None
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            return None
    return body


def too_large(limit: int = MAX_JSON_BODY) -> JSONResponse:
    return JSONResponse({"success": False, "message": f"body larger than {limit // 1024} KiB"}, status_code=413)


def json_body(model: type[BaseModel]) -> dict[str, Any]:
    """`openapi_extra` for a route that parses `model` from the raw body itself."""
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": model.model_json_schema()}}}}
