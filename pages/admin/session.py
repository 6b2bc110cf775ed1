"""Signing in ends on an HTTP request that gives the browser a new session id (a planted session cookie never
becomes an admin's): the login page, once password (and second factor) are right, sends the browser to
/admin/session with a short-lived ticket signed with STORAGE_SECRET and bound to the session it was issued in;
that route checks it, renews the session id, and only then writes the admin into the new session."""

from __future__ import annotations

import secrets
import threading
import time
import uuid
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse
from itsdangerous import BadSignature, URLSafeTimedSerializer
from nicegui import app

from domain.admin.admins import active_admin
from infra import db
from infra.types import utcnow

TICKET_SECONDS = 60
_used: dict[str, float] = {}  # nonces already spent in this process, with when they expire
_used_lock = threading.Lock()


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(app.state.settings.STORAGE_SECRET, salt="aksesgpt.admin-session")


def issue_ticket(*, admin_id: int, session_id: str, second_factor: bool) -> str:
    """A one-use ticket for this admin, valid for TICKET_SECONDS, only in the browser session it was issued in."""
    payload = {"admin": admin_id, "sid": session_id, "nonce": secrets.token_urlsafe(12), "mfa": second_factor}
    return str(_serializer().dumps(payload))


def _spend(nonce: str) -> bool:
    now = time.monotonic()
    with _used_lock:
        for old in [n for n, until in _used.items() if until < now]:
            del _used[old]
        if nonce in _used:
            return False
        _used[nonce] = now + TICKET_SECONDS + 5
        return True


def _read(ticket: str, session_id: str) -> dict[str, Any] | None:
    try:
        payload = _serializer().loads(ticket, max_age=TICKET_SECONDS)
    except BadSignature:  # forged, altered or expired (SignatureExpired is a BadSignature)
        return None
    if not isinstance(payload, dict) or payload.get("sid") != session_id or not _spend(str(payload.get("nonce"))):
        return None
    return payload


async def start_session(request: Request, ticket: str = "", next: str = "/admin") -> RedirectResponse:  # noqa: A002
    """GET /admin/session: the ticket's admin signed in under a new session id, then on to `next`."""
    target = next if next.startswith("/admin") and not next.startswith("/admin/session") else "/admin"
    payload = _read(ticket, str(request.session.get("id", "")))
    admin = None
    if payload is not None:
        with db.read_session() as session:
            admin = active_admin(session=session, admin_id=payload["admin"])
    if payload is None or admin is None:
        return RedirectResponse("/admin/login?expired=1", status_code=303)
    old = str(request.session.get("id", ""))
    request.session["id"] = str(uuid.uuid4())  # the cookie is sent again with the new id on this response
    await app.storage._create_user_storage(request.session["id"])  # noqa: SLF001  NiceGUI makes it per request
    app.storage.user["admin"] = {
        "id": admin.id,
        "email": admin.email,
        "role": admin.role,
        "since": utcnow().isoformat(),
        "mfa": bool(payload.get("mfa")),
    }
    if old in app.storage._users:  # noqa: SLF001  the pre-sign-in storage holds no admin; drop it
        app.storage._users[old].pop("admin", None)  # noqa: SLF001
    return RedirectResponse(target, status_code=303)
