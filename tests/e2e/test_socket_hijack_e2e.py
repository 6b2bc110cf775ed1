"""Trust #3, the socket: a plain socket.io client that copies an open admin page's client id, element id and
listener id (everything a page shows its own browser, tab id included) cannot fire the page's handlers, with
no cookie or with another browser's valid cookie, with or without a handshake. The page's own socket still can."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import socketio
from playwright.sync_api import Page, expect
from sqlmodel import select

from domain.admin.admins import create_admin
from domain.shared.models import AdminUser, AuditLog
from infra import db
from tests.e2e.conftest import ADMIN, sign_in

TARGET = "hijack-target@example.com"
SOCKET_PATH = "/_nicegui_ws/socket.io"


def target_state() -> tuple[bool, list[str]]:
    """Whether the target admin is still enabled, and who disabled or enabled it (the audit's actors)."""
    with db.read_session() as s:
        target = s.exec(select(AdminUser).where(AdminUser.email == TARGET)).one()
        actors = [
            e.actor
            for e in s.exec(select(AuditLog).where(AuditLog.entity == "admin", AuditLog.entity_id == target.id))
            if e.action in ("admin.disable", "admin.enable")
        ]
    return target.is_active, actors


@pytest.fixture
def target(shop) -> Iterator[int]:
    def work(s) -> int:
        existing = s.exec(select(AdminUser).where(AdminUser.email == TARGET)).first()
        admin = existing or create_admin(session=s, email=TARGET, password="target-password-1", role="staff")
        admin.is_active = True
        s.add(admin)
        s.flush()
        return admin.id

    yield db.in_transaction(work)


def page_handles(page: Page) -> dict[str, Any]:
    """What the open page tells its own browser: its client and tab ids, and the users table's toggle listener."""
    return page.evaluate(
        """(email) => {
            const [id, table] = Object.entries(mounted_app.elements)
                .find(([, e]) => (e.events || []).some((ev) => ev.type === "toggle"));
            const listener = table.events.find((ev) => ev.type === "toggle").listener_id;
            const row = table.props.rows.find((r) => r.email === email);
            return {client_id: window.clientId, tab_id: sessionStorage.__nicegui_tab_id, id: Number(id),
                    listener_id: listener, row};
        }""",
        TARGET,
    )


def forged_event(handles: dict[str, Any]) -> dict[str, Any]:
    """The message the page's own script sends when the target's "Nonaktifkan" button is clicked."""
    return {
        "id": handles["id"],
        "client_id": handles["client_id"],
        "listener_id": handles["listener_id"],
        "args": [json.dumps(handles["row"])],
    }


def forger(url: str, *, query: dict[str, str] | None = None, cookie: str | None = None) -> socketio.Client | None:
    """A socket.io client with only what it was given; None when the server refused the connection."""
    client = socketio.Client(reconnection=False)
    target = url + ("/?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")
    try:
        client.connect(
            target,
            socketio_path=SOCKET_PATH,
            transports=["websocket"],
            headers={"Cookie": cookie} if cookie else {},
            wait_timeout=10,
        )
    except socketio.exceptions.ConnectionError:
        return None
    return client


def fire(client: socketio.Client | None, message: dict[str, Any], handshake: dict[str, Any] | None = None) -> Any:
    if client is None:
        return "refused at connect"
    answer = client.call("handshake", handshake, timeout=10) if handshake else None
    client.emit("event", message)
    time.sleep(1.0)  # a handler that ran has committed by now
    client.disconnect()
    return answer


def test_a_plain_socket_copying_an_admin_page_cannot_fire_its_handlers(shop, page: Page, target: int) -> None:
    sign_in(page, shop.app_url)
    page.goto(f"{shop.app_url}/admin/users")
    expect(page.get_by_text(TARGET)).to_be_visible()
    _, earlier = target_state()
    handles = page_handles(page)
    assert handles["row"]["id"] == target and handles["row"]["is_active"] is True
    message = forged_event(handles)
    query = {
        "client_id": handles["client_id"],
        "tab_id": handles["tab_id"],
        "document_id": "forged-document",
        "implicit_handshake": "true",
    }
    handshake = {k: v for k, v in query.items() if k != "implicit_handshake"}
    # the admin area gives any visitor a session (the shop pages give anonymous visitors none)
    strangers_cookie = "; ".join(f"{k}={v}" for k, v in httpx.get(f"{shop.app_url}/admin/login").cookies.items())
    assert strangers_cookie.startswith("session="), "a stranger gets a valid session of its own"

    attempts = {
        "no handshake, no cookie": fire(forger(shop.app_url), message),
        "the page's handshake, no cookie": fire(forger(shop.app_url), message, handshake),
        "the page's query (implicit handshake), no cookie": fire(forger(shop.app_url, query=query), message),
        "the page's query, a stranger's valid cookie": fire(
            forger(shop.app_url, query=query, cookie=strangers_cookie), message
        ),
        "the page's handshake, a stranger's valid cookie": fire(
            forger(shop.app_url, cookie=strangers_cookie), message, handshake
        ),
    }
    active, actors = target_state()
    assert active and actors == earlier, f"a forged event disabled the admin (as {actors}); answers: {attempts}"
    assert attempts["the page's handshake, no cookie"] is False
    assert attempts["the page's query (implicit handshake), no cookie"] == "refused at connect"

    # the same message on the page's own socket runs: the forgeries above were well-formed
    page.evaluate("message => window.socket.emit('event', message)", message)
    deadline = time.monotonic() + 10
    while target_state()[0] and time.monotonic() < deadline:
        time.sleep(0.1)
    assert target_state() == (False, [*earlier, f"admin:{ADMIN[0]}"])
    expect(page.get_by_text("Disimpan")).to_be_visible()  # the page still works for its own browser
