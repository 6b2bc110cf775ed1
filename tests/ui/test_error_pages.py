"""Trust #8 (pages): the shop's own 404 and 500 pages, in Indonesian and English, show nothing internal (NiceGUI's
showed "HTTPException: 404: Not Found", and for a failing page the exception: SQL, host, port, role); the machines
keep their JSON errors."""

from __future__ import annotations

import httpx
import pytest

from infra import db
from tests.live import free_port

LEAKS = ("OperationalError", "psycopg", "sqlalchemy", "Traceback", "HTTPException", "Not Found")


async def test_an_unknown_path_shows_the_branded_404_in_indonesian_and_english(browser: httpx.AsyncClient) -> None:
    reply = await browser.get("/no-such-page")
    assert reply.status_code == 404
    assert "Halaman tidak ditemukan" in reply.text and "Kembali ke beranda" in reply.text
    assert 'href=\\"/\\"' in reply.text or 'href="/"' in reply.text, "a way home"
    assert "AksesGPT" in reply.text and "shop-header" in reply.text, "in the shop's frame"
    for leak in LEAKS:
        assert leak not in reply.text, leak

    english = await browser.get("/no-such-page/either?lang=en")
    assert english.status_code == 404
    assert "Page not found" in english.text and "Back to the home page" in english.text
    again = await browser.get("/still-missing")  # the choice sticks (the lang cookie)
    assert "Page not found" in again.text


async def test_the_machines_keep_their_json_404(browser: httpx.AsyncClient) -> None:
    for path in ("/api/no-such-thing", "/callback/no-such-gateway"):
        reply = await browser.get(path)
        assert reply.status_code == 404 and reply.json() == {"detail": "Not Found"}, path


@pytest.mark.parametrize("lang", ["id", "en"])
async def test_a_page_that_fails_shows_the_branded_500_and_no_internals(
    browser: httpx.AsyncClient, caplog: pytest.LogCaptureFixture, lang: str
) -> None:
    port = free_port()  # nothing listens there: the database is down
    db.configure(f"postgresql+psycopg://leakyrole@127.0.0.1:{port}/leakydb", connect_args={"connect_timeout": 1})
    reply = await browser.get(f"/checkout/paket-30-hari?lang={lang}")
    assert reply.status_code == 500
    title, back = ("Terjadi gangguan", "Kembali ke beranda") if lang == "id" else ("Something went wrong", "Back")
    assert title in reply.text and back in reply.text
    for leak in (*LEAKS, "leakyrole", "leakydb", str(port), "127.0.0.1"):
        assert leak not in reply.text, leak
    incident = [r for r in caplog.records if r.getMessage().startswith("page error incident=")]
    assert len(incident) == 1 and incident[0].exc_info, "the log has the traceback"
    assert incident[0].getMessage().split()[2].split("=")[1] in reply.text, "the page shows the incident code"
    caplog.clear()  # the error was expected (the user fixture fails a test that logged one)
