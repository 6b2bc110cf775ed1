""" "My access doesn't work" (issue #16 item 6) on SQLite and PostgreSQL: an automated workspace is looked at and
the customer invited again (the ChatGPT simulator over real HTTP, one invitation whatever happens), a dead account's
customer is moved or waits, any other account opens a case for the owner; once per three hours per order, and
only behind the order link's token (a refused or throttled report writes nothing)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import col, select

from api.orders import router as orders_router
from domain.orders.customer_view import access_note, order_page
from domain.shared.errors import NotFound
from domain.shared.links import access_token
from domain.shared.models import (
    AccountAssignment,
    AdminAlert,
    AssignmentStatus,
    AuditLog,
    EmailOutbox,
    InviteState,
    Order,
    TaskStatus,
    WorkspaceAttempt,
    WorkspaceTask,
)
from domain.workspaces.health import mark_health
from domain.workspaces.support import REPORT_EVERY, Next, ReportOutcome, report_access_problem
from infra import db
from infra.types import utcnow
from runtime.workspaces import _access
from tests.helpers import ADMIN, fingerprint, invariants, make_account, make_order
from tests.integration.test_workspaces import Shop, _buy, _get, _rows, _seat, _settings, make_product

REPORTED = "customer reported"


@pytest.fixture
def shop(engine, monkeypatch):
    from tests.chatgpt_sim_server import chatgpt_sim_server

    with chatgpt_sim_server(list_lag_s=0) as sim:
        settings = _settings(sim)
        monkeypatch.setattr("infra.settings.get_settings", lambda: settings)
        running = Shop(sim, settings)
        yield running
        running.worker.close()


def report(order: Order, now=None, token: str | None = None) -> ReportOutcome:
    token = access_token(order.code) if token is None else token
    return db.in_transaction(
        lambda s: report_access_problem(session=s, order_code=order.code, token=token, now=now or utcnow())
    )


def _note(order: Order, lang: str = "id") -> str:
    with db.read_session() as s:
        return access_note(order_page(session=s, code=order.code, token=access_token(order.code)), lang) or ""


def _reinvites(seat_id: int) -> list[WorkspaceTask]:
    return _rows(WorkspaceTask, WorkspaceTask.assignment_id == seat_id, WorkspaceTask.reason == REPORTED)


def test_a_pending_invitation_is_sent_again_once_and_stays_one_invitation(shop) -> None:
    account = shop.workspace(seats=5)
    order = _buy(make_product())
    shop.settle()
    seat = _seat(order.id)
    assert seat.invite_state == InviteState.INVITED

    outcome = report(order)
    assert outcome.next == Next.CHECKING
    assert "Kami sedang memeriksa workspace Anda" in _note(order)
    [task] = _reinvites(seat.id)
    assert task.kind == "invite" and task.status == TaskStatus.PENDING and task.email == order.email
    shop.settle()
    view = shop.seen(account)
    assert view["invites"] == [order.email] and view["members"] == []
    assert view["invites_sent"] == 1  # the e-mail went out again; still one invitation
    assert _get(WorkspaceTask, task.id).status == TaskStatus.DONE
    assert _get(AccountAssignment, seat.id).invite_state == InviteState.INVITED
    assert f"Sudah kami periksa: undangan dikirim lagi ke {order.email}" in _note(order)
    # audited, with who and what
    [audit] = _rows(AuditLog, AuditLog.action == "assignment.access_reported", AuditLog.entity_id == seat.id)
    assert audit.actor == "customer" and audit.details["order_code"] == order.code
    assert invariants() == []


def test_a_member_who_reports_is_looked_up_and_not_invited_again(shop) -> None:
    account = shop.workspace(seats=5)
    order = _buy(make_product())
    shop.settle()
    shop.sim.control("POST", f"/workspaces/{account.workspace_id}/accept", email=order.email)
    shop.sync(account)
    seat = _seat(order.id)
    assert seat.invite_state == InviteState.JOINED

    assert report(order).next == Next.CHECKING
    [task] = _reinvites(seat.id)
    shop.settle()
    view = shop.seen(account)
    assert view["members"] == [order.email] and view["invites"] == [] and view["invites_sent"] == 1
    actions = [(a.action, a.outcome) for a in _rows(WorkspaceAttempt, WorkspaceAttempt.task_id == task.id)]
    assert actions == [("look", "ok")]  # looked, found the member, made no invite call
    assert _get(WorkspaceTask, task.id).status == TaskStatus.DONE
    assert _get(AccountAssignment, seat.id).invite_state == InviteState.JOINED
    assert f"Checked: {order.email} is a member of the workspace" in _note(order, "en")


def test_a_customer_gone_from_the_workspace_is_invited_again(shop) -> None:
    account = shop.workspace(seats=5)
    order = _buy(make_product())
    shop.settle()
    shop.sim.control("POST", f"/workspaces/{account.workspace_id}/accept", email=order.email)
    with db.read_session() as s:
        access = _access(s, account.id)
    [member] = [m for m in shop.worker.driver.list_members(access) if m.email == order.email]
    shop.worker.driver.remove_member(access, member.member_id)  # someone in the workspace removed them

    assert report(order).next == Next.CHECKING
    shop.settle()
    view = shop.seen(account)
    assert view["invites"] == [order.email] and view["members"] == []
    assert _seat(order.id).invite_state == InviteState.INVITED
    assert len(_reinvites(_seat(order.id).id)) == 1


def test_reports_are_taken_once_per_three_hours_per_order_and_a_throttled_one_writes_nothing(shop, engine) -> None:
    shop.workspace(seats=5)
    order = _buy(make_product())
    shop.settle()
    first_at = utcnow()
    assert report(order, now=first_at).next == Next.CHECKING
    shop.settle()

    before = fingerprint(engine)
    later = report(order, now=first_at + timedelta(hours=2, minutes=59))
    assert later.next == Next.TOO_SOON and later.retry_at == first_at + REPORT_EVERY
    assert fingerprint(engine) == before, "a throttled report must change nothing"

    assert report(order, now=first_at + REPORT_EVERY).next == Next.CHECKING
    assert len(_reinvites(_seat(order.id).id)) == 2
    assert len(_rows(AuditLog, AuditLog.action == "assignment.access_reported")) == 2


def test_a_wrong_token_or_unknown_code_is_refused_and_changes_nothing(shop, engine) -> None:
    shop.workspace(seats=5)
    order = _buy(make_product())
    other = _buy(make_product())
    shop.settle()
    before = fingerprint(engine)
    for token in ("", "wrong-token", access_token(other.code)):
        with pytest.raises(NotFound):
            report(order, token=token)
    with pytest.raises(NotFound):
        db.in_transaction(
            lambda s: report_access_problem(
                session=s, order_code="AG-NOSUCHCODE", token=access_token("AG-NOSUCHCODE"), now=utcnow()
            )
        )
    assert fingerprint(engine) == before, "a refused report must change nothing"


def test_an_order_without_an_active_seat_has_nothing_to_report(shop, engine) -> None:
    unpaid = make_order(make_product())
    before = fingerprint(engine)
    assert report(unpaid).next == Next.NO_SEAT
    assert fingerprint(engine) == before


def test_a_customer_of_a_dead_workspace_waits_for_a_seat_when_none_is_free(shop) -> None:
    dying = shop.workspace(seats=5)
    order = _buy(make_product())
    shop.settle()
    with db.write_session() as s:  # no other workspace: the customer stays where they are, first in line
        mark_health(session=s, account_id=dying.id, health="BANNED", actor=ADMIN, reason="diblokir")
    assert report(order).next == Next.WAITING
    assert _seat(order.id).chatgpt_account_id == dying.id
    assert _rows(WorkspaceTask, WorkspaceTask.reason == REPORTED) == []  # nothing sent into a dead workspace
    spare = shop.workspace(seats=5)  # the next free seat is theirs
    assert _seat(order.id).chatgpt_account_id == spare.id


def test_a_customer_of_a_dead_workspace_is_moved_with_the_same_end_date(shop, engine) -> None:
    dying = shop.workspace(seats=5)
    order = _buy(make_product())
    shop.settle()
    end_at = _seat(order.id).end_at
    spare = shop.workspace(seats=5)
    # the workspace died without its customers being handed on yet (as when the look that saw it had no seat to
    # offer and the one freed since has not been handed over): the report moves them
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE chatgpt_accounts SET health = 'BANNED' WHERE id = :id"), {"id": dying.id})

    assert report(order).next == Next.MOVED
    moved = _seat(order.id)
    assert moved.chatgpt_account_id == spare.id and moved.end_at == end_at
    with db.read_session() as s:
        old = s.exec(
            select(AccountAssignment).where(
                AccountAssignment.order_id == order.id, AccountAssignment.status == AssignmentStatus.REVOKED
            )
        ).one()
    assert old.end_reason.startswith("moved:")
    assert _rows(EmailOutbox, EmailOutbox.kind == "access_moved", EmailOutbox.order_id == order.id)
    shop.settle()
    assert shop.seen(spare)["invites"] == [order.email]
    assert shop.seen(dying)["invites"] == []  # the old invitation was withdrawn
    assert report(order).next == Next.TOO_SOON  # the throttle holds across the move
    assert invariants() == []


@pytest.mark.parametrize("delivery", ["CREDENTIALS", "INVITE"])
def test_a_manual_account_opens_a_case_for_the_owner(shop, delivery) -> None:
    account = make_account(max_seats=3, delivery=delivery)
    order = _buy(make_product())
    assert _seat(order.id).chatgpt_account_id == account.id

    assert report(order).next == Next.CASE_OPENED
    [alert] = _rows(AdminAlert, AdminAlert.key == f"access_problem:{order.code}")
    assert alert.active and alert.kind == "access_problem"
    assert order.code in alert.message and account.email in alert.message
    assert f"/admin/orders/{order.code}" in alert.message
    assert "tidak berfungsi" in alert.message  # in the owner's words, not codes
    assert "CREDENTIALS" not in alert.message and "OK" not in alert.message.split()
    mail = _rows(EmailOutbox, EmailOutbox.kind == "admin_alert", col(EmailOutbox.subject).contains(order.code))
    assert mail and mail[0].to == "boss@example.com"
    assert _rows(WorkspaceTask) == []  # nothing automated on a manual account


def test_the_status_api_tells_the_invitation_and_the_move(shop) -> None:
    client = TestClient(_api())
    account = shop.workspace(seats=5)
    order = _buy(make_product())
    url = f"/api/orders/{order.code}/status?t={access_token(order.code)}"
    answer = client.get(url).json()
    assert answer["invite_state"] == "TO_INVITE" and "sedang dikirim ke " + order.email in answer["access_note"]
    shop.settle()
    answer = client.get(url).json()
    assert answer["invite_state"] == "INVITED" and "Join workspace" in answer["access_note"]
    assert answer["assignment_status"] == "ACTIVE"  # the fields clients read are unchanged

    spare = shop.workspace(seats=5)
    with db.write_session() as s:
        mark_health(session=s, account_id=account.id, health="BANNED", actor=ADMIN, reason="diblokir")
    assert _seat(order.id).chatgpt_account_id == spare.id
    answer = client.get(url).json()
    assert answer["invite_state"] == "TO_INVITE"
    assert "dipindahkan ke workspace baru" in answer["access_note"] and "tidak berubah" in answer["access_note"]
    assert client.get(f"/api/orders/{order.code}/status?t=wrong").status_code == 404


def _api() -> FastAPI:
    app = FastAPI()
    app.include_router(orders_router)
    return app
