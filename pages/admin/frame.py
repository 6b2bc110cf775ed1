"""The admin frame (header, navigation drawer, logout) and the session helpers every admin page uses."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from fastapi.responses import RedirectResponse
from nicegui import app, ui
from starlette.types import ASGIApp, Receive, Scope, Send

from domain.admin.admins import active_admin
from domain.shared.audit import admin_actor
from domain.shared.models import AdminUser
from infra import db
from infra.types import utcnow

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
)
OPEN_PATHS = ("/admin/login",)


@dataclass(frozen=True)
class SignedIn:
    id: int
    email: str
    role: str

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


def signed_in() -> SignedIn | None:
    """The admin of this browser session, if still active (checked against the database each time)."""
    data = app.storage.user.get("admin")
    if not data:
        return None
    try:
        since = datetime.fromisoformat(data["since"])
    except (KeyError, TypeError, ValueError):  # a session from before sessions expired: sign in again
        since = None
    with db.read_session() as session:
        admin = active_admin(session=session, admin_id=data.get("id"), signed_in_at=since) if since else None
    if admin is None:
        app.storage.user.pop("admin", None)
        return None
    return SignedIn(id=admin.id or 0, email=admin.email, role=admin.role)


def sign_in(admin: AdminUser) -> None:
    app.storage.user["admin"] = {
        "id": admin.id,
        "email": admin.email,
        "role": admin.role,
        "since": utcnow().isoformat(),
    }


def sign_out() -> None:
    app.storage.user.pop("admin", None)
    ui.navigate.to("/admin/login")


def client_ip() -> str | None:
    request = ui.context.client.request
    return request.client.host if request and request.client else None


@contextmanager
def admin_frame(title: str) -> Iterator[SignedIn | None]:
    """Header, navigation and the page column; yields the admin (None: the page must stop, login follows)."""
    admin = signed_in()
    if admin is None:
        ui.navigate.to("/admin/login")
        yield None
        return
    ui.query("body").classes("bg-slate-50")
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
