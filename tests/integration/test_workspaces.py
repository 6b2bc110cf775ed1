"""Automated workspaces end to end at the domain level (DESIGN.md §9, issue #16): the shop's worker and sync
against the ChatGPT simulator over real HTTP, on SQLite and PostgreSQL. The simulator's control API plays the
customer (accepting), the owner (adding a stranger) and the service (faults, deactivation)."""

from __future__ import annotations

import secrets
import threading
import time
from datetime import timedelta

import pytest
from sqlmodel import col, select

from domain.catalog.pool import add_account
from domain.orders.orders import refund_order
from domain.seats.assignments import release_expired_assignments, revoke_assignment
from domain.shared.crypto import decrypt_secret
from domain.shared.models import (
    AccountAssignment,
    AdminAlert,
    AssignmentStatus,
    AuditLog,
    ChatGPTAccount,
    EmailOutbox,
    Health,
    InviteState,
    Order,
    OrderStatus,
    TaskStatus,
    WorkspaceAttempt,
    WorkspaceSeen,
    WorkspaceTask,
)
from domain.workspaces.health import mark_health
from domain.workspaces.tasks import claim_tasks
from infra import db
from infra.settings import Settings
from infra.types import utcnow
from integrations.workspaces import build_workspace_driver
from runtime.workspaces import WorkspaceWorker
from tests.chatgpt_sim_server import ChatGPTSimServer, chatgpt_sim_server
from tests.helpers import ADMIN, invariants, make_order, pay, random_email
from tests.helpers import make_product as _make_product


class Shop:
    def __init__(self, sim: ChatGPTSimServer, settings: Settings) -> None:
        self.sim, self.settings = sim, settings
        self.worker = WorkspaceWorker(build_workspace_driver(settings))

    def workspace(self, seats: int = 5, max_seats: int | None = None, pool: str = "default", **extra) -> ChatGPTAccount:
        """A workspace in the simulator and its automated account in the shop."""
        workspace_id, token = f"ws-{secrets.token_hex(4)}", f"at-{secrets.token_hex(8)}"
        self.sim.create_workspace(workspace_id, token, seats, **extra)
        with db.write_session() as s:
            return add_account(
                session=s,
                actor=ADMIN,
                email=random_email("owner"),
                pool=pool,
                delivery="INVITE",
                driver="chatgpt",
                workspace_id=workspace_id,
                access_token=token,
                session_token=extra.get("session_token", ""),
                max_seats=max_seats or seats,
            )

    def settle(self, rounds: int = 30) -> None:
        """Run the worker until no task is due (each round also picks up what the last one made due)."""
        for _ in range(rounds):
            if self.worker.run_tasks().startswith("done 0, waiting 0, failed 0, stale 0"):
                return
        raise AssertionError("workspace tasks still due after many rounds")

    def seen(self, account: ChatGPTAccount) -> dict:
        return self.sim.workspace(account.workspace_id)

    def sync(self, account: ChatGPTAccount):
        return self.worker.sync_account(account.id)


@pytest.fixture
def sim():
    with chatgpt_sim_server(list_lag_s=0) as server:
        yield server


def _settings(sim: ChatGPTSimServer, **overrides) -> Settings:
    values = dict(
        CHATGPT_API_BASE=sim.api_base,
        CHATGPT_AUTH_BASE=sim.url,
        CHATGPT_RETRY_BASE_S=0.01,
        CHATGPT_RATE_PER_MINUTE=100000,
        WORKSPACE_CONFIRM_POLL_S=0,
        WORKSPACE_CONFIRM_S=30,
        WORKSPACE_TASK_LEASE_S=60,
        WORKSPACE_FAILURES_UNREACHABLE=3,
        ADMIN_EMAIL="boss@example.com",
    )
    return Settings(_env_file=None, **(values | overrides))


@pytest.fixture
def shop(engine, sim, monkeypatch):
    settings = _settings(sim)
    monkeypatch.setattr("infra.settings.get_settings", lambda: settings)
    running = Shop(sim, settings)
    yield running
    running.worker.close()


def _seat(order_id: int) -> AccountAssignment | None:
    with db.read_session() as s:
        return s.exec(
            select(AccountAssignment).where(
                AccountAssignment.order_id == order_id, AccountAssignment.status == AssignmentStatus.ACTIVE
            )
        ).first()


def _get(model, row_id):
    with db.read_session() as s:
        return s.get(model, row_id)


def _rows(model, *where):
    with db.read_session() as s:
        return list(s.exec(select(model).where(*where)))


def make_product():
    return _make_product(slug=f"paket-{secrets.token_hex(3)}")


def _buy(product, email: str | None = None) -> Order:
    order = make_order(product, email=email)
    pay(order)
    return order


def test_buy_invites_within_the_worker_run_and_accepting_makes_a_member(shop) -> None:
    account = shop.workspace(seats=5)
    order = _buy(make_product())
    seat = _seat(order.id)
    assert seat is not None and seat.chatgpt_account_id == account.id and seat.invite_state == InviteState.TO_INVITE
    [task] = _rows(WorkspaceTask, WorkspaceTask.assignment_id == seat.id)
    assert task.kind == "invite" and task.status == TaskStatus.PENDING

    shop.settle()
    assert shop.seen(account)["invites"] == [order.email]
    assert _get(AccountAssignment, seat.id).invite_state == InviteState.INVITED
    assert _get(WorkspaceTask, task.id).status == TaskStatus.DONE
    actions = [(a.action, a.outcome) for a in _rows(WorkspaceAttempt, WorkspaceAttempt.task_id == task.id)]
    assert ("invite", "ok") in actions and ("look", "ok") in actions  # sent, then confirmed in the listing

    shop.sim.control("POST", f"/workspaces/{account.workspace_id}/accept", email=order.email)
    report = shop.sync(account)
    assert report.members == 1 and report.invites == 0 and report.strangers == 0
    assert _get(AccountAssignment, seat.id).invite_state == InviteState.JOINED
    acct = _get(ChatGPTAccount, account.id)
    assert (acct.members_count, acct.invites_count, acct.strangers_count, acct.health) == (1, 0, 0, Health.OK)
    assert shop.sim.workspace(account.workspace_id)["invites_sent"] == 1
    assert invariants() == []


@pytest.mark.parametrize("ending", ["expiry", "revoke", "refund"])
def test_an_ended_seat_is_removed_from_the_workspace(shop, ending) -> None:
    account = shop.workspace(seats=5)
    joined, pending = _buy(make_product()), _buy(make_product())
    shop.settle()
    shop.sim.control("POST", f"/workspaces/{account.workspace_id}/accept", email=joined.email)
    seats = {order.id: _seat(order.id) for order in (joined, pending)}
    for order in (joined, pending):
        seat = seats[order.id]
        if _get(AccountAssignment, seat.id).status != AssignmentStatus.ACTIVE:
            continue  # expired with the other
        with db.write_session() as s:
            if ending == "expiry":
                release_expired_assignments(session=s, now=seat.end_at + timedelta(seconds=1))
            elif ending == "revoke":
                revoke_assignment(session=s, assignment_id=seat.id, actor=ADMIN, reason="melanggar aturan")
            else:
                refund_order(session=s, order_id=order.id, actor=ADMIN, reason="customer asked")
    shop.settle()
    view = shop.seen(account)
    assert view["members"] == [] and view["invites"] == []  # the member removed, the pending invite cancelled
    for order in (joined, pending):
        with db.read_session() as s:
            ended = s.exec(select(AccountAssignment).where(AccountAssignment.order_id == order.id)).one()
        assert ended.status != AssignmentStatus.ACTIVE and ended.invite_state == InviteState.REMOVED
    assert _get(ChatGPTAccount, account.id).seats_used == 0
    assert invariants() == []


def test_duplicate_callbacks_and_two_workers_send_one_invite_per_seat(shop) -> None:
    account = shop.workspace(seats=30)
    product = make_product()
    orders = [make_order(product) for _ in range(12)]
    for order in orders:
        pay(order)
        pay(order)  # the gateway's retry: a duplicate
    assert len(_rows(WorkspaceTask)) == 12
    second = WorkspaceWorker(build_workspace_driver(shop.settings))
    try:
        threads = [threading.Thread(target=w.run_tasks) for w in (shop.worker, second, shop.worker, second)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        shop.settle()
    finally:
        second.close()
    view = shop.seen(account)
    assert sorted(view["invites"]) == sorted(o.email for o in orders)
    assert view["invites_sent"] == 12
    assert all(t.status == TaskStatus.DONE for t in _rows(WorkspaceTask))


def test_a_crash_between_the_invite_call_and_its_commit_still_gives_one_invite(shop) -> None:
    account = shop.workspace(seats=5)
    order = _buy(make_product())
    # the worker claims the task and makes the call, then its process dies before recording anything
    [claimed] = db.in_transaction(lambda s: claim_tasks(session=s, now=utcnow(), limit=10, lease=timedelta(seconds=60)))
    shop.worker.driver.invite(claimed.access, claimed.email)
    assert shop.seen(account)["invites"] == [order.email]
    # nothing is done while the dead attempt's lease lasts; after it, the next attempt looks before acting
    assert shop.worker.run_tasks().startswith("done 0, waiting 0")
    later = utcnow() + timedelta(seconds=61)
    shop.worker.run_tasks(now=later)
    [task] = _rows(WorkspaceTask)
    assert task.status == TaskStatus.DONE and task.attempts == 2
    assert shop.seen(account)["invites_sent"] == 1
    assert _seat(order.id).invite_state == InviteState.INVITED
    attempts = [(a.action, a.outcome) for a in _rows(WorkspaceAttempt, WorkspaceAttempt.task_id == task.id)]
    assert attempts == [("look", "ok")]  # found as invited: no second invite call


def test_ghost_invites_restrict_the_workspace_and_reseat_the_customer(shop) -> None:
    ghostly = shop.workspace(seats=5)
    order = _buy(make_product())
    healthy = shop.workspace(seats=5)
    before = _seat(order.id)
    assert before.chatgpt_account_id == ghostly.id
    shop.sim.fault(ghostly.workspace_id, "ghost", count=5)
    shop.settle()
    acct = _get(ChatGPTAccount, ghostly.id)
    assert acct.health == Health.RESTRICTED
    after = _seat(order.id)
    assert after.chatgpt_account_id == healthy.id and after.end_at == before.end_at
    assert after.invite_state == InviteState.INVITED
    assert shop.seen(healthy)["invites"] == [order.email]
    assert shop.seen(ghostly)["invites"] == []
    assert _rows(EmailOutbox, EmailOutbox.kind == "access_moved", EmailOutbox.order_id == order.id)
    assert _rows(AdminAlert, AdminAlert.key == f"account_health:{ghostly.id}", col(AdminAlert.active).is_(True))
    # and nothing more is sold there
    other = _buy(make_product())
    assert _seat(other.id).chatgpt_account_id == healthy.id
    assert invariants() == []


@pytest.mark.parametrize("mode", ["429", "500", "cloudflare"])
def test_bursts_of_refusals_are_retried_and_nothing_is_lost(shop, mode) -> None:
    waits: list[float] = []
    shop.worker.driver._sleep = waits.append  # the driver's waits between tries, kept instead of slept (429: ~10 s)
    account = shop.workspace(seats=10)
    product = make_product()
    shop.sim.fault(account.workspace_id, mode, count=2)  # 429/Cloudflare: within the driver's own retries
    first = _buy(product)  # (a 5xx on an invitation is not repeated blindly: the task looks and tries again)
    for hours in range(1, 4):
        shop.worker.run_tasks(now=utcnow() + timedelta(hours=2 * hours))
    assert shop.seen(account)["invites"] == [first.email]
    shop.sim.fault(account.workspace_id, mode, count=12)  # beyond them: the task waits and tries again
    second = _buy(product)
    for hours in range(1, 12):  # the clock moves past each retry's wait
        shop.worker.run_tasks(now=utcnow() + timedelta(hours=2 * hours))
    assert sorted(shop.seen(account)["invites"]) == sorted([first.email, second.email])
    assert shop.seen(account)["invites_sent"] == 2
    assert _seat(second.id).invite_state == InviteState.INVITED
    assert _get(ChatGPTAccount, account.id).health == Health.OK
    assert waits, "the refusals were waited out between tries"
    if mode == "429":
        assert min(waits) >= 1, waits  # at least what Retry-After asked


def test_a_deactivated_workspace_is_banned_and_its_customers_move_with_their_end_dates(shop) -> None:
    dying = shop.workspace(seats=3)
    product = make_product()
    orders = [_buy(product) for _ in range(3)]
    shop.settle()
    ends = {o.id: _seat(o.id).end_at for o in orders}
    spare = shop.workspace(seats=2)
    shop.sim.control("POST", f"/workspaces/{dying.workspace_id}/deactivate")
    shop.sync(dying)
    assert _get(ChatGPTAccount, dying.id).health == Health.BANNED
    assert _rows(AdminAlert, AdminAlert.key == f"account_health:{dying.id}")
    moved = [o for o in orders if _seat(o.id).chatgpt_account_id == spare.id]
    waiting = [o for o in orders if _seat(o.id).chatgpt_account_id == dying.id]
    assert len(moved) == 2 and len(waiting) == 1  # the spare workspace had two seats
    for order in orders:
        assert _seat(order.id).end_at == ends[order.id]
    assert len(_rows(EmailOutbox, EmailOutbox.kind == "access_moved")) == 2
    # the third waits at the head of the queue: a newly paid order does not take the next free seat from it
    newcomer = make_order(product)
    pay(newcomer)
    assert _get(Order, newcomer.id).status == OrderStatus.PENDING_STOCK
    third = shop.workspace(seats=2)
    with db.write_session() as s:
        from domain.seats.allocation import serve_pending_stock

        serve_pending_stock(session=s, actor="scheduler")
    assert _seat(waiting[0].id).chatgpt_account_id == third.id
    assert _seat(waiting[0].id).end_at == ends[waiting[0].id]
    assert _seat(newcomer.id).chatgpt_account_id == third.id
    shop.settle()
    assert sorted(shop.seen(spare)["invites"]) == sorted(o.email for o in moved)
    assert invariants() == []


def test_a_stranger_is_flagged_and_removed_when_the_owner_wants(shop, monkeypatch) -> None:
    account = shop.workspace(seats=5)
    order = _buy(make_product())
    shop.settle()
    shop.sim.control("POST", f"/workspaces/{account.workspace_id}/add_member", email="intruder@example.com")
    shop.sim.control("POST", f"/workspaces/{account.workspace_id}/add_member", email="friend@example.com")
    with db.write_session() as s:
        from domain.catalog.pool import update_account

        update_account(session=s, actor=ADMIN, account_id=account.id, allow_list="friend@example.com")
    report = shop.sync(account)
    assert report.strangers == 1
    [flagged] = _rows(WorkspaceSeen, WorkspaceSeen.account_id == account.id, col(WorkspaceSeen.is_stranger).is_(True))
    assert flagged.email == "intruder@example.com"
    assert _rows(AdminAlert, AdminAlert.key == f"strangers:{account.id}")
    assert "intruder@example.com" in shop.seen(account)["members"]  # only flagged: removal is off by default

    settings = _settings(shop.sim, WORKSPACE_REMOVE_STRANGERS=True, WORKSPACE_STRANGER_GRACE_MINUTES=0)
    monkeypatch.setattr("infra.settings.get_settings", lambda: settings)
    shop.sync(account)
    shop.settle()
    members = shop.seen(account)["members"]
    assert "intruder@example.com" not in members and "friend@example.com" in members
    assert order.email in shop.seen(account)["invites"]  # the customer stays


def test_a_full_workspace_never_gets_a_seat_sold(shop) -> None:
    # the owner believes in 4 seats; the workspace has 3, and a stranger holds one of them
    account = shop.workspace(seats=3, max_seats=4)
    shop.sim.control("POST", f"/workspaces/{account.workspace_id}/add_member", email="side@example.com")
    shop.sync(account)
    acct = _get(ChatGPTAccount, account.id)
    assert acct.max_seats == 2 and acct.strangers_count == 1
    product = make_product()
    orders = [_buy(product) for _ in range(3)]
    assert [_get(Order, o.id).status for o in orders].count(OrderStatus.PENDING_STOCK) == 1
    shop.settle()
    view = shop.seen(account)
    assert len(view["members"]) + len(view["invites"]) <= view["seats"]
    shop.sync(account)
    assert _get(ChatGPTAccount, account.id).health == Health.FULL
    assert invariants() == []


def test_a_workspace_that_answers_full_on_invite_lowers_capacity_and_reseats(shop) -> None:
    tight = shop.workspace(seats=1, max_seats=3)  # the shop was never synced: it believes in 3
    spare = shop.workspace(seats=3)
    product = make_product()
    first = _buy(product)
    second = _buy(product)
    assert _seat(second.id).chatgpt_account_id == tight.id  # packed onto the fullest
    shop.settle()
    view = shop.seen(tight)
    assert len(view["members"]) + len(view["invites"]) <= 1
    assert _get(ChatGPTAccount, tight.id).max_seats == 1
    # the worker sends both invitations at once: whichever the workspace refuses is the customer who moves
    moved = [o for o in (first, second) if _seat(o.id).chatgpt_account_id == spare.id]
    stayed = [o for o in (first, second) if _seat(o.id).chatgpt_account_id == tight.id]
    assert len(moved) == 1 and len(stayed) == 1
    assert shop.seen(spare)["invites"] == [moved[0].email] and view["invites"] == [stayed[0].email]
    assert invariants() == []


def test_a_customer_missing_from_several_syncs_is_invited_again(shop) -> None:
    account = shop.workspace(seats=5)
    order = _buy(make_product())
    shop.settle()
    shop.sim.control("POST", f"/workspaces/{account.workspace_id}/accept", email=order.email)
    shop.sync(account)
    member = next(m for m in shop.worker.driver.list_members(_access(account)) if m.email == order.email)
    shop.worker.driver.remove_member(_access(account), member.member_id)  # someone removed them by hand
    for _ in range(shop.settings.WORKSPACE_MISSING_SYNCS):
        shop.sync(account)
    shop.settle()
    assert shop.seen(account)["invites"] == [order.email]
    assert _rows(AuditLog, AuditLog.action == "assignment.reinvite")


def _access(account: ChatGPTAccount):
    from runtime.workspaces import _access as access_of

    return db.in_transaction(lambda s: access_of(s, account.id))


def test_an_expired_access_token_is_renewed_from_the_session_token_and_stored_encrypted(shop) -> None:
    session_token = f"st-{secrets.token_hex(8)}"
    account = shop.workspace(seats=5, session_token=session_token)
    stored_before = _get(ChatGPTAccount, account.id).access_token_enc
    shop.sim.control("POST", f"/workspaces/{account.workspace_id}/expire_token")
    order = _buy(make_product())
    shop.settle()
    assert shop.seen(account)["invites"] == [order.email]
    after = _get(ChatGPTAccount, account.id)
    assert after.access_token_enc != stored_before and decrypt_secret(after.access_token_enc).count(".") == 2
    assert after.health == Health.OK


def test_without_a_session_token_an_expired_token_marks_the_account_and_the_task_waits(shop) -> None:
    account = shop.workspace(seats=5)
    shop.sim.control("POST", f"/workspaces/{account.workspace_id}/expire_token")
    _buy(make_product())
    shop.settle()
    assert _get(ChatGPTAccount, account.id).health == Health.TOKEN_EXPIRED
    [task] = _rows(WorkspaceTask)
    assert task.status == TaskStatus.PENDING and task.next_attempt_at > utcnow() + timedelta(minutes=5)
    assert _rows(AdminAlert, AdminAlert.key == f"account_health:{account.id}")
    # and a dead or token-less account sells nothing more
    other = _buy(make_product())
    assert _get(Order, other.id).status == OrderStatus.PENDING_STOCK


def test_the_owner_marks_a_credentials_account_banned_and_its_customers_move(shop) -> None:
    from tests.helpers import make_account

    banned = make_account(max_seats=2)
    order = _buy(make_product())
    spare = make_account(max_seats=2)
    with db.write_session() as s:
        mark_health(session=s, account_id=banned.id, health="BANNED", actor=ADMIN, reason="akun diblokir OpenAI")
    assert _seat(order.id).chatgpt_account_id == spare.id
    mail = _rows(EmailOutbox, EmailOutbox.kind == "access_moved", EmailOutbox.order_id == order.id)
    assert mail and "dipindahkan" in mail[0].subject
    assert invariants() == []


def test_automating_a_manual_workspace_hands_its_open_invites_to_the_worker(shop) -> None:
    from domain.catalog.pool import update_account
    from tests.helpers import make_account

    manual = make_account(max_seats=3, delivery="INVITE")
    order = _buy(make_product())
    assert _seat(order.id).invite_state == InviteState.TO_INVITE and not _rows(WorkspaceTask)
    workspace_id, token = f"ws-{secrets.token_hex(4)}", f"at-{secrets.token_hex(8)}"
    shop.sim.create_workspace(workspace_id, token, 3)
    with db.write_session() as s:
        update_account(
            session=s,
            actor=ADMIN,
            account_id=manual.id,
            driver="chatgpt",
            workspace_id=workspace_id,
            access_token=token,
        )
    assert invariants() == []
    shop.settle()
    assert shop.sim.workspace(workspace_id)["invites"] == [order.email]
    assert _seat(order.id).invite_state == InviteState.INVITED


def test_outside_the_package_warranty_a_customer_is_not_moved(shop) -> None:
    from domain.catalog.products import update_product
    from domain.shared.errors import ValidationFailed

    product = make_product()
    with db.write_session() as s:
        with pytest.raises(ValidationFailed):
            update_product(session=s, actor=ADMIN, product_id=product.id, warranty_days=-1)
    with db.write_session() as s:
        update_product(session=s, actor=ADMIN, product_id=product.id, warranty_days=0)  # no warranty at all
    dying = shop.workspace(seats=2)
    order = _buy(product)
    shop.workspace(seats=2)
    with db.write_session() as s:
        mark_health(session=s, account_id=dying.id, health="BANNED", actor=ADMIN, reason="diblokir")
    assert _seat(order.id).chatgpt_account_id == dying.id  # left where it was: the owner decides
    assert not _rows(EmailOutbox, EmailOutbox.kind == "access_moved")


# --- found by review (each failed before its fix) ---------------------------------------------------------------


def test_a_removal_during_the_listing_lag_waits_for_the_invitation_and_cancels_it(shop) -> None:
    account = shop.workspace(seats=5, list_lag_s=1.5)
    order = _buy(make_product())
    seat = _seat(order.id)
    shop.worker.run_tasks(now=utcnow())  # sent, not listed yet
    with db.write_session() as s:
        revoke_assignment(session=s, assignment_id=seat.id, actor=ADMIN, reason="refund requested")
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and _rows(
        WorkspaceTask, col(WorkspaceTask.status).in_(["PENDING", "CONFIRMING"])
    ):
        shop.worker.run_tasks()
        time.sleep(0.2)
    assert shop.seen(account)["invites"] == [] and shop.seen(account)["members"] == []
    assert _get(AccountAssignment, seat.id).invite_state == InviteState.REMOVED


def test_a_former_customer_found_by_a_sync_is_removed_again(shop) -> None:
    account = shop.workspace(seats=5)
    order = _buy(make_product())
    shop.settle()
    seat = _seat(order.id)
    with db.write_session() as s:
        revoke_assignment(session=s, assignment_id=seat.id, actor=ADMIN, reason="berakhir")
    shop.settle()
    shop.sim.control("POST", f"/workspaces/{account.workspace_id}/add_member", email=order.email)  # back, somehow
    report = shop.sync(account)
    assert report.strangers == 0  # not a stranger to keep: a former customer to remove
    shop.settle()
    assert order.email not in shop.seen(account)["members"]


def test_a_dead_accounts_customer_goes_before_a_newcomer_when_a_seat_comes_back(shop) -> None:
    from tests.helpers import make_account

    dying = make_account(max_seats=1)
    waiting = _buy(make_product())
    spare = make_account(max_seats=1)
    with db.write_session() as s:
        mark_health(session=s, account_id=spare.id, health="BANNED", actor=ADMIN, reason="sementara")
    with db.write_session() as s:
        mark_health(session=s, account_id=dying.id, health="BANNED", actor=ADMIN, reason="diblokir")
    assert _seat(waiting.id).chatgpt_account_id == dying.id  # nowhere to go yet
    with db.write_session() as s:
        mark_health(session=s, account_id=spare.id, health="OK", actor=ADMIN)
    newcomer = _buy(make_product())
    assert _seat(waiting.id).chatgpt_account_id == spare.id  # the earlier payer took the seat that came back
    assert _get(Order, newcomer.id).status == OrderStatus.PENDING_STOCK
    assert invariants() == []


def test_the_stock_job_serves_a_dead_accounts_customer_without_any_order_waiting(shop) -> None:
    from runtime.jobs import serve_waiting_orders
    from tests.helpers import make_account

    dying = make_account(max_seats=1)
    waiting = _buy(make_product())
    spare = make_account(max_seats=1)
    with db.write_session() as s:
        mark_health(session=s, account_id=spare.id, health="BANNED", actor=ADMIN, reason="sementara")
        mark_health(session=s, account_id=dying.id, health="BANNED", actor=ADMIN, reason="diblokir")
    with db.write_session() as s:
        mark_health(session=s, account_id=spare.id, health="OK", actor=ADMIN)
    serve_waiting_orders()
    assert _seat(waiting.id).chatgpt_account_id == spare.id


def test_a_removal_skipped_for_another_seat_is_not_left_in_the_owners_queue(shop) -> None:
    account = shop.workspace(seats=5)
    product = make_product()
    first = _buy(product, email="same@example.com")
    second = _buy(product, email="same@example.com")
    shop.settle()
    seat1 = _seat(first.id)
    assert _seat(second.id).chatgpt_account_id == seat1.chatgpt_account_id == account.id
    with db.write_session() as s:
        revoke_assignment(session=s, assignment_id=seat1.id, actor=ADMIN, reason="refund one")
    shop.settle()
    assert _get(AccountAssignment, seat1.id).invite_state == InviteState.REMOVED
    assert "same@example.com" in shop.seen(account)["invites"]  # still a customer on the other order


def test_a_short_burst_met_by_parallel_tasks_does_not_kill_a_workspace(shop) -> None:
    busy = shop.workspace(seats=10)
    spare = shop.workspace(seats=10)
    product = make_product()
    orders = [_buy(product) for _ in range(6)]
    assert all(_seat(o.id).chatgpt_account_id == busy.id for o in orders)
    shop.sim.fault(busy.workspace_id, "500", count=24)
    shop.worker.run_tasks(now=utcnow())
    assert _get(ChatGPTAccount, busy.id).health == Health.OK
    assert not any(_seat(o.id).chatgpt_account_id == spare.id for o in orders)


def test_failed_syncs_in_a_row_make_a_workspace_unreachable_and_move_its_customers(shop) -> None:
    busy = shop.workspace(seats=5)
    order = _buy(make_product())
    shop.settle()
    spare = shop.workspace(seats=5)
    for _ in range(shop.settings.WORKSPACE_FAILURES_UNREACHABLE):
        shop.sim.fault(busy.workspace_id, "500", count=4)  # one sync's call and its retries
        shop.sync(busy)
    assert _get(ChatGPTAccount, busy.id).health == Health.UNREACHABLE
    assert _seat(order.id).chatgpt_account_id == spare.id


def test_parallel_tasks_share_one_renewal_when_the_service_rotates_session_tokens(engine, monkeypatch) -> None:
    with chatgpt_sim_server(list_lag_s=0, rotate_session_tokens=True) as server:
        settings = _settings(server)
        monkeypatch.setattr("infra.settings.get_settings", lambda: settings)
        shop = Shop(server, settings)
        try:
            account = shop.workspace(seats=5, session_token=f"st-{secrets.token_hex(8)}")
            server.control("POST", f"/workspaces/{account.workspace_id}/expire_token")
            product = make_product()
            orders = [_buy(product) for _ in range(4)]
            shop.settle()
            acct = _get(ChatGPTAccount, account.id)
            assert acct.health == Health.OK, acct.last_error
            assert sorted(shop.seen(account)["invites"]) == sorted(o.email for o in orders)
            # the stored session token is the rotated one: the next renewal still works
            server.control("POST", f"/workspaces/{account.workspace_id}/expire_token")
            later = _buy(product)
            shop.settle()
            assert later.email in shop.seen(account)["invites"]
        finally:
            shop.worker.close()
