"""Each page's NiceGUI client answers only to the browser that loaded the page.

What NiceGUI 3.18 does (nicegui/nicegui.py, client.py, elements/upload.py):
- `_on_event` (and `_on_javascript_response`, `_on_ack`, `_on_log`) take the client from the message's own
  `client_id` and never look at the socket that sent it: any socket.io connection, even one that never
  handshook, runs a page's handlers by naming its client id, element id and listener id, and the handler runs
  with the page's request, so `app.storage.user` is the page owner's session (an admin's, on an admin page).
- A handshake is accepted for any socket that knows the client id and the tab id it pinned first; cookies are
  not looked at.
- An upload (`POST /_nicegui/client/<client id>/upload/<element id>`) runs the element's handlers for whoever
  posts it.

What this module adds, in front of NiceGUI's own handlers (wrapped, not rewritten):
1. A socket joins a client (connect with an implicit handshake, or the `handshake` event) only when the
   browser id in its `session` cookie is the one the page's request carried. Starlette's SessionMiddleware has
   already checked the cookie's signature and put it in the socket's ASGI scope (the socket.io app is mounted
   inside the app, behind the middleware), so nothing here decodes a cookie.
2. A message naming a client is handled only when it comes on a socket that joined that client (NiceGUI puts
   each joined socket in a room named after its client).
3. An upload to a client's element is refused (403) unless it carries that page's browser id.

A page whose request came without a session cookie (a first visit, or cookies off) has nothing to bind to and
is left as NiceGUI made it; an admin page always has one (it needs a signed-in session). A genuine browser that
is refused (its cookie changed since it loaded the page) reloads, as NiceGUI's script does for any failed
handshake. `install()` refuses to start when NiceGUI's handlers are not the ones read for this (a NiceGUI
upgrade): read them again, then update `REVIEWED` below.
"""

from __future__ import annotations

import inspect
import logging
import re
import urllib.parse
from collections.abc import Awaitable, Callable
from typing import Any

import socketio
from nicegui import Client, __version__, core
from starlette.middleware.sessions import SessionMiddleware
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

log = logging.getLogger("aksesgpt.sockets")

REVIEWED = "3.18.0"  # the NiceGUI whose socket handlers this wraps (see the module's docstring)
BOUND_MESSAGES = ("event", "javascript_response", "ack", "log")  # each names its client in msg["client_id"]
WRAPPED = ("connect", "handshake", *BOUND_MESSAGES)
CLIENT_PATH = re.compile(r"^/_nicegui/client/(?P<client_id>[^/]+)/")
_originals: dict[str, Callable[..., Any]] = {}


def page_browser_id(client: Client) -> str | None:
    """The browser id (NiceGUI's `session["id"]`) the request that built the client's page came with, if any.

    None when that request had no session cookie: NiceGUI gave it a new id that the browser may never store
    (cookies off), and a page bound to it would refuse its own browser's socket and reload for ever."""
    try:
        request = client.request
    except RuntimeError:  # a client made without a request (NiceGUI's own error pages, say)
        return None
    return _browser_id(request.scope) if _session_cookie() in request.cookies else None


def _session_cookie() -> str:
    """The session cookie's name, as SessionMiddleware was given it (ui.run adds it)."""
    for middleware in core.app.user_middleware:
        if middleware.cls is SessionMiddleware:
            return str(middleware.kwargs.get("session_cookie", "session"))
    return "session"


def _browser_id(scope: Any) -> str | None:
    """The browser id in an ASGI scope's signed session (SessionMiddleware checked it), if any."""
    session = scope.get("session") if isinstance(scope, dict) else None
    value = session.get("id") if isinstance(session, dict) else None
    return value if isinstance(value, str) else None


def same_browser(client: Client, environ: dict[str, Any] | None) -> bool:
    """Whether a socket (its engine.io environ) comes from the browser that loaded the client's page."""
    expected = page_browser_id(client)
    if expected is None:
        return True  # nothing to bind to: the page was served without a session
    scope = (environ or {}).get("asgi.scope")
    return _browser_id(scope) == expected


def _joined(sid: str, client_id: object) -> bool:
    """Whether socket `sid` joined client `client_id` (NiceGUI's handshake put it in the client's room)."""
    if not isinstance(client_id, str) or client_id == sid:
        return False
    return any(member == sid for member, _ in core.sio.manager.get_participants("/", client_id))


def _refuse(what: str, sid: str, client_id: object, environ: dict[str, Any] | None) -> None:
    scope = (environ or {}).get("asgi.scope") or {}
    peer = scope.get("client") or ("?",)
    log.warning("socket refused: %s sid=%s client=%.8s from=%s", what, sid, client_id, peer[0])


def _query(environ: dict[str, Any]) -> dict[str, str]:
    return {k: v[0] for k, v in urllib.parse.parse_qs(environ.get("QUERY_STRING", "")).items()}


async def _connect(sid: str, environ: dict[str, Any], auth: Any = None) -> Any:
    client_id = _query(environ).get("client_id")
    client = Client.instances.get(client_id or "")
    if client is not None and not same_browser(client, environ):
        _refuse("connect for another browser's page", sid, client_id, environ)
        # the message NiceGUI's script answers with a reload (a genuine browser whose cookie changed)
        raise socketio.exceptions.ConnectionRefusedError("Implicit handshake failed")
    return await _originals["connect"](sid, environ, auth)


async def _handshake(sid: str, data: Any) -> bool:
    client_id = data.get("client_id") if isinstance(data, dict) else None
    client = Client.instances.get(client_id) if isinstance(client_id, str) else None
    if client is not None:
        environ = core.sio.get_environ(sid)
        if not same_browser(client, environ):
            _refuse("handshake for another browser's page", sid, client_id, environ)
            return False
    return bool(await _originals["handshake"](sid, data))


def _bound(name: str) -> Callable[[str, Any], Awaitable[Any]]:
    async def handle(sid: str, msg: Any) -> Any:
        client_id = msg.get("client_id") if isinstance(msg, dict) else None
        if not _joined(sid, client_id):
            if isinstance(client_id, str) and client_id in Client.instances:
                _refuse(f"{name} from a socket that did not join the page", sid, client_id, core.sio.get_environ(sid))
            return None
        answer = _originals[name](sid, msg)
        return await answer if inspect.isawaitable(answer) else answer

    handle.__name__ = f"bound_{name}"
    return handle


def install() -> None:
    """Put the checks above in front of NiceGUI's socket handlers (once per process; wire() may run again)."""
    handlers = core.sio.handlers.get("/", {})
    if _originals:
        if any(handlers.get(name) is _originals[name] for name in WRAPPED):
            raise RuntimeError("NiceGUI's socket handlers were registered again after the browser binding")
        return  # installed already
    if __version__ != REVIEWED:
        raise RuntimeError(
            f"NiceGUI {__version__} is not the {REVIEWED} whose socket handlers pages/socket_binding.py wraps: "
            "read nicegui/nicegui.py's handlers again, then update REVIEWED"
        )
    missing = [name for name in WRAPPED if getattr(handlers.get(name), "__module__", "") != "nicegui.nicegui"]
    if missing:
        raise RuntimeError(f"NiceGUI's socket handlers changed ({missing}): pages/socket_binding.py needs a look")
    _originals.update({name: handlers[name] for name in WRAPPED})
    core.sio.on("connect", _connect)
    core.sio.on("handshake", _handshake)
    for name in BOUND_MESSAGES:
        core.sio.on(name, _bound(name))


class UploadBinding:
    """`/_nicegui/client/<id>/…` (uploads) only for the browser that loaded that client's page: 403 otherwise.
    Sits inside SessionMiddleware (which ui.run adds after main.py's middlewares, so outside them)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and (match := CLIENT_PATH.match(scope.get("path", ""))):
            client = Client.instances.get(match["client_id"])
            expected = page_browser_id(client) if client is not None else None
            if expected is not None and _browser_id(scope) != expected:
                log.warning("upload refused: client=%.8s from another browser", match["client_id"])
                await PlainTextResponse("Forbidden", status_code=403)(scope, receive, send)
                return
        await self.app(scope, receive, send)
