"""The machines' lane: callbacks, APIs and health skip the page middlewares, keep FastAPI's error handling."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.middleware.base import BaseHTTPMiddleware

from api.lanes import open_machine_lane


def _app() -> FastAPI:
    app = FastAPI()

    @app.post("/callback/ok")
    async def ok() -> dict:
        return {"success": True}

    @app.post("/callback/boom")
    async def boom() -> dict:
        raise RuntimeError("the database went away")

    @app.get("/healthz")
    async def health() -> dict:
        return {"status": "ok"}

    @app.get("/page")
    async def page() -> dict:
        return {"page": True}

    async def mark(request, call_next):
        response = await call_next(request)
        response.headers["x-page-stack"] = "1"
        return response

    app.add_middleware(BaseHTTPMiddleware, dispatch=mark)
    open_machine_lane(app)
    open_machine_lane(app)  # wired twice (as the test harness does): still one lane
    # a middleware added after the lane opened (as ui.run adds NiceGUI's) is skipped by callbacks too
    app.add_middleware(BaseHTTPMiddleware, dispatch=mark)
    return app


def test_callbacks_skip_the_page_middlewares_and_pages_keep_them() -> None:
    client = TestClient(_app())
    callback = client.post("/callback/ok")
    assert callback.json() == {"success": True} and "x-page-stack" not in callback.headers
    assert "x-page-stack" not in client.get("/healthz").headers
    page = client.get("/page")
    assert page.json() == {"page": True} and page.headers["x-page-stack"] == "1"


def test_an_error_in_a_callback_is_still_a_500_the_gateway_retries() -> None:
    response = TestClient(_app(), raise_server_exceptions=False).post("/callback/boom")
    assert response.status_code == 500


def test_paths_that_only_look_like_callbacks_are_not_in_the_lane() -> None:
    client = TestClient(_app())
    assert client.get("/page").headers["x-page-stack"] == "1"
    assert "x-page-stack" in client.get("/callbackish").headers
    assert "x-page-stack" in client.get("/healthz/more").headers
