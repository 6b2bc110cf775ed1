"""Trust #3, the socket, without a browser (tests/e2e/test_socket_hijack_e2e.py drives a real one): NiceGUI's
socket handlers are wrapped by pages/socket_binding.py, an event on a socket that did not join the page is
dropped where NiceGUI alone would run it, and an upload to a page's element needs that page's browser."""

from __future__ import annotations

import asyncio
import inspect
import json

import pytest
from nicegui import __version__, core, ui
from nicegui.testing import User
from sqlmodel import Session, select

from domain.admin.admins import create_admin
from domain.shared.models import AdminUser, AuditLog
from infra import db
from pages import socket_binding
from tests.helpers import fingerprint
from tests.ui.test_open_admin_tabs import OWNER, sign_in

TARGET = "target@example.com"


def test_the_binding_wraps_the_socket_handlers_of_the_nicegui_it_was_written_for(user: User) -> None:
    """Fails when NiceGUI changes underneath: a new version, or handlers no longer NiceGUI's own module's."""
    assert __version__ == socket_binding.REVIEWED, "re-read nicegui/nicegui.py's socket handlers, then update"
    handlers = core.sio.handlers["/"]
    for name in socket_binding.WRAPPED:
        assert handlers[name].__module__ == "pages.socket_binding", f"{name} is not wrapped"
        assert socket_binding._originals[name].__module__ == "nicegui.nicegui", name
        assert socket_binding._originals[name].__name__ == f"_on_{name}", name
    socket_binding.install()  # wire() runs again in one process (NiceGUI's test harness): once is enough
    assert all(core.sio.handlers["/"][name] is handlers[name] for name in socket_binding.WRAPPED)


@pytest.fixture
def target(engine) -> int:
    def work(s: Session) -> int:
        create_admin(session=s, email=OWNER[0], password=OWNER[1])
        return create_admin(session=s, email=TARGET, password="target-password-1", role="staff").id or 0

    return db.in_transaction(work)


def is_active(admin_id: int) -> bool:
    with db.read_session() as s:
        admin = s.get(AdminUser, admin_id)
        assert admin is not None
        return admin.is_active


async def test_an_event_from_a_socket_that_did_not_join_the_page_is_dropped(user: User, target: int) -> None:
    await sign_in(user, OWNER)
    await user.open("/admin/users")
    table = next(iter(user.find("users-table").elements))
    listener = next(li.id for li in table._event_listeners.values() if li.type == "toggle")
    row = next(r for r in table.rows if r["id"] == target)
    assert user.client is not None
    message = {"id": table.id, "client_id": user.client.id, "listener_id": listener, "args": [json.dumps(row)]}
    before = fingerprint(db.get_engine())

    answer = core.sio.handlers["/"]["event"]("a-socket-of-someone-else", dict(message))
    if inspect.isawaitable(answer):
        await answer
    await asyncio.sleep(0.5)
    assert is_active(target) and fingerprint(db.get_engine()) == before

    # what NiceGUI 3.18 still does on its own: the same message from any socket runs the owner's button
    socket_binding._originals["event"]("a-socket-of-someone-else", dict(message))
    for _ in range(50):
        if not is_active(target):
            break
        await asyncio.sleep(0.1)
    assert not is_active(target)
    with db.read_session() as s:
        assert s.exec(select(AuditLog.actor).where(AuditLog.action == "admin.disable")).one() == f"admin:{OWNER[0]}"


async def test_a_handshake_without_the_pages_browser_is_refused(user: User, target: int) -> None:
    await sign_in(user, OWNER)
    await user.open("/admin/users")
    assert user.client is not None
    query = {"client_id": user.client.id, "tab_id": user.tab_id, "document_id": "forged"}
    assert await core.sio.handlers["/"]["handshake"]("a-socket-of-someone-else", query) is False


async def test_an_upload_to_a_pages_element_needs_that_pages_browser(user: User, target: int) -> None:
    await sign_in(user, OWNER)
    await user.open("/admin/accounts")
    user.find("Impor CSV").click()
    upload = next(iter(user.find(ui.upload).elements))
    text = next(iter(user.find("csv-text").elements))
    url = upload.props["url"]
    planted = {"file": ("accounts.csv", b"email,password\nplanted@example.com,pw-planted\n", "text/csv")}

    own = dict(user.http_client.cookies)
    user.http_client.cookies.clear()  # a stranger: no cookie (it gets a session of its own)
    refused = await user.http_client.post(url, files=planted)
    user.http_client.cookies.clear()
    user.http_client.cookies.update(own)
    assert refused.status_code == 403
    await asyncio.sleep(0.2)
    assert not text.value

    accepted = await user.http_client.post(url, files=planted)  # the page's own browser
    assert accepted.status_code == 200
    for _ in range(20):
        if text.value:
            break
        await asyncio.sleep(0.1)
    assert "planted@example.com" in text.value
