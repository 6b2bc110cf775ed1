"""Trust #3: an admin tab already open when its session ends (the admin disabled, locked out, its password reset,
signed out everywhere) does nothing more. Its actions are refused with nothing changed, its live tables stop
reading, and the tab goes to the login page; a tab drawn for one admin does not act for another signed in
since in the same browser; owners' actions stay owners'."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from nicegui import app, ui
from nicegui.testing import User
from sqlmodel import Session, select

from domain.admin.admins import create_admin, reset_admin_password, sign_out_everywhere
from domain.orders.orders import create_order
from domain.shared.models import AdminApiToken, AdminUser, AuditLog, ChatGPTAccount
from infra import db
from infra.changes import announce
from infra.types import utcnow
from pages.admin import frame
from tests.helpers import fingerprint

OWNER = ("owner@example.com", "owner-password-123")
STAFF = ("staff@example.com", "staff-password-123")
ENDINGS = ["disabled", "locked out", "password reset", "signed out everywhere"]


@pytest.fixture
def admins(engine) -> dict[str, int]:
    def work(s: Session) -> dict[str, int]:
        owner = create_admin(session=s, email=OWNER[0], password=OWNER[1])
        staff = create_admin(session=s, email=STAFF[0], password=STAFF[1], role="staff")
        return {"owner": owner.id or 0, "staff": staff.id or 0}

    return db.in_transaction(work)


async def signed_in_tab(tab: User, admin_id: int, email: str, role: str = "staff") -> None:
    """Another browser of an admin already signed in (the sign-in form itself is tested above): its session names
    the admin, as /admin/session writes it; then the overview."""
    await tab.open("/admin/login")
    with tab:
        app.storage.user["admin"] = {"id": admin_id, "email": email, "role": role, "since": utcnow().isoformat()}
    await tab.open("/admin")
    await tab.should_see(marker="logout", retries=50)


async def sign_in(user: User, who: tuple[str, str]) -> None:
    await user.open("/admin/login")
    user.find("admin-email").type(who[0])
    user.find("admin-password").type(who[1])
    user.find("login-submit").click()
    await user.should_see(marker="logout", retries=50)


def end_session(how: str, admins: dict[str, int]) -> None:
    """What ends the staff admin's sessions, done elsewhere (another owner's tab, the CLI, another device)."""

    def work(s: Session) -> None:
        if how == "password reset":
            reset_admin_password(session=s, actor_id=admins["owner"], admin_id=admins["staff"], password="new-pass-123")
            return
        if how == "signed out everywhere":
            sign_out_everywhere(session=s, admin_id=admins["staff"])
            return
        staff = s.get(AdminUser, admins["staff"])
        assert staff is not None
        if how == "disabled":
            staff.is_active = False
        else:
            staff.locked_until = utcnow() + timedelta(minutes=15)
        s.add(staff)
        # (written here without the audit entry the app's own paths write, which announces the admin's change)
        announce(session=s, topics=("admin", f"admin:{staff.id}"))

    db.in_transaction(work)


def table_of(user: User, marker: str) -> ui.table:
    return next(iter(user.find(marker).elements))


def audit_actions() -> list[str]:
    with db.read_session() as s:
        return [e.action for e in s.exec(select(AuditLog))]


async def settled(user: User) -> None:
    """Wait until the tab reached the login page (refused), or five seconds (the action ran meanwhile)."""
    try:
        await user.should_see(marker="login-submit", retries=50)
    except AssertionError:
        pass


async def sent_to_login(user: User) -> None:
    await user.should_see(marker="login-submit", retries=50)
    await user.should_not_see(marker="logout")


@pytest.mark.parametrize("how", ENDINGS)
async def test_reveal_password_in_an_open_tab_is_refused_after_the_session_ended(user: User, admins, how) -> None:
    await sign_in(user, STAFF)
    await user.open("/admin/accounts")
    table = table_of(user, "accounts-table")
    row = table.rows[0]
    user.find("accounts-table").trigger("reveal", row)  # the dialog opens while the session still holds
    await user.should_see(marker="reveal-yes")
    end_session(how, admins)
    before = fingerprint(db.get_engine())
    user.find("reveal-yes").click()
    await settled(user)
    assert "account.reveal_password" not in audit_actions(), "the password was revealed"
    assert fingerprint(db.get_engine()) == before
    await sent_to_login(user)
    await user.should_not_see(marker="revealed")


@pytest.mark.parametrize("how", ENDINGS)
async def test_import_in_an_open_tab_is_refused_after_the_session_ended(user: User, admins, how) -> None:
    await sign_in(user, STAFF)
    await user.open("/admin/accounts")
    user.find("Impor CSV").click()
    user.find("csv-text").type("email,password,pool,delivery,max_seats,note\nsmuggled@example.com,pw-x,default,,,\n")
    end_session(how, admins)
    before = fingerprint(db.get_engine())
    user.find("csv-import").click()
    await settled(user)
    with db.read_session() as s:
        assert s.exec(select(ChatGPTAccount).where(ChatGPTAccount.email == "smuggled@example.com")).first() is None
    assert fingerprint(db.get_engine()) == before
    await sent_to_login(user)


@pytest.mark.parametrize("how", ENDINGS)
async def test_a_new_api_token_in_an_open_tab_is_refused_after_the_session_ended(user: User, admins, how) -> None:
    await sign_in(user, STAFF)
    await user.open("/admin/users")
    await user.should_see("Buat token")
    user.find("Nama token (dipakai untuk apa)").type("bot")
    end_session(how, admins)
    before = fingerprint(db.get_engine())
    user.find("Buat token").click()
    await settled(user)
    with db.read_session() as s:
        assert s.exec(select(AdminApiToken)).first() is None, "the ended session made a token"
    assert fingerprint(db.get_engine()) == before
    await sent_to_login(user)
    await user.should_not_see(marker="new-token")


def new_order(email: str) -> str:
    def work(s: Session) -> str:
        order, _ = create_order(
            session=s, product_slug="paket-30-hari", email=email, name="Pembeli", phone="081234567890"
        )
        return order.code

    return db.in_transaction(work)


async def test_the_live_orders_table_stops_reading_once_the_session_ended(user: User, admins) -> None:
    await sign_in(user, STAFF)
    await user.open("/admin/orders")
    table = table_of(user, "orders-table")
    first = new_order("first@example.com")
    for _ in range(50):  # live: a new order shows within a refresh or two
        if first in {r["code"] for r in table.rows}:
            break
        await asyncio.sleep(0.1)
    assert first in {r["code"] for r in table.rows}
    end_session("locked out", admins)
    second = new_order("second@example.com")
    await asyncio.sleep(1.5)  # the change reaches the tab, which checks its session before reading
    assert second not in {r["code"] for r in table.rows}, "the ended tab kept receiving new orders"
    await sent_to_login(user)  # the first refresh after the end found it


async def test_the_live_overview_stops_reading_once_the_session_ended(user: User, admins) -> None:
    from pages.admin.overview import SHARED

    await sign_in(user, STAFF)
    await user.should_see(marker="gauge-utilisation")
    for _ in range(30):
        if SHARED.boards:
            break
        await asyncio.sleep(0.1)
    assert SHARED.boards, "the open overview follows the shared one"
    computed = SHARED.computed
    new_order("first@example.com")
    for _ in range(30):  # a change computes the overview again for the open tab
        if SHARED.computed > computed:
            break
        await asyncio.sleep(0.1)
    assert SHARED.computed > computed, "a change reaches the open overview"
    end_session("disabled", admins)
    new_order("second@example.com")  # computed once more; the tab's session no longer holds: it leaves
    await sent_to_login(user)
    seen = SHARED.computed
    new_order("third@example.com")
    await asyncio.sleep(1.0)
    assert not SHARED.boards and SHARED.computed == seen, "the ended overview kept reading the database"


async def test_a_tab_drawn_for_one_admin_does_not_act_for_another_signed_in_since(user: User, admins) -> None:
    """Same browser: the staff admin's tab is open, then the owner signs in (another tab). The staff tab's
    buttons must not run as the staff admin on the owner's session, nor end the owner's session."""
    await sign_in(user, STAFF)
    await user.open("/admin/users")
    await user.should_see("Buat token")
    user.find("Nama token (dipakai untuk apa)").type("bot")
    with user:
        owner_session = {"id": admins["owner"], "email": OWNER[0], "role": "owner", "since": utcnow().isoformat()}
        app.storage.user["admin"] = owner_session
    before = fingerprint(db.get_engine())
    user.find("Buat token").click()
    await settled(user)
    with db.read_session() as s:
        assert s.exec(select(AdminApiToken)).first() is None, "the staff tab made a token on the owner's session"
    assert fingerprint(db.get_engine()) == before
    await sent_to_login(user)
    with user:
        assert app.storage.user.get("admin") == owner_session, "the other admin's session was ended"


@pytest.mark.parametrize("demoted", [False, True])
async def test_only_an_owner_disables_an_admin_even_from_a_tab_drawn_for_an_owner(
    user: User, admins, demoted: bool
) -> None:
    """Staff see the admins page but its actions are the owners'; an owner demoted while the tab is open too."""

    def work(s: Session) -> None:
        target = create_admin(session=s, email="third@example.com", password="third-password-1", role="staff")
        assert target.id

    db.in_transaction(work)
    await sign_in(user, OWNER if demoted else STAFF)
    await user.open("/admin/users")
    table = table_of(user, "users-table")
    row = next(r for r in table.rows if r["email"] == "third@example.com")
    if demoted:
        set_role(admins["owner"], "staff")
    before = fingerprint(db.get_engine())
    user.find("users-table").trigger("toggle", row)
    await user.should_see(frame.OWNER_ONLY)
    assert fingerprint(db.get_engine()) == before
    await user.should_see(marker="logout")  # a staff session is still a session: the tab stays


def set_role(admin_id: int, role: str) -> None:
    def work(s: Session) -> None:
        admin = s.get(AdminUser, admin_id)
        assert admin is not None
        admin.role = role
        s.add(admin)

    db.in_transaction(work)
