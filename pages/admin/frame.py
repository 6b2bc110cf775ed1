"""The admin frame (header, navigation drawer, logout) and the session helpers every admin page uses."""

from __future__ import annotations

import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, ParamSpec, TypeVar

from fastapi.responses import RedirectResponse
from nicegui import app, ui
from sqlmodel import Session
from starlette.types import ASGIApp, Receive, Scope, Send

from domain.admin.admins import active_admin, has_second_factor
from domain.shared.audit import admin_actor
from domain.shared.errors import DomainError
from infra import db
from pages.admin.error_words import error_text
from pages.admin.words import language_switch, nav_word, say, title_word
from pages.live import Follower, stop_following
from pages.threads import io_bound
from runtime.feed import FEED

NAV = (
    ("Ringkasan", "/admin", "dashboard"),
    ("Akun", "/admin/accounts", "groups"),
    ("Penugasan", "/admin/assignments", "event_seat"),
    ("Pesanan", "/admin/orders", "receipt_long"),
    ("Pelanggan", "/admin/customers", "people"),
    ("Laporan", "/admin/reports", "bar_chart"),
    ("Webhook", "/admin/webhooks", "webhook"),
    ("Audit", "/admin/audit", "history"),
    ("Outbox e-mail", "/admin/outbox", "mail"),
    ("Toko", "/admin/shop", "storefront"),
    ("Paket", "/admin/packages", "sell"),
    ("Promo", "/admin/promos", "local_offer"),
    ("Admin", "/admin/users", "admin_panel_settings"),
    ("Keamanan", "/admin/security", "lock"),
)
OPEN_PATHS = ("/admin/login", "/admin/session")
SECURITY_PATH = "/admin/security"
Done = Callable[[], Awaitable[None]]  # what a dialog runs after its action succeeded (a table's refresh, say)
PRIMARY = "#1d4ed8"  # buttons and links: white on it reads at 6.7:1 (NiceGUI's default blue: 3:1)
SAFETY_SECONDS = 600.0  # a live admin table or panel reads again this often even when no change named it (`live`)
SESSION_CHECK_SECONDS = 60.0  # a live refresh trusts a session checked this long ago (SessionCache)
PAGE_ADMIN = "admin_id"  # app.storage.client: the admin this page was drawn for (set by admin_frame)
PAGE_ENDED = "admin_ended"  # app.storage.client: the session ended; the tab is on its way to the login page
OWNER_ONLY = "Hanya pemilik (owner) yang boleh melakukan ini."
HEADER_EXTRAS: list[Callable[[], None]] = []  # drawn in every admin page's header, right of the title
# a phone and a laptop: every control a thumb can hit (44 px, WCAG 2.5.5), a table's rows as cards under 600 px
# (pages/admin/table.py's Cards), and nothing wider than the screen
ADMIN_CSS = """
body.admin .q-btn { min-height: 44px; }
body.admin .q-btn--round { min-width: 44px; }
body.admin .q-checkbox, body.admin .q-toggle, body.admin .q-radio { min-height: 44px; }
body.admin .q-table__container a { display: inline-flex; align-items: center; min-height: 44px; }
body.admin .rows-open tbody tr { cursor: pointer; }
body.admin .q-table th { white-space: normal; }
body.admin .q-chip__icon--remove { box-sizing: content-box; padding: 12px; margin: -12px -12px -12px 0; }
body.admin .row-action { padding-left: 12px; padding-right: 12px; }
body.admin .q-table__grid-content .row-action.q-btn--flat { box-shadow: inset 0 0 0 1px currentColor; }
body.admin .row-card .card-field { display: grid; grid-template-columns: minmax(5.5rem, 32%) minmax(0, 1fr);
  gap: 0.5rem; padding: 2px 0; }
body.admin .row-card .card-label { color: #475569; font-size: 0.8rem; }
body.admin .row-card .card-value { min-width: 0; overflow-wrap: break-word; }
body.admin .q-field__focusable-action { box-sizing: content-box; padding: 10px; margin: -10px; }
body.admin .q-uploader__header .q-btn { min-width: 44px; }
"""
P = ParamSpec("P")
T = TypeVar("T")


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


class Refused:
    """What a checked call answers when its work did not run: the session ended or changed since the page was
    drawn (the tab is being sent to the login page), the action is an owner's, or the domain refused it (said)."""


REFUSED = Refused()


@dataclass(frozen=True)
class _Ran(Generic[T]):
    value: T


class SessionCache:
    """What live refreshes check a tab's session against: each admin session is read at most once a minute, and
    read again at once after any change to an admin (disabled, signed out everywhere, password reset, two
    factors: each is audited, and the change feed tells every app process). Actions always read it afresh."""

    def __init__(self) -> None:
        self._entries: dict[str, tuple[SignedIn | None, float]] = {}
        self._generation = 0
        self._lock = threading.Lock()
        self.reads = 0  # (tests count them)

    def admin(self, data: dict[str, Any]) -> SignedIn | None:
        key, now = repr(sorted(data.items())), time.monotonic()
        with self._lock:
            hit, generation = self._entries.get(key), self._generation
        if hit is not None and hit[1] > now:
            return hit[0]
        admin = _session_admin(data)
        with self._lock:
            self.reads += 1
            if generation == self._generation:  # no admin changed while it was read
                if len(self._entries) > 10_000:
                    self._entries.clear()
                self._entries[key] = (admin, now + SESSION_CHECK_SECONDS)
        return admin

    def clear(self, _change: object = None) -> None:
        with self._lock:
            self._generation += 1
            self._entries.clear()


SESSIONS = SessionCache()
FEED.subscribe(("admin",), SESSIONS.clear, process=True)


async def _checked(call: Callable[[], T], *, owner_only: bool, cached: bool = False) -> T | Refused:
    """`call()` in a thread, right after checking there that this tab's session is still its page's admin's and
    still valid (active, not locked, not signed out everywhere or reset since, not expired): the one gate every
    action and every live refresh of an admin page goes through once the page is drawn.

    Refused, nothing runs: an ended session is forgotten, the page's timers stop and the tab goes to the login
    page; a session that now names another admin (signed in again in another tab) sends the tab there without
    ending it; a staff admin asking for an owner's action is told so."""
    client = ui.context.client
    if client.storage.get(PAGE_ENDED):
        return REFUSED
    data = app.storage.user.get("admin")
    page_admin = client.storage.get(PAGE_ADMIN)

    def run() -> tuple[SignedIn | None, _Ran[T] | None]:
        check = SESSIONS.admin if cached else _session_admin
        admin = check(dict(data)) if isinstance(data, dict) else None
        if admin is None or admin.id != page_admin or (owner_only and admin.role != "owner"):
            return admin, None
        return admin, _Ran(call())

    admin, ran = await io_bound(run)
    if ran is not None:
        return ran.value
    if admin is not None and admin.id == page_admin:
        ui.notify(say(OWNER_ONLY, "Only the owner may do this."), type="negative")
        return REFUSED
    _end_page(forget=admin is None and data is not None, seen=data)
    return REFUSED


def _end_page(*, forget: bool, seen: object) -> None:
    """Stop this admin page for good: its timers, any later call (`_checked` answers at once), and the tab."""
    client = ui.context.client
    client.storage[PAGE_ENDED] = True
    if forget and app.storage.user.get("admin") == seen:  # not a session signed in since, in another tab
        app.storage.user.pop("admin", None)
    for element in list(client.elements.values()):
        if isinstance(element, ui.timer):
            element.cancel()
    stop_following(client)
    ui.navigate.to("/admin/login")


async def shared_read(load: Callable[[], T]) -> T:
    """A read made once for every open admin page of this process (the overview, a sale's notice), in a thread,
    for no session in particular: what it reads reaches a tab only after that tab's session was checked (`fetch`)."""
    return await io_bound(load)


async def still_valid(*, owner_only: bool = False) -> bool:
    """Whether this tab's session still holds (see `_checked`), for a handler that reads nothing; False: refused,
    and already handled."""
    return not isinstance(await _checked(lambda: True, owner_only=owner_only), Refused)


async def fetch(load: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T | Refused:
    """A read for a live refresh or a handler (`load` runs in a thread), for a still-valid session only (checked
    through SESSIONS: a read changes nothing, so a session a minute old at most, or newer than any admin change)."""
    return await _checked(lambda: load(*args, **kwargs), owner_only=False, cached=True)


async def attempt(work: Callable[[Session], T], *, owner_only: bool = False) -> T | Refused:
    """One domain action in its own transaction, for a still-valid session (and an owner when `owner_only`);
    its answer, or REFUSED when it did not run (a domain refusal is shown as a notification)."""
    try:
        return await _checked(lambda: db.in_transaction(work), owner_only=owner_only)
    except DomainError as exc:
        ui.notify(error_text(exc), type="negative")
        return REFUSED


async def carry_out(work: Callable[[], T], *, owner_only: bool = False) -> T | Refused:
    """Blocking work that runs its own transactions (a workspace sync: calls to ChatGPT between them) in a thread,
    for a still-valid session only; a domain refusal is shown as a notification."""
    try:
        return await _checked(work, owner_only=owner_only)
    except DomainError as exc:
        ui.notify(error_text(exc), type="negative")
        return REFUSED


async def act(work: Callable[[Session], object], success: str, *, owner_only: bool = False) -> bool:
    """`attempt`, saying `success` when the action ran."""
    if isinstance(await attempt(work, owner_only=owner_only), Refused):
        return False
    ui.notify(success, type="positive")
    return True


def live(refresh: Callable[[], Awaitable[object]], topics: Iterable[str]) -> Follower:
    """A live part of an admin page: `refresh` (which reads through `fetch`, so nothing is read for a session that
    ended) runs when the change feed names one of `topics` (at most once a second in a rush of changes), and
    every SAFETY_SECONDS for what moves by itself (time windows, job runs). An idle tab reads nothing."""
    return Follower(ui.context.client, topics, refresh, safety=SAFETY_SECONDS, min_gap=1.0)


def admin_look() -> None:
    """The admin's look (ADMIN_CSS) on this page: every admin page's, the sign-in page's too."""
    ui.query("body").classes("admin")
    ui.colors(primary=PRIMARY)
    ui.add_head_html(f"<style>{ADMIN_CSS}</style>")


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
    ui.context.client.storage[PAGE_ADMIN] = admin.id
    ui.query("body").classes("bg-slate-50")
    admin_look()
    drawer: ui.left_drawer  # made below the header, whose menu button toggles it
    with ui.header().classes("bg-slate-900 text-white items-center justify-between px-4 py-2"):
        with ui.row().classes("items-center gap-2"):
            ui.button(icon="menu", on_click=lambda: drawer.toggle()).props(
                'flat dense round color=white aria-label="Menu"'
            ).tooltip("Menu")  # (a phone shows a tooltip while the button is held)
            ui.label("AksesGPT admin").classes("text-lg font-bold")
        with ui.row().classes("items-center gap-3"):
            for extra in HEADER_EXTRAS:  # (pages/admin/sales.py: the new-sale notices and their chime switch)
                extra()
            ui.label(admin.email).classes("text-sm max-sm:hidden")
            language_switch()
            ui.button(say("Keluar", "Sign out"), on_click=sign_out).props("flat dense no-caps color=white").mark(
                "logout"
            )
    # open beside the page on a wide screen, closed on a phone (where it would cover the page until tapped away)
    with ui.left_drawer(value=None).classes("bg-white border-r").props("width=210 breakpoint=900") as drawer:
        for label, path, icon in NAV:
            word = nav_word(label)
            with ui.link(target=path).classes("no-underline text-slate-800 w-full").props(f'aria-label="{word}"'):
                with ui.row().classes("items-center gap-3 px-2 py-2 min-h-[44px] rounded hover:bg-slate-100 w-full"):
                    ui.icon(icon).classes("text-slate-500")
                    ui.label(word)
    with ui.column().classes("w-full p-4 gap-4"):
        ui.label(title_word(title)).classes("text-2xl font-bold")
        yield admin
