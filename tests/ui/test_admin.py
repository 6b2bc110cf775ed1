"""The admin dashboard through NiceGUI's simulated user: login, lockout, every page, dialogs, CSV import."""

from __future__ import annotations

import asyncio

import pytest
from nicegui.testing import User
from sqlmodel import select

from domain.admin.admins import create_admin
from domain.orders.orders import create_order, record_payment
from domain.shared.models import AccountAssignment, AdminUser, AuditLog, ChatGPTAccount
from infra import db
from pages.admin.frame import NAV

EMAIL, PASSWORD = "owner@example.com", "owner-password-123"
PATHS = [path for _, path, _ in NAV] + ["/admin/orders/AG-UNKNOWN", "/admin/accounts/1"]


@pytest.fixture
def owner(engine) -> AdminUser:
    return db.in_transaction(lambda s: create_admin(session=s, email=EMAIL, password=PASSWORD))


async def _login(user: User, password: str = PASSWORD, *, succeeds: bool = True) -> None:
    await user.open("/admin/login")
    user.find("admin-email").type(EMAIL)
    user.find("admin-password").type(password)
    user.find("login-submit").click()
    if password == PASSWORD and succeeds:
        await user.should_see(marker="logout", retries=50)


def _rows(user: User, marker: str) -> list[dict]:
    return next(iter(user.find(marker).elements)).rows


def _paid_order(email: str = "cust@example.com") -> int:
    def work(s):
        order, _ = create_order(session=s, product_slug="paket-30-hari", email=email, name="Cust", phone="081234567890")
        return record_payment(session=s, order_id=order.id, amount_idr=order.amount_idr, actor="test").assignment.id

    return db.in_transaction(work)


@pytest.mark.parametrize("path", PATHS)
async def test_every_admin_path_goes_to_login_without_a_session(user: User, path: str) -> None:
    await user.open(path)
    await user.should_see("AksesGPT admin")
    await user.should_see(marker="login-submit")
    await user.should_not_see(marker="logout")


async def test_login_then_every_page_renders_with_data(user: User, owner) -> None:
    _paid_order()
    await _login(user)
    await user.should_see(marker="gauge-utilisation")
    await user.should_see(marker="invariants-ok", retries=60)
    for _label, path, _ in NAV:
        await user.open(path)
        await user.should_see(marker="logout")
    await user.open("/admin/assignments")
    assert [r["customer_email"] for r in _rows(user, "assignments-table")] == ["cust@example.com"]
    await user.open("/admin/accounts")
    assert "demo-1@demo.aksesgpt.invalid" in {r["email"] for r in _rows(user, "accounts-table")}
    await user.open("/admin/audit")
    assert "Kursi diberikan" in {r["action"] for r in _rows(user, "audit-table")}  # the action in words


async def test_a_failed_invariant_check_is_shown_and_not_retried_at_once(user: User, owner, monkeypatch) -> None:
    from pages.admin import overview

    calls: list[int] = []

    def failing() -> list[str]:
        calls.append(1)
        raise RuntimeError("database unavailable")

    monkeypatch.setattr(overview, "load_violations", failing)
    await _login(user)
    await user.should_see(marker="invariants-failed", retries=60)
    await user.should_see(marker="gauge-utilisation")  # the rest of the overview still shows
    await asyncio.sleep(2)  # four polls later: tried again at the next interval (30 s), not at every poll
    assert len(calls) == 1


async def test_wrong_password_and_unknown_email_read_the_same_and_five_make_this_address_wait(
    user: User, owner
) -> None:
    """Trust #6: five failures used to lock the account (its sessions ended, the right password refused from
    anywhere); now this address waits, growing with more failures, and nothing else changes."""
    await _login(user, "wrong-password")
    await user.should_see("E-mail atau kata sandi salah", retries=50)
    for _ in range(4):
        await _login(user, "wrong-password")
        await user.should_see("E-mail atau kata sandi salah", retries=50)
    await _login(user, succeeds=False)  # the right password, but this address must wait now
    await user.should_see("Terlalu banyak percobaan masuk", retries=50)
    await user.should_not_see(marker="logout")
    with db.read_session() as s:
        assert s.get(AdminUser, owner.id).locked_until is None, "the account itself is not locked"


async def test_extend_and_revoke_through_the_dialogs_are_audited(user: User, owner) -> None:
    seat_id = _paid_order()
    other = _paid_order("second@example.com")
    await _login(user)
    await user.open("/admin/assignments")
    await user.should_see(marker="assignments-table")
    table = user.find("assignments-table")
    rows = {r["id"]: r for r in next(iter(table.elements)).rows}
    table.trigger("extend", rows[seat_id])  # the row's extend button emits this
    user.find("extend-days").clear().type("10")
    await user.should_see("Berakhir baru")
    user.find("extend-save").click()
    await user.should_see("Diperpanjang")
    table.trigger("revoke", rows[other])
    user.find("revoke-save").click()  # without the confirmation box: refused
    await user.should_see("Centang konfirmasi dulu")
    user.find("revoke-reason").type("berbagi login")
    user.find("revoke-confirm").click()
    user.find("revoke-save").click()
    await user.should_see("Dicabut")
    with db.read_session() as s:
        extended = s.exec(select(AuditLog).where(AuditLog.action == "assignment.extend")).one()
        revoked = s.exec(select(AuditLog).where(AuditLog.action == "assignment.revoke")).one()
        seat = s.get(AccountAssignment, other)
    assert extended.actor == f"admin:{EMAIL}" and extended.details["days"] == 10
    assert revoked.details["after"]["end_reason"] == "berbagi login" and seat.status == "REVOKED"


async def test_csv_import_previews_a_bad_row_then_imports_the_good_ones(user: User, owner) -> None:
    await _login(user)
    await user.open("/admin/accounts")
    await user.should_see("Impor CSV")
    user.find("Impor CSV").click()
    user.find("csv-text").type(
        "email,password,pool,delivery,max_seats,note\n"
        "fresh@example.com,pw-fresh,default,CREDENTIALS,3,ok\n"
        "broken,pw,default,CREDENTIALS,,\n"
    )
    user.find("csv-preview").click()
    await user.should_see("Akan diimpor: 1 · baris bermasalah: 1")
    await user.should_see("baris 3: broken — 'broken' bukan alamat e-mail yang sah")  # the refusal in words
    with db.read_session() as s:
        assert s.exec(select(ChatGPTAccount).where(ChatGPTAccount.email == "fresh@example.com")).first() is None
    user.find("csv-import").click()
    await user.should_see("Diimpor: 1 · baris bermasalah: 1")
    with db.read_session() as s:
        assert s.exec(select(ChatGPTAccount).where(ChatGPTAccount.email == "fresh@example.com")).one().max_seats == 3


async def test_assignments_can_be_narrowed_to_one_account(user: User, owner) -> None:
    first = _paid_order("one@example.com")
    _paid_order("two@example.com")
    with db.read_session() as s:
        account_id = s.get(AccountAssignment, first).chatgpt_account_id
    await _login(user)
    await user.open(f"/admin/assignments?account_id={account_id}")
    await user.should_see(marker="account-filter")
    assert [r["customer_email"] for r in _rows(user, "assignments-table")] == ["one@example.com"]


async def test_the_overview_shows_each_alert_condition_while_it_lasts(user: User, owner) -> None:
    from datetime import timedelta

    import sqlalchemy as sa
    from sqlalchemy.exc import OperationalError

    from domain.shared.models import EventOutcome, PaymentEvent
    from infra import db_errors
    from infra.types import utcnow
    from runtime.jobs import Job, watch_jobs, watch_operations, watch_pool
    from tests.live import free_port

    watch_pool(100)  # the demo shop has 14 seats
    with db.write_session() as s:
        for n in range(5):
            s.add(
                PaymentEvent(provider="tripay", event_key=f"tripay:bad{n}", raw_body="{}", outcome=EventOutcome.ERROR)
            )
    watch_jobs([Job("release_expired_assignments", 60, lambda: "")], started_at=utcnow() - timedelta(hours=1))
    dead = sa.create_engine(f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/gone")
    with pytest.raises(OperationalError) as failure:
        dead.connect()
    db_errors.note(failure.value, "job")
    watch_operations()
    await _login(user)
    for text in ("Tinggal 14 kursi kosong", "5 dari 5 callback", "'release_expired_assignments'", "basis data sejak"):
        await user.should_see(text, retries=20)
