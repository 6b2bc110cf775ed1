"""Trust #5: an anonymous visitor gets no session and no server-side storage (with NICEGUI_REDIS_URL each one held
two Redis connections for a minute, and a language choice stayed in Redis for good); the language is a cookie;
NiceGUI's storage cleanup survives an error page."""

from __future__ import annotations

import httpx
from nicegui import app
from nicegui.app.app import prune_user_storage
from nicegui.testing import User


async def test_anonymous_views_get_no_session_and_no_storage(browser: httpx.AsyncClient) -> None:
    before = dict(app.storage._users)
    for path in ("/", "/?lang=en", "/terms", "/orders", "/no-such-page"):
        browser.cookies.clear()
        reply = await browser.get(path)
        assert "session" not in reply.cookies, path
    assert app.storage._users == before, "no user storage opened for an anonymous visitor"
    assert reply.status_code == 404


async def test_the_language_sticks_in_a_cookie_while_browsing(browser: httpx.AsyncClient) -> None:
    assert "Pilih paket" in (await browser.get("/")).text
    english = await browser.get("/?lang=en")
    assert "Choose a package" in english.text and english.cookies["lang"] == "en"
    assert "Find my order" in (await browser.get("/orders")).text
    assert "Pilih paket" in (await browser.get("/?lang=id")).text
    assert "Cek pesanan" in (await browser.get("/orders")).text
    browser.cookies.clear()  # the cookie is the only place the choice lives
    await browser.get("/?lang=en")
    browser.cookies.clear()
    assert "Pilih paket" in (await browser.get("/")).text


async def test_storage_cleanup_survives_a_missing_api_path(user: User, browser: httpx.AsyncClient) -> None:
    """NiceGUI's cleanup reads the session of every page it keeps; the error page it drew for /api/<missing>
    had none, so every run failed while that page lived (60 s), and one such request every 30 s stopped it."""
    before = set(app.storage._users)
    await user.open("/admin/login")  # an admin's session and its storage
    (session,) = set(app.storage._users) - before
    reply = await browser.get("/api/no-such-thing")
    assert reply.status_code == 404
    await prune_user_storage()  # as NiceGUI's timer runs it: no exception
    for client in list(user.client.instances.values()):
        client.delete()  # the pages are gone (NiceGUI deletes them 60 s after they were drawn)
    await prune_user_storage(force=True)
    assert session not in app.storage._users, "the storage of a session without pages is closed"
