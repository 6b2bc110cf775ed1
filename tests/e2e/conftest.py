"""End-to-end: Debian's Chromium driven by Playwright against the app and the payment simulator,
both started as subprocesses the way `make run` starts the app (fresh SQLite file, demo data)."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from infra import db
from tests.live import start_stack

ADMIN = ("owner@example.com", "e2e-owner-password")
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser") or ""
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_configure(config: pytest.Config) -> None:
    if not CHROMIUM:
        raise pytest.UsageError(
            "Chromium not found. Install it with `apt-get install chromium` (Debian/Ubuntu) or "
            "`.venv/bin/playwright install chromium`, or set CHROMIUM_PATH to a Chromium binary."
        )
    ARTIFACTS.mkdir(exist_ok=True)


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict:
    return {"executable_path": CHROMIUM, "args": CHROMIUM_FLAGS, "headless": True}


@contextmanager
def this_process_on(url: str) -> Iterator[None]:
    """Point this test process's engine at a module's own shop, and back at the session's shop afterwards
    (a module-scoped shop that left the engine on its database made later tests read the wrong shop)."""
    previous = db.get_engine().url.render_as_string(hide_password=False)
    db.configure(url)
    try:
        yield
    finally:
        db.configure(previous)


@pytest.fixture(scope="session")
def shop(tmp_path_factory: pytest.TempPathFactory):
    """The running shop with its demo data, and this test process's engine on its database."""
    folder = tmp_path_factory.mktemp("e2e")
    url = f"sqlite:///{folder / 'shop.db'}"
    stack = start_stack(
        url,
        folder,
        midtrans=False,
        extra_env={
            "DEMO_DATA": "1",
            "SUPPORT_CONTACT": "WhatsApp 0812-0000-0000",
            "ADMIN_EMAIL": ADMIN[0],
            "ADMIN_PASSWORD": ADMIN[1],
        },
    )
    db.configure(url)
    yield stack
    stack.stop()
    db.get_engine().dispose()


def place_order(
    base_url: str, email: str, package: str = "paket-30-hari", method: str = "QRIS", name: str = "Pembeli"
) -> dict:
    """An order placed through the order API, as a bot or integration would: its JSON answer."""
    response = httpx.post(
        f"{base_url}/api/orders",
        json={
            "customer_email": email,
            "package_id": package,
            "full_name": name,
            "phone_number": "081299990000",
            "payment_method": method,
        },
        timeout=30,
    )
    assert response.status_code == 201, response.text
    return response.json()


def pay_in_the_sandbox_tab(page: Page, landing: str | re.Pattern[str], shoot=None) -> None:
    """From an unpaid order page: open the simulator's checkout (a new tab), press "Bayar (Pay)", wait until that
    tab is back on the shop (`landing` shown there) and close it. The wait matters: closing a tab while its form
    post is redirecting hung Chromium for good (Target.closeTarget racing a navigation commit: page.close() never
    returned, and the browser suite ran until CI's limit)."""
    with page.context.expect_page() as opened:
        page.get_by_role("link", name=re.compile("Buka halaman pembayaran|Open the payment page")).click()
    checkout = opened.value
    expect(checkout.get_by_text("SANDBOX — simulasi pembayaran")).to_be_visible()
    if shoot is not None:
        shoot(checkout, "4-sandbox-checkout")
    checkout.get_by_role("button", name="Bayar (Pay)").click()
    expect(checkout).to_have_url(re.compile(r"/order/AG-"), timeout=15000)  # redirected back to the shop
    expect(checkout.get_by_text(landing).first).to_be_visible(timeout=15000)
    checkout.wait_for_load_state("load")
    checkout.close()


def sign_in(page: Page, base_url: str) -> Page:
    """Sign the owner in on the admin login page of the app at `base_url`; returns the page on the overview."""
    page.goto(f"{base_url}/admin/login")
    page.get_by_label("E-mail").fill(ADMIN[0])
    page.get_by_label("Kata sandi").fill(ADMIN[1])
    page.get_by_role("button", name="Masuk").click()
    expect(page.locator("main").get_by_text("Ringkasan").first).to_be_visible()  # (the menu is closed on a phone)
    return page


@pytest.fixture
def shoot(request: pytest.FixtureRequest):
    """Save a screenshot of the page under tests/e2e/artifacts/<test>-<step>.png."""

    def take(page, step: str) -> Path:
        path = ARTIFACTS / f"{request.node.name}-{step}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
