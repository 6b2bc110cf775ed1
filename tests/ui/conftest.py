"""UI tests run main.py (as `make run` does) against this test's fresh database, with the payment
simulator running as a real HTTP server for the checkout's gateway calls."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator

import httpx
import pytest
from nicegui import app
from nicegui.testing import User

from infra.settings import get_settings
from tests.live import base_env, free_port, start

NICEGUI_LIFESPAN = app.router.lifespan_context  # NiceGUI's own, before any test wired main.py

_SHOULD_SEE = User.should_see
PATIENCE = 30  # tries, 0.1 s apart


async def _patient_should_see(self: User, target=None, *, retries: int = PATIENCE, **filters) -> None:  # type: ignore[no-untyped-def]
    """`user.should_see` waiting up to 3 s by default instead of NiceGUI's 0.3 s: most pages here draw what they read
    in a thread (`io_bound`), and with four test processes on two cores 0.3 s was sometimes not enough for an
    order's page to arrive (it was there a moment later, in the failure's own dump). Only a failure waits longer."""
    await _SHOULD_SEE(self, target, retries=retries, **filters)


User.should_see = _patient_should_see  # type: ignore[method-assign]


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory: pytest.TempPathFactory):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    credentials = {
        "TRIPAY_MERCHANT_CODE": "T0001",
        "TRIPAY_API_KEY": "DEV-" + secrets.token_hex(8),
        "TRIPAY_PRIVATE_KEY": secrets.token_hex(16),
        "TRIPAY_BASE_URL": f"{url}/api-sandbox/",
    }
    process = start(
        "ui-sandbox",
        ["-m", "integrations.sandbox", "--port", str(port)],
        base_env(**credentials),
        f"{url}/_control/health",
        tmp_path_factory.mktemp("ui-sandbox"),
    )
    yield credentials
    process.stop()


@pytest.fixture(autouse=True)
def app_database(db_url: str, sandbox: dict[str, str], monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("DEMO_DATA", "1")
    # the UI tests' demo shop is the classic one: no ChatGPT simulator mounted, so no demo workspace (tests of the
    # workspace pages start the simulator themselves); nothing listens here
    monkeypatch.setenv("CHATGPT_API_BASE", "http://127.0.0.1:9/backend-api")
    for name, value in sandbox.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    yield db_url
    get_settings.cache_clear()


@pytest.fixture(autouse=True)
def one_lifespan():
    """The harness runs main.py's wire() again for every test, and FastAPI wraps the app's lifespan once more at
    each include_router (seven per wire): after about seventy tests in one process, starting the app recursed
    too deep (RecursionError in NiceGUI's start-up). Each test starts from NiceGUI's own lifespan; the routers
    main.py includes have none of their own (no on_startup, no lifespan)."""
    app.router.lifespan_context = NICEGUI_LIFESPAN
    yield


@pytest.fixture
async def browser(user: User) -> AsyncIterator[httpx.AsyncClient]:
    """The app over HTTP as a browser sees it (cookies kept): a 500 is an answer, not an exception in the test."""
    transport = httpx.ASGITransport(app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client
