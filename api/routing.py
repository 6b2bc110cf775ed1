"""The route class of the JSON APIs (`APIRouter(route_class=JsonRoute)`) and `Refusal`, the answer a
dependency or an endpoint gives instead of the route's own.

A router has no exception handlers of its own, and the app's would not reach a router included in a
bare FastAPI app (as the tests and the OpenAPI fuzzing include them): the route class turns a Refusal
into its JSON answer whichever app serves the route."""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Mapping
from typing import Any

from fastapi import Request, Response
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException

from api.body import BodyTooLarge, JsonBodyRequest, too_large

Handler = Callable[[Request], Coroutine[Any, Any, Response]]


class Refusal(HTTPException):
    """A status, a JSON body and headers, answered instead of the route's response model."""

    def __init__(self, status_code: int, body: dict[str, Any], headers: Mapping[str, str] | None = None) -> None:
        super().__init__(status_code, str(body.get("message", "")), headers)
        self.body = body

    def response(self) -> JSONResponse:
        return JSONResponse(self.body, status_code=self.status_code, headers=self.headers)


def refused(status_code: int, message: str, headers: Mapping[str, str] | None = None) -> Refusal:
    """{"success": false, "message": …}, the API's usual refusal."""
    return Refusal(status_code, {"success": False, "message": message}, headers)


class JsonRoute(APIRoute):
    """A JSON body is read as JsonBodyRequest reads it (413 as soon as it is too large); a Refusal raised
    by a dependency or the endpoint becomes its answer."""

    def get_route_handler(self) -> Handler:
        handle = super().get_route_handler()
        reads_body = self.body_field is not None

        async def handler(request: Request) -> Response:
            if reads_body:
                request = JsonBodyRequest(request.scope, request.receive)
            try:
                return await handle(request)
            except BodyTooLarge:
                return too_large()
            except Refusal as refusal:
                return refusal.response()

        return handler
