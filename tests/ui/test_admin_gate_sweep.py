"""Trust #3, swept: on every admin page, every event handler (rows, buttons, filters, the dialogs they open) and
every timer, run after the admin's session ended, stops at the session check (pages/admin/frame.py `_checked`):
no read but the check's own, no write. Enumerated from the page itself, so a new handler cannot escape; and the
admin page modules reach the database only through frame's gate (fetch, attempt, act) and refresh through `live`.
"""

from __future__ import annotations

import ast
import asyncio
import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest
from nicegui import Client, background_tasks, events, ui
from nicegui.testing import User
from sqlmodel import Session, select

from domain.admin.admins import create_admin
from domain.catalog.pool import add_account
from domain.orders.orders import create_order, record_payment
from domain.shared.models import AdminUser, WorkspaceSeen
from infra import db
from infra.changes import announce
from pages import live
from pages.admin import frame
from pages.admin.sales import SALES
from tests.helpers import fingerprint
from tests.ui.test_open_admin_tabs import OWNER, sign_in

ROOT = Path(__file__).resolve().parents[2]
PAGES = [path for _, path, _ in frame.NAV] + ["/admin/orders/{code}", "/admin/accounts/{account}"]
PAGES += ["/admin/customers/c@example.com", "/admin/search?q=c@example.com"]  # the customer's page, search results
GATE = ("frame.py", "routes.py", "login.py")  # the gate itself, the page routes (after it), the sign-in
FORBIDDEN = {
    "io_bound": "read through frame.fetch, write through frame.act or frame.attempt",
    "in_transaction": "write through frame.act or frame.attempt",
    "timer": "refresh through frame.live (its callback reads through frame.fetch)",
}


def test_admin_page_modules_reach_the_database_only_through_the_gate() -> None:
    found = []
    for module in sorted((ROOT / "pages" / "admin").glob("*.py")):
        if module.name in GATE:
            continue
        for node in ast.walk(ast.parse(module.read_text())):
            name = node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else None
            if name in FORBIDDEN:
                found.append(f"{module.name}:{node.lineno} {name}: {FORBIDDEN[name]}")
    assert found == []


NICEGUI_BOOKKEEPING = {"selection"}  # a table's own selection state (values and pagination are "update:…")


def other_value(element: ui.element) -> Any:
    """A value the element does not hold now (None: leave it alone)."""
    if isinstance(element, ui.select | ui.toggle):
        options = list(element.options)
        return next((o for o in options if o != element.value), None)
    if isinstance(element, ui.number):
        return 2 if element.value == 1 else 1
    if isinstance(element, ui.checkbox | ui.switch):
        return not element.value
    if isinstance(element, ui.input | ui.textarea):
        return "sweep"
    return None


def row_args(element: ui.element) -> Any:
    return element.rows[0] if isinstance(element, ui.table) and element.rows else {}


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every database session opened, but the session check's own (by whom)."""
    seen: list[str] = []

    def counted(original: Callable[..., AbstractContextManager[Session]]) -> Callable[..., Any]:
        def open_session(*args: Any, **kwargs: Any) -> AbstractContextManager[Session]:
            caller = sys._getframe(1).f_code
            if caller is not frame._session_admin.__code__:
                seen.append(f"{caller.co_filename.rsplit('/', 1)[-1]}:{caller.co_name}")
            return original(*args, **kwargs)

        return open_session

    monkeypatch.setattr(db, "read_session", counted(db.read_session))
    monkeypatch.setattr(db, "write_session", counted(db.write_session))
    return seen


def listeners(element: ui.element) -> Iterator[tuple[str, Any]]:
    for listener in element._event_listeners.values():  # what the browser's events reach
        if not listener.type.startswith("update:") and listener.type not in NICEGUI_BOOKKEEPING:
            yield listener.id, listener.handler


def forever(task: asyncio.Task) -> bool:
    """NiceGUI's tasks that run as long as their client: the timers' loops (of any tab, the login page's too) and
    each client's outbox loop."""
    timers = {
        str(e.callback) for c in Client.instances.values() for e in c.elements.values() if isinstance(e, ui.timer)
    }
    return task.get_name() in timers or task.get_name().startswith("outbox loop ")


async def handlers_done(
    started_before: set[asyncio.Task], patience: float = 0.5, until: Callable[[], bool] = lambda: True
) -> None:
    """Wait until the handlers have finished (an async handler runs as a NiceGUI background task, and may start
    more) and `until()` holds, or `patience` has passed: a handler may wait on a dialog whose button the next round
    fires. (This waited 0.5 s after every round, during which the tabs' timers ticked as well.)"""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + patience
    while (left := deadline - loop.time()) > 0:
        running = [t for t in background_tasks.running_tasks - started_before if not t.done() and not forever(t)]
        if not running and until():
            break
        if running:
            await asyncio.wait(running, timeout=min(left, 0.05))
        else:
            await asyncio.sleep(min(left, 0.05))
    await asyncio.sleep(0)  # their done callbacks


@pytest.mark.parametrize("path", PAGES)
async def test_every_handler_and_timer_of_an_admin_page_stops_at_the_session_check(
    user: User, engine, path: str, reads: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def world(s: Session) -> tuple[str, int]:
        owner = create_admin(session=s, email=OWNER[0], password=OWNER[1])
        create_admin(session=s, email="staff@example.com", password="staff-password-1", role="staff")
        order, _ = create_order(
            session=s, product_slug="paket-30-hari", email="c@example.com", name="C", phone="081234567890"
        )
        record_payment(session=s, order_id=order.id or 0, amount_idr=order.amount_idr, actor="test")
        # an automated workspace whose page has every button: sync, the health marks, allow a stranger, edit
        workspace = add_account(
            session=s,
            actor="test",
            email="ws@example.com",
            delivery="INVITE",
            driver="chatgpt",
            workspace_id="ws-sweep",
            access_token="at-sweep",
        )
        workspace.health = "UNREACHABLE"  # both health marks are offered
        stranger = WorkspaceSeen(account_id=workspace.id or 0, email="x@example.com", kind="member", is_stranger=True)
        s.add(stranger)
        assert owner.id and workspace.id
        return order.code, workspace.id

    code, account = db.in_transaction(world)
    await sign_in(user, OWNER)
    await user.open(path.format(code=code, account=account))
    await user.should_see(marker="logout")
    client = user.client
    assert client is not None

    def disable(s: Session) -> None:
        owner = s.exec(select(AdminUser).where(AdminUser.email == OWNER[0])).one()
        owner.is_active = False
        s.add(owner)
        # (the app's own paths audit this, which announces the admin's change to every process's session cache)
        announce(session=s, topics=("admin", f"admin:{owner.id}"))

    refusals: list[str] = []
    monkeypatch.setattr(frame, "_end_page", lambda **_: refusals.append("ended"))  # stay on the page, keep going
    db.in_transaction(disable)
    before = fingerprint(db.get_engine())
    reads.clear()
    done: set[tuple[int, object]] = set()
    fired = 0
    started_before = set(background_tasks.running_tasks)  # the page's timers and NiceGUI's own
    for _round in range(3):  # handlers open dialogs whose buttons are fired in the next round
        with client:
            for element in list(client.elements.values()):
                if element.is_deleted:
                    continue
                for listener_id, handler in listeners(element):
                    if (element.id, listener_id) in done or handler is frame.sign_out:  # signing out reads nothing
                        continue
                    done.add((element.id, listener_id))
                    args = events.GenericEventArguments(sender=element, client=client, args=row_args(element))
                    events.handle_event(handler, args)
                    fired += 1
                if (element.id, "value") not in done and (value := other_value(element)) is not None:
                    done.add((element.id, "value"))
                    element.value = value  # its on_value_change handlers (filters) run
                    fired += 1
                if isinstance(element, ui.timer) and (element.id, "timer") not in done and element.callback:
                    done.add((element.id, "timer"))
                    with element.parent_slot or client.layout.default_slot:
                        result = element.callback()
                    if asyncio.iscoroutine(result):
                        await result
                    fired += 1
        await handlers_done(started_before)
    # what a change on the feed runs for this page: its live parts' refreshes, and a sale's notice (every page)
    for follower in list(live._followers.get(client, [])):  # noqa: SLF001
        with client:
            await follower.refresh()
        fired += 1
    await SALES._show(client, [])  # noqa: SLF001
    await handlers_done(started_before, until=lambda: bool(refusals), patience=1.5)
    assert fired >= 3, "the sweep found the page's handlers"
    assert reads == [], f"read or written after the session ended, past the check: {sorted(set(reads))}"
    assert refusals, "the handlers met the session check"
    assert fingerprint(db.get_engine()) == before
