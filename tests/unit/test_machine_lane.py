"""The machines' lane: callbacks, APIs and health skip the page middlewares, keep FastAPI's error handling."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse

from api.lanes import is_session_path, open_machine_lane


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


def _app_with_pages() -> FastAPI:
    """An app that draws HTML error pages and keeps sessions, as NiceGUI's does."""
    app = FastAPI()

    @app.get("/api/boom")
    async def api_boom() -> dict:
        raise RuntimeError("the database went away")

    @app.get("/shop")
    async def shop(request: Request) -> dict:
        return {"session": dict(request.session)}

    @app.get("/admin/x")
    async def admin(request: Request) -> dict:
        request.session["id"] = "someone"
        return {"session": dict(request.session)}

    async def page(request: Request, exc: Exception) -> HTMLResponse:
        return HTMLResponse("<h1>page</h1>", status_code=404)

    app.add_exception_handler(404, page)
    app.add_exception_handler(Exception, page)
    open_machine_lane(app)
    app.add_middleware(SessionMiddleware, secret_key="s" * 32)
    return app


def test_the_machines_get_json_errors_never_a_page() -> None:
    client = TestClient(_app_with_pages(), raise_server_exceptions=False)
    missing = client.get("/api/missing")
    assert missing.status_code == 404 and missing.json() == {"detail": "Not Found"}
    boom = client.get("/api/boom")
    assert boom.status_code == 500 and boom.json() == {"detail": "Internal Server Error"}
    assert client.get("/no-such-page").text == "<h1>page</h1>", "pages keep the app's handlers"


def test_only_the_admin_area_gets_a_session_cookie() -> None:
    client = TestClient(_app_with_pages())
    shop = client.get("/shop")
    assert shop.json() == {"session": {"id": "anonymous"}} and "set-cookie" not in shop.headers
    admin = client.get("/admin/x")
    assert admin.json() == {"session": {"id": "someone"}} and admin.headers["set-cookie"].startswith("session=")


def test_a_pages_own_endpoints_carry_the_session_the_binding_checks() -> None:
    """Uploads to an admin page (`/_nicegui/client/<id>/upload/…`) must carry the browser's session: the socket
    binding refuses an upload from any other browser, and an anonymous lane would make every upload a stranger's."""
    assert is_session_path("/_nicegui/client/0f1e/upload/42") and is_session_path("/admin/accounts")
    assert not is_session_path("/checkout/paket-7-hari") and not is_session_path("/_nicegui/3.18.0/static/x.js")


def test_a_browsers_own_session_is_read_on_the_shop_and_never_written() -> None:
    """A signed-in admin browsing the shop keeps their session id there (pages/socket_binding.py compares a page's
    with its socket's); a forged cookie is anonymous; neither gets a Set-Cookie back."""
    client = TestClient(_app_with_pages())
    client.get("/admin/x")  # the admin area gave this browser its session
    shop = client.get("/shop")
    assert shop.json() == {"session": {"id": "someone"}} and "set-cookie" not in shop.headers
    forged = TestClient(_app_with_pages(), cookies={"session": "forged"}).get("/shop")
    assert forged.json() == {"session": {"id": "anonymous"}} and "set-cookie" not in forged.headers
