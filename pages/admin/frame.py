"""The admin frame (header, navigation drawer, logout) and the session helpers every admin page uses."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fastapi.responses import RedirectResponse
from nicegui import app, ui
from sqlmodel import Session
from starlette.types import ASGIApp, Receive, Scope, Send

from domain.admin.admins import active_admin, has_second_factor
from domain.shared.audit import admin_actor
from domain.shared.errors import DomainError
from infra import db
from pages.threads import io_bound

NAV = (
    ("Ringkasan", "/admin", "dashboard"),
    ("Akun", "/admin/accounts", "groups"),
    ("Penugasan", "/admin/assignments", "event_seat"),
    ("Pesanan", "/admin/orders", "receipt_long"),
    ("Webhook", "/admin/webhooks", "webhook"),
    ("Audit", "/admin/audit", "history"),
    ("Outbox e-mail", "/admin/outbox", "mail"),
    ("Paket", "/admin/packages", "sell"),
    ("Admin", "/admin/users", "admin_panel_settings"),
    ("Keamanan", "/admin/security", "lock"),
)
OPEN_PATHS = ("/admin/login", "/admin/session")
SECURITY_PATH = "/admin/security"
Done = Callable[[], Awaitable[None]]  # what a dialog runs after its action succeeded (a table's refresh, say)


@dataclass(frozen=True)
class SignedIn:
    id: int
    email: str
    role: str
    second_factor: bool = False  # two-factor sign-in is on for this admin

    @property
    def actor(self) -> str:
        return admin_actor(self.email)


class AdminSessionMiddleware:
    """Every /admin page needs a signed-in admin; anything else goes to the login page.
    Plain ASGI (not BaseHTTPMiddleware), so the callback and API paths pay almost nothing for it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if (path == "/admin" or path.startswith("/admin/")) and path not in OPEN_PATHS:
            if not app.storage.user.get("admin"):
                await RedirectResponse(f"/admin/login?next={path}", status_code=303)(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _session_admin(data: dict[str, Any]) -> SignedIn | None:
    """The admin a session names, if still active: one primary-key read, in a thread (see `signed_in`)."""
    try:
        since = datetime.fromisoformat(data["since"])
    except (KeyError, TypeError, ValueError):  # a session from before sessions expired: sign in again
        return None
    with db.read_session() as session:
        admin = active_admin(session=session, admin_id=data.get("id"), signed_in_at=since)
    if admin is None:
        return None
    return SignedIn(id=admin.id or 0, email=admin.email, role=admin.role, second_factor=has_second_factor(admin))


async def signed_in() -> SignedIn | None:
    """The admin of this browser session, if still active (checked against the database each time, off the
    event loop); a session that fails the check is forgotten."""
    data = app.storage.user.get("admin")
    if not data:
        return None
    admin = await io_bound(_session_admin, dict(data)) if isinstance(data, dict) else None
    if admin is None:
        app.storage.user.pop("admin", None)
    return admin


def sign_out() -> None:
    app.storage.user.pop("admin", None)
    ui.navigate.to("/admin/login")


def must_enrol(admin: SignedIn) -> bool:
    """Two-factor sign-in is required (ADMIN_REQUIRE_2FA) and this admin has not turned it on yet."""
    return bool(app.state.settings.ADMIN_REQUIRE_2FA) and not admin.second_factor


def current_path() -> str:
    request = ui.context.client.request
    return request.url.path if request else ""


def client_ip() -> str | None:
    request = ui.context.client.request
    return request.client.host if request and request.client else None


async def act(work: Callable[[Session], object], success: str) -> bool:
    """Run one domain action in its own transaction, for a still-valid session; a refusal is a notification."""
    if await signed_in() is None:  # logged out or disabled since the page opened (one primary-key read)
        ui.navigate.to("/admin/login")
        return False
    try:
        await io_bound(db.in_transaction, work)
    except DomainError as exc:
        ui.notify(exc.message, type="negative")
        return False
    ui.notify(success, type="positive")
    return True


@asynccontextmanager
async def admin_frame(title: str) -> AsyncIterator[SignedIn | None]:
    """Header, navigation and the page column; yields the admin (None: the page must stop, login follows)."""
    admin = await signed_in()
    if admin is None:
        ui.navigate.to("/admin/login")
        yield None
        return
    if must_enrol(admin) and current_path() != SECURITY_PATH:  # ADMIN_REQUIRE_2FA: nothing else until then
        ui.navigate.to(SECURITY_PATH)
        yield None
        return
    ui.query("body").classes("bg-slate-50")
    drawer: ui.left_drawer  # made below the header, whose menu button toggles it
    with ui.header().classes("bg-slate-900 text-white items-center justify-between px-4 py-2"):
        with ui.row().classes("items-center gap-2"):
            ui.button(icon="menu", on_click=lambda: drawer.toggle()).props("flat dense round color=white")
            ui.label("AksesGPT admin").classes("text-lg font-bold")
        with ui.row().classes("items-center gap-3"):
            ui.label(admin.email).classes("text-sm max-sm:hidden")
            ui.button("Keluar", on_click=sign_out).props("flat dense no-caps color=white").mark("logout")
    with ui.left_drawer(value=True).classes("bg-white border-r").props("width=210 breakpoint=900") as drawer:
        for label, path, icon in NAV:
            with ui.link(target=path).classes("no-underline text-slate-800 w-full"):
                with ui.row().classes("items-center gap-3 px-2 py-2 rounded hover:bg-slate-100 w-full"):
                    ui.icon(icon).classes("text-slate-500")
                    ui.label(label)
    with ui.column().classes("w-full p-4 gap-4"):
        ui.label(title).classes("text-2xl font-bold")
        yield admin
