"""The machines' own lane: gateway callbacks (`/callback/…`), the JSON APIs (`/api/…`) and the
health and metrics endpoints skip the middlewares that only the browser pages need (NiceGUI's
request tracking and user storage, sessions, gzip, cache headers, the admin gate) and go through
FastAPI's own stack alone (error handling, exception handlers). None of them uses a skipped layer;
streaming a request body through NiceGUI's BaseHTTPMiddleware layers cost about 1 ms of CPU per
callback (bench/README.md), and every cookie-less request through them made NiceGUI open a user
storage of its own (with NICEGUI_REDIS_URL, a Redis subscription)."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import FastAPI
from starlette.types import ASGIApp, Receive, Scope, Send

LANE_PREFIXES = ("/callback/", "/api/")
LANE_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})


class MachineLane:
    """Machine paths to the `lean` stack; everything else to the `full` one."""

    def __init__(self, full: ASGIApp, lean: ASGIApp) -> None:
        self.full, self.lean = full, lean

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope["path"] if scope["type"] == "http" else ""
        if path.startswith(LANE_PREFIXES) or path in LANE_PATHS:
            await self.lean(scope, receive, send)
        else:
            await self.full(scope, receive, send)


def open_machine_lane(app: FastAPI) -> None:
    """Build the app's stack as MachineLane(full, lean) whenever Starlette builds it, so the lane
    holds however and whenever the other middlewares are added (NiceGUI adds its own in ui.run,
    after wiring). Idempotent: the test harness wires the app again for every test."""
    build: Callable[[], ASGIApp] = getattr(app, "_build_without_lane", app.build_middleware_stack)

    def build_with_lane() -> ASGIApp:
        full = build()
        user_middleware, app.user_middleware = app.user_middleware, []
        try:
            lean = build()
        finally:
            app.user_middleware = user_middleware
        return MachineLane(full, lean)

    app._build_without_lane = build  # type: ignore[attr-defined]
    app.build_middleware_stack = build_with_lane  # type: ignore[method-assign]
