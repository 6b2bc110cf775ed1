"""The shop's own error pages, in place of NiceGUI's ("HTTPException: 404: Not Found", and for a 500 the exception's
name and text: SQL with its parameters, the database's host, port and role). A branded 404 and 500 in the visitor's
language with a way home, and nothing internal: a 500 shows a short incident code that the log line carries too.
main.py installs them as the app's handlers for the pages; the machines' lane answers its errors in JSON
(api/lanes.py) and never reaches them."""

from __future__ import annotations

import logging
import secrets

from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import PlainTextResponse, Response
from nicegui import Client, app, ui
from starlette.exceptions import HTTPException
from starlette.requests import Request

from domain.shared.i18n import t as tr
from pages.shop.frame import request_lang, static_page

log = logging.getLogger("aksesgpt.pages")


TAP = "inline-flex items-center justify-center min-h-[44px] min-w-[44px]"  # a finger's tap target


def _body(status: int, lang: str, extra: str = "") -> str:
    return (
        '<div class="flex flex-col items-center text-center gap-3 py-16">'
        f'<div class="text-6xl font-bold text-blue-700">{status}</div>'
        f'<h1 class="text-2xl font-bold">{tr(f"error.{status}.title", lang)}</h1>'
        f'<div class="text-slate-600 max-w-md">{tr(f"error.{status}.help", lang)}</div>{extra}'
        '<div class="flex flex-wrap gap-4 justify-center items-center mt-4">'
        f'<a href="/" class="{TAP} rounded bg-blue-700 text-white px-4 no-underline">{tr("error.home", lang)}</a>'
        f'<a href="/orders" class="{TAP} text-blue-700 underline">{tr("nav.lookup", lang)}</a></div></div>'
    )


def _page(request: Request, status: int, extra: str = "") -> Response:
    """The page as one static element in the shop's frame: nothing on it reads the database (the frame's texts
    and settings are in memory), so it can be drawn during an outage."""
    lang = request_lang(request)
    title = f"{tr(f'error.{status}.title', lang)} — AksesGPT"
    with Client(ui.page("", title=title), request=request) as client:
        static_page(lang, _body(status, lang, extra)).mark(f"error-{status}")
    return client.build_response(request, status)


async def not_found(request: Request, exc: Exception) -> Response:
    """404 for a page path. An endpoint's own 404 (one of NiceGUI's resources, say) stays FastAPI's JSON, as
    NiceGUI's handler answers it."""
    endpoint = request.scope.get("endpoint")
    if (
        isinstance(exc, HTTPException)
        and endpoint is not None
        and endpoint is not app
        and not request.scope.get("nicegui_page_path")
    ):
        return await http_exception_handler(request, exc)
    return _page(request, 404)


async def server_error(request: Request, exc: Exception) -> Response:
    """500 for a page that failed: the branded page with an incident code; the traceback goes to the log only.
    Anything else that fails on the page stack (an upload, an asset) gets a bare 500, as FastAPI answers it."""
    incident = secrets.token_hex(4)
    log.error("page error incident=%s %s %s", incident, request.method, request.url.path, exc_info=exc)
    if not request.scope.get("nicegui_page_path"):
        return PlainTextResponse("Internal Server Error", status_code=500)
    lang = request_lang(request)
    code = f'<div class="text-sm text-slate-600">{tr("error.incident", lang)} <code>{incident}</code></div>'
    return _page(request, 500, code)
