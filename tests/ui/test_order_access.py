"""The order page of a workspace seat (issue #16): where the invitation stands in words with what to do, a move
to another workspace, a dead workspace being replaced, and "my access doesn't work" behind the order link."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from nicegui.testing import User
from sqlmodel import select

from domain.catalog.pool import add_account, list_accounts, retire_account
from domain.orders.orders import create_order, record_payment
from domain.seats.assignments import mark_invite, move_assignment
from domain.shared.links import access_token
from domain.shared.models import AccountAssignment, AdminAlert, AssignmentStatus, AuditLog, InviteState, Order
from domain.workspaces.health import mark_health
from domain.workspaces.support import Next, ReportOutcome
from infra import db
from infra.changes import announce
from infra.types import utcnow
from pages.shop.order import report_words
from tests.helpers import ADMIN

EMAIL = "budi@example.com"


def _invite_only() -> int:
    """Leave only the demo workspace that works by invitation (managed by hand); its id."""
    with db.write_session() as s:
        for account in list_accounts(session=s):
            if account.delivery != "INVITE":
                retire_account(session=s, actor=ADMIN, account_id=account.id)
        return next(a.id for a in list_accounts(session=s) if a.delivery == "INVITE")


def _paid_order() -> Order:
    def work(s):
        order, _ = create_order(
            session=s, product_slug="paket-30-hari", email=EMAIL, name="Budi", phone="081234567890", locale="id"
        )
        record_payment(session=s, order_id=order.id, amount_idr=order.amount_idr, actor="tripay_webhook")
        return order

    return db.in_transaction(work)


def _seat(order: Order) -> AccountAssignment:
    with db.read_session() as s:
        return s.exec(
            select(AccountAssignment).where(
                AccountAssignment.order_id == order.id, AccountAssignment.status == AssignmentStatus.ACTIVE
            )
        ).one()


def _link(order: Order, lang: str = "") -> str:
    return f"/order/{order.code}?t={access_token(order.code)}" + (f"&lang={lang}" if lang else "")


def _set_state(order: Order, state: InviteState) -> None:
    """What the workspace sync records (there with its audit entry, which announces the seat's change)."""
    with db.write_session() as s:
        seat = s.get(AccountAssignment, _seat(order).id)
        seat.invite_state = state
        s.add(seat)
        announce(session=s, topics=[f"assignment:{seat.id}"])


async def test_an_invitation_being_sent_says_so_with_the_steps_and_the_way_to_chatgpt(user: User) -> None:
    _invite_only()
    order = _paid_order()
    await user.open(_link(order))
    await user.should_see(f"Undangan sedang dikirim ke {EMAIL}")
    await user.should_see("Cara masuk")
    await user.should_see("Klik tombol 'Join workspace' di e-mail itu.")
    await user.should_see(f"Masuk ke chatgpt.com dengan e-mail {EMAIL}")
    await user.should_see("Buka chatgpt.com")
    await user.should_see("Akses saya tidak berfungsi")
    await user.should_not_see("TO_INVITE")


async def test_the_page_follows_the_invitation_from_sent_to_joined_by_itself(user: User) -> None:
    _invite_only()
    order = _paid_order()
    await user.open(_link(order))
    await user.should_see("Undangan sedang dikirim")
    db.in_transaction(
        lambda s: mark_invite(session=s, assignment_id=_seat(order).id, state=InviteState.INVITED, actor=ADMIN)
    )
    await user.should_see(
        f"Undangan terkirim ke {EMAIL} — buka e-mail dari ChatGPT (cek juga folder Spam/Promosi) dan klik "
        "'Join workspace'; masuk ke chatgpt.com dengan e-mail ini",
        retries=60,
    )
    await user.should_see("Cek folder Spam dan Promosi")
    _set_state(order, InviteState.JOINED)
    # the seed's note ("[DEMO] not a real ChatGPT account") is the admins' own: customers see a neutral name
    await user.should_see("Anda sudah bergabung di workspace Workspace ChatGPT", retries=60)
    await user.should_not_see("not a real ChatGPT account")
    await user.should_not_see("Undangan terkirim")
    await user.should_see("Buka chatgpt.com")
    await user.should_not_see("JOINED")


async def test_the_invitation_reads_in_english_after_the_switch(user: User) -> None:
    _invite_only()
    order = _paid_order()
    _set_state(order, InviteState.INVITED)
    await user.open(_link(order, lang="en"))
    await user.should_see(f"Invitation sent to {EMAIL}")
    await user.should_see("My access doesn't work")


async def test_a_move_to_another_workspace_is_said_plainly_with_the_same_end_date(user: User) -> None:
    _invite_only()
    order = _paid_order()
    ends = _seat(order).end_at
    new = db.in_transaction(
        lambda s: add_account(
            session=s,
            actor=ADMIN,
            email="tim-baru@example.com",
            delivery="INVITE",
            max_seats=5,
            display_name="Tim Baru",
        )
    )
    await user.open(_link(order))
    await user.should_see("Undangan sedang dikirim")
    db.in_transaction(
        lambda s: move_assignment(
            session=s, assignment_id=_seat(order).id, to_account_id=new.id, actor=ADMIN, reason="akun diblokir"
        )
    )
    await user.should_see("Akses Anda sudah dipindahkan ke workspace baru", retries=60)
    await user.should_see("Tanggal berakhir tidak berubah")
    await user.should_see("Workspace: Tim Baru")
    assert _seat(order).end_at == ends
    await user.should_not_see("moved:")


async def test_a_dead_workspace_without_a_free_seat_tells_the_customer_they_will_be_moved(user: User) -> None:
    account_id = _invite_only()
    order = _paid_order()
    with db.write_session() as s:
        mark_health(session=s, account_id=account_id, health="BANNED", actor=ADMIN, reason="diblokir")
    await user.open(_link(order))
    await user.should_see("sedang bermasalah")
    await user.should_see("tanggal berakhir tidak berubah")
    await user.should_not_see("BANNED")


async def test_my_access_doesnt_work_opens_a_case_once_and_says_when_to_try_again(user: User) -> None:
    _invite_only()  # managed by hand: the owner hears of it
    order = _paid_order()
    await user.open(_link(order))
    user.find(marker="report").click()
    await user.should_see("Laporan Anda sudah diterima; admin akan menghubungi Anda", retries=60)
    await user.should_see("Bisa melapor lagi setelah", retries=60)  # the page re-reads: the button is gone
    await user.should_not_see(marker="report")
    with db.read_session() as s:
        alert = s.exec(select(AdminAlert).where(AdminAlert.key == f"access_problem:{order.code}")).one()
        reports = s.exec(select(AuditLog).where(AuditLog.action == "assignment.access_reported")).all()
    assert order.code in alert.message and len(reports) == 1
    # another view of the page knows it too
    await user.open(_link(order))
    await user.should_see("Laporan Anda sudah diterima")
    await user.should_not_see(marker="report")


async def test_a_report_from_a_page_opened_before_another_tab_reported_is_refused_in_words(user: User) -> None:
    _invite_only()
    order = _paid_order()
    await user.open(_link(order))
    await user.should_see(marker="report")
    with db.write_session() as s:  # reported from another tab a moment ago; this page has not re-read yet
        seat = s.get(AccountAssignment, _seat(order).id)
        seat.access_reported_at = utcnow() - timedelta(seconds=1)
        s.add(seat)
    user.find(marker="report").click()
    await user.should_see("Bisa melapor lagi setelah", retries=60)  # refused; the page re-read what stands
    await user.should_not_see(marker="report")
    with db.read_session() as s:
        assert s.exec(select(AuditLog).where(AuditLog.action == "assignment.access_reported")).all() == []
        assert s.exec(select(AdminAlert)).all() == []


def test_a_refused_report_says_when_to_try_again() -> None:
    at = datetime(2026, 12, 2, 3, 30, tzinfo=UTC)
    words = report_words(ReportOutcome(Next.TOO_SOON, retry_at=at), "id")
    assert words == "Anda sudah melapor; coba lagi setelah 2 Desember 2026, 10.30 WIB."
    assert report_words(ReportOutcome(Next.CASE_OPENED), "id").startswith("Laporan Anda sudah diterima")


async def test_a_shared_login_moved_to_another_account_shows_the_new_login_and_says_the_old_one_is_gone(
    user: User,
) -> None:
    order = _paid_order()  # the demo shop's shared logins
    new = db.in_transaction(
        lambda s: add_account(session=s, actor=ADMIN, email="login-baru@example.com", password="pw-baru", max_seats=2)
    )
    db.in_transaction(
        lambda s: move_assignment(
            session=s, assignment_id=_seat(order).id, to_account_id=new.id, actor=ADMIN, reason="akun diblokir"
        )
    )
    await user.open(_link(order))
    await user.should_see("Akses Anda sudah dipindahkan ke akun baru")
    await user.should_see("detail login lama tidak berlaku lagi")
    await user.should_see("login-baru@example.com")
    await user.should_see("Akses saya tidak berfungsi")
