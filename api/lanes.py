"""Three lanes through the app's middlewares, by path:

- the machines' lane: gateway callbacks (`/callback/…`), the JSON APIs (`/api/…`) and the health and metrics
  endpoints skip the middlewares that only the browser pages need (NiceGUI's request tracking and user storage,
  sessions, gzip, cache headers, the admin gate) and go through FastAPI's own stack alone, with FastAPI's own error
  answers (JSON, never a NiceGUI page). None of them uses a skipped layer; streaming a request body through
  NiceGUI's BaseHTTPMiddleware layers cost about 1 ms of CPU per callback (bench/README.md).
- the admin area (`/admin`, `/admin/…`) and a page's own endpoints (uploads, `/_nicegui/client/…`): every
  middleware, NiceGUI's sessions and user storage included (the signed-in admin lives there).
- every other page and NiceGUI's assets: every middleware but NiceGUI's request tracking, which gave each
  cookie-less request a session of its own and opened a user storage for it (with NICEGUI_REDIS_URL two Redis
  connections, held about 60 s; a write to it stayed for good); a visitor's language is kept in a cookie instead
  (pages/shop/frame.py). The session cookie is still read (a signed-in admin's browser keeps its id on the shop's
  pages, whose socket pages/socket_binding.py compares with it) but never written: a request without a valid one
  gets the id ANONYMOUS, unmodified (AnonymousSession). NiceGUI's storage cleanup reads the session id of every
  page it keeps, and stopped (until that page was gone) at one that had none."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from nicegui.storage import RequestTrackingMiddleware
from starlette.middleware import Middleware
from starlette.middleware.sessions import Session
from starlette.types import ASGIApp, Receive, Scope, Send

LANE_PREFIXES = ("/callback/", "/api/")
LANE_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})
SESSION_AREA = "/admin"
ANONYMOUS = "anonymous"  # the session id of a request that has no session (never a uuid NiceGUI would give)
PAGE_ERROR_KEYS = (404, 500, Exception)  # where NiceGUI (and main.py) put the handlers that draw error pages


def is_machine_path(path: str) -> bool:
    return path.startswith(LANE_PREFIXES) or path in LANE_PATHS


CLIENT_PATHS = "/_nicegui/client/"  # a page's own HTTP endpoints (uploads): pages/socket_binding checks the browser


def is_session_path(path: str) -> bool:
    return path == SESSION_AREA or path.startswith((SESSION_AREA + "/", CLIENT_PATHS))


async def machine_error(request: Request, exc: Exception) -> Response:
    """A machine's 500: JSON like its other errors; no detail (the log has the traceback)."""
    return JSONResponse({"detail": "Internal Server Error"}, status_code=500)


class AnonymousSession:
    """Where NiceGUI's request tracking was, inside SessionMiddleware: a request whose session carries no id (no
    cookie, or a cookie that does not verify) gets ANONYMOUS as a fresh, unmodified session, which SessionMiddleware
    does not write back (no Set-Cookie) and for which nothing opens a user storage."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and "id" not in scope.get("session", {}):
            scope["session"] = Session({"id": ANONYMOUS})  # built, not assigned: not "modified"
        await self.app(scope, receive, send)


def _without_user_storage(middleware: list[Middleware]) -> list[Middleware]:
    """The middlewares with AnonymousSession where NiceGUI's request tracking was (or innermost)."""
    at = next((i for i, m in enumerate(middleware) if m.cls is RequestTrackingMiddleware), len(middleware))
    rest = [m for m in middleware if m.cls is not RequestTrackingMiddleware]
    return [*rest[:at], Middleware(AnonymousSession), *rest[at:]]


class MachineLane:
    """Machine paths to the `lean` stack, the admin area to the `full` one, every other request to `anonymous`
    (lifespan and websockets keep the `full` stack, as before)."""

    def __init__(self, full: ASGIApp, lean: ASGIApp, anonymous: ASGIApp) -> None:
        self.full, self.lean, self.anonymous = full, lean, anonymous

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.full(scope, receive, send)
            return
        path = scope["path"]
        if is_machine_path(path):
            await self.lean(scope, receive, send)
        elif is_session_path(path):
            await self.full(scope, receive, send)
        else:
            await self.anonymous(scope, receive, send)


def open_machine_lane(app: FastAPI) -> None:
    """Build the app's stack as MachineLane(full, lean, anonymous) whenever Starlette builds it, so the lanes
    hold however and whenever the other middlewares are added (NiceGUI adds its own in ui.run, after wiring).
    Idempotent: the test harness wires the app again for every test."""
    build: Callable[[], ASGIApp] = getattr(app, "_build_without_lane", app.build_middleware_stack)

    def build_with_lane() -> ASGIApp:
        full = build()
        user_middleware, handlers = app.user_middleware, app.exception_handlers
        try:
            app.user_middleware = _without_user_storage(user_middleware)
            anonymous = build()
            app.user_middleware = []
            app.exception_handlers = {k: v for k, v in handlers.items() if k not in PAGE_ERROR_KEYS}
            app.exception_handlers[Exception] = machine_error
            lean = build()
        finally:
            app.user_middleware, app.exception_handlers = user_middleware, handlers
        return MachineLane(full, lean, anonymous)

    app._build_without_lane = build  # type: ignore[attr-defined]
    app.build_middleware_stack = build_with_lane  # type: ignore[method-assign]
