"""Signing in (trust #4 and #6): a new session id at sign-in, one-use tickets, two-factor sign-in with TOTP,
ADMIN_REQUIRE_2FA, and signing out on every device."""

from __future__ import annotations

import httpx
import pyotp
import pytest
from nicegui import app
from nicegui.testing import User
from sqlmodel import select

from domain.admin.admins import confirm_totp, create_admin, new_enrolment
from domain.shared.models import AdminUser, AuditLog
from infra import db
from pages.admin.session import issue_ticket

EMAIL, PASSWORD = "owner@example.com", "owner-password-123"


@pytest.fixture
def owner(engine) -> AdminUser:
    return db.in_transaction(lambda s: create_admin(session=s, email=EMAIL, password=PASSWORD))


def _session_cookie(user: User) -> str:
    return user.http_client.cookies.get("session") or ""


async def _password_step(user: User, password: str = PASSWORD) -> None:
    await user.open("/admin/login")
    user.find("admin-email").type(EMAIL)
    user.find("admin-password").type(password)
    user.find("login-submit").click()


def _stranger(user: User, cookie: str) -> httpx.AsyncClient:
    """Another browser, holding the cookie the attacker planted (or copied) before the sign-in."""
    transport = user.http_client._transport  # noqa: SLF001  the same app, in process
    return httpx.AsyncClient(transport=transport, base_url=str(user.http_client.base_url), cookies={"session": cookie})


async def test_signing_in_renews_the_session_id_so_a_planted_cookie_stays_signed_out(user: User, owner) -> None:
    await user.open("/admin/login")
    planted = _session_cookie(user)
    assert planted
    user.find("admin-email").type(EMAIL)
    user.find("admin-password").type(PASSWORD)
    user.find("login-submit").click()
    await user.should_see(marker="logout", retries=50)
    assert _session_cookie(user) not in ("", planted), "the browser got a new session id"
    async with _stranger(user, planted) as stranger:
        page = await stranger.get("/admin", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/admin/login")


async def test_a_ticket_works_once_only_in_its_own_session_and_not_forged(user: User, owner) -> None:
    await user.open("/admin/login")
    mine = _session_cookie(user)
    with user:
        ticket = issue_ticket(admin_id=owner.id, session_id=user.client.request.session["id"], second_factor=False)
    async with _stranger(user, "") as other:  # a browser with another session cannot use it
        refused = await other.get(f"/admin/session?ticket={ticket}", follow_redirects=False)
    assert refused.headers["location"].startswith("/admin/login?expired")
    tampered = ticket[:-2] + ("AA" if not ticket.endswith("AA") else "BB")
    bad = await user.http_client.get(f"/admin/session?ticket={tampered}", follow_redirects=False)
    assert bad.headers["location"].startswith("/admin/login?expired")
    good = await user.http_client.get(f"/admin/session?ticket={ticket}&next=/admin/orders", follow_redirects=False)
    assert good.status_code == 303 and good.headers["location"] == "/admin/orders"
    assert _session_cookie(user) != mine
    async with _stranger(user, mine) as replay:  # the same ticket again, from the session it was made for
        again = await replay.get(f"/admin/session?ticket={ticket}", follow_redirects=False)
    assert again.headers["location"].startswith("/admin/login?expired")


def _enrol(admin_id: int) -> tuple[pyotp.TOTP, list[str]]:
    enrolment = new_enrolment(email=EMAIL)
    totp = pyotp.TOTP(enrolment.secret)
    codes = db.in_transaction(
        lambda s: confirm_totp(session=s, admin_id=admin_id, secret=enrolment.secret, code=totp.now())
    )
    return totp, codes


async def test_an_admin_with_two_factor_needs_a_code_after_the_password(user: User, owner) -> None:
    _totp, codes = _enrol(owner.id)
    await _password_step(user)
    await user.should_see(marker="admin-code", retries=50)
    await user.should_not_see(marker="logout")
    user.find("admin-code").type("000000")
    user.find("code-submit").click()
    await user.should_see("Kode salah", retries=50)
    await user.should_not_see(marker="logout")
    user.find("admin-code").type(codes[3])  # a recovery code (the app's current code was used at enrolment)
    user.find("code-submit").click()
    await user.should_see(marker="logout", retries=50)
    with db.read_session() as s:
        assert s.exec(select(AuditLog).where(AuditLog.action == "admin.recovery_code_used")).first() is not None


async def test_the_shop_can_require_two_factor_and_an_admin_turns_it_on(user: User, owner, monkeypatch) -> None:
    await _password_step(user)
    await user.should_see(marker="logout", retries=50)
    monkeypatch.setattr(app.state.settings, "ADMIN_REQUIRE_2FA", True)
    await user.open("/admin/orders")
    await user.should_see(marker="totp-required", retries=50)  # sent to the security page instead
    await user.should_not_see(marker="order-search")
    user.find("totp-start").click()
    await user.should_see(marker="totp-secret", retries=50)
    secret = next(iter(user.find("totp-secret").elements)).text
    user.find("totp-code").type(pyotp.TOTP(secret).now())
    user.find("totp-confirm").click()
    await user.should_see(marker="recovery-code-list", retries=50)
    shown = next(iter(user.find("recovery-code-list").elements)).text.split()
    with db.read_session() as s:
        admin = s.get(AdminUser, owner.id)
        assert admin.totp_confirmed_at is not None and len(admin.recovery_codes) == len(shown) == 10
        assert secret not in admin.totp_secret_enc and not set(shown) & set(admin.recovery_codes)
    await user.open("/admin/orders")
    await user.should_see(marker="logout")
    await user.should_not_see(marker="totp-required")


async def test_signing_out_everywhere_ends_the_other_sessions(user: User, owner) -> None:
    await _password_step(user)
    await user.should_see(marker="logout", retries=50)
    current = _session_cookie(user)
    await user.open("/admin/security")
    user.find("sign-out-everywhere").click()
    await user.should_see(marker="login-submit", retries=50)
    async with _stranger(user, current) as elsewhere:  # the same session, as another tab or device holds it
        page = await elsewhere.get("/admin/orders", follow_redirects=True)
    assert "login-submit" in page.text or "Masuk" in page.text
