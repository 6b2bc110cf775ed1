"""Request bodies: read with a size limit (the callbacks read theirs raw), and the request of a JSON API
route, whose body FastAPI validates into the route's pydantic model."""

from __future__ import annotations

import json
from typing import Any

import pydantic_core
from fastapi import Request
from fastapi.responses import JSONResponse
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException

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


class BodyTooLarge(HTTPException):
    """Raised while FastAPI reads a JSON route's body; the route class answers it with `too_large()`."""

    def __init__(self) -> None:
        super().__init__(413, f"body larger than {MAX_JSON_BODY // 1024} KiB")


class JsonBodyRequest(Request):
    """The request of a route with a JSON body, read as the API has always read it:
    - JSON whatever its Content-Type says (`curl -d` sends application/x-www-form-urlencoded, and bots
      written against the original API do so), so FastAPI parses it instead of refusing it;
    - at most MAX_JSON_BODY bytes: BodyTooLarge as soon as a larger body is declared or streamed;
    - parsed by pydantic's JSON parser, which refuses a lone surrogate (no text column can store one)."""

    @property
    def headers(self) -> Headers:
        if not hasattr(self, "_json_headers"):
            kept = [(name, value) for name, value in self.scope["headers"] if name != b"content-type"]
            self._json_headers = Headers(raw=[*kept, (b"content-type", b"application/json")])
        return self._json_headers

    async def body(self) -> bytes:
        if not hasattr(self, "_body"):
            raw = await read_body(self)
            if raw is None:
                raise BodyTooLarge
            self._body = raw
        return self._body

    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            raw = await self.body()
            try:
                self._json = pydantic_core.from_json(raw)
            except ValueError as exc:  # FastAPI answers a JSONDecodeError as invalid JSON (loc ["body", …])
                raise json.JSONDecodeError(str(exc), raw.decode("utf-8", "replace"), 0) from None
        return self._json
