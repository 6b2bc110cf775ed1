"""The admin's side of automated workspaces (issue #16): the account form with its tokens (masked once saved), the
health chip in words, one account's page against the ChatGPT simulator (members, invites, strangers, tasks and
the owner's buttons), marking an account banned moves its customer, the invite queue leaves the worker's seats
alone, and the overview counts accounts by health."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from datetime import timedelta

import pytest
from nicegui import app, ui
from nicegui.testing import User
from sqlmodel import Session, col, select

from domain.admin.admins import create_admin
from domain.catalog.pool import add_account
from domain.catalog.products import create_product
from domain.orders.orders import create_order, record_payment
from domain.shared.crypto import decrypt_secret
from domain.shared.models import (
    AccountAssignment,
    AccountStatus,
    AssignmentStatus,
    ChatGPTAccount,
    Health,
    InviteState,
    TaskStatus,
    WorkspaceSeen,
    WorkspaceTask,
)
from domain.workspaces.health import mark_health
from infra import db
from infra.settings import get_settings
from infra.types import utcnow
from integrations.workspaces import build_workspace_driver
from runtime.workspaces import WorkspaceWorker
from tests.chatgpt_sim_server import ChatGPTSimServer, chatgpt_sim_server
from tests.ui.test_admin import EMAIL, PASSWORD, _login, _rows
from tests.ui.test_admin_numbers import click_for_message

ACCESS = "at-" + "Q1w2E3r4" * 6
SESSION = "st-" + "P0o9I8u7" * 6
ADMIN = "admin:test@example.com"


@pytest.fixture
def owner(engine):
    return db.in_transaction(lambda s: create_admin(session=s, email=EMAIL, password=PASSWORD))


@pytest.fixture
def sim() -> Iterator[ChatGPTSimServer]:
    with chatgpt_sim_server(list_lag_s=0) as server:
        yield server


@pytest.fixture
def worker(sim: ChatGPTSimServer) -> Iterator[WorkspaceWorker]:
    """The app's workspace worker, pointed at the simulator (the UI tests' shop has a dead address for it)."""
    settings = get_settings().model_copy(
        update={
            "CHATGPT_API_BASE": sim.api_base,
            "CHATGPT_AUTH_BASE": sim.url,
            "CHATGPT_RETRY_BASE_S": 0.01,
            "CHATGPT_RATE_PER_MINUTE": 100_000,
        }
    )
    running = WorkspaceWorker(build_workspace_driver(settings))
    app.state.workspaces = running
    yield running
    running.close()


def _automated_account(workspace_id: str = "ws-uji", token: str = ACCESS, seats: int = 5) -> ChatGPTAccount:
    def work(s: Session) -> ChatGPTAccount:
        create_product(
            session=s, actor=ADMIN, slug="team-uji", name="Team uji", price_idr=99_000, duration_days=30, pool="team"
        )
        return add_account(
            session=s,
            actor=ADMIN,
            email="workspace@example.com",
            pool="team",
            delivery="INVITE",
            driver="chatgpt",
            workspace_id=workspace_id,
            access_token=token,
            max_seats=seats,
        )

    return db.in_transaction(work)


def _buy(email: str, slug: str = "team-uji") -> AccountAssignment:
    def work(s: Session) -> AccountAssignment:
        order, _ = create_order(session=s, product_slug=slug, email=email, name="Budi", phone="081234567890")
        result = record_payment(session=s, order_id=order.id or 0, amount_idr=order.amount_idr, actor="test")
        assert result.assignment is not None
        return result.assignment

    return db.in_transaction(work)


def _texts(user: User, marker: str) -> list[str]:
    """Every label's text inside the element(s) with this marker."""
    found = []
    for element in user.find(marker).elements:
        found += [e.text for e in [element, *element.descendants()] if isinstance(e, ui.label)]
    return found


def _everything_sent(user: User) -> str:
    """What the page holds for the browser: every element's props, text and value."""
    assert user.client is not None
    parts = []
    for element in user.client.elements.values():
        parts.append(json.dumps(element._props, default=str))
        parts.append(str(getattr(element, "text", "")))
        parts.append(str(getattr(element, "value", "")))
    return "\n".join(parts)


async def test_an_automated_workspace_is_added_through_the_form_and_its_tokens_are_only_masked_afterwards(
    user: User, owner
) -> None:
    await _login(user)
    await user.open("/admin/accounts")
    user.find("acc-add").click()
    user.find("acc-email").type("tim@example.com")
    next(iter(user.find("acc-delivery").elements)).value = "INVITE"
    next(iter(user.find("acc-driver").elements)).value = "chatgpt"
    user.find("acc-seats").clear().type("5")
    user.find("acc-workspace-id").type("ws-tim-1")
    assert await click_for_message(user, "acc-save") == "Tempel access token untuk workspace otomatis"
    user.find("acc-access-token").type(ACCESS)
    user.find("acc-session-token").type(SESSION)
    user.find("acc-allow-list").type("Bos@Example.com\nmitra@example.com")
    assert (await click_for_message(user, "acc-save")).startswith("Akun ditambahkan")
    with db.read_session() as s:
        account = s.exec(select(ChatGPTAccount).where(ChatGPTAccount.email == "tim@example.com")).one()
    assert account.automated and account.workspace_id == "ws-tim-1" and account.max_seats == 5
    assert decrypt_secret(account.access_token_enc) == ACCESS and ACCESS not in account.access_token_enc
    assert decrypt_secret(account.session_token_enc) == SESSION
    assert account.allow_list == ["bos@example.com", "mitra@example.com"]

    await user.open("/admin/accounts")  # a fresh page: the form's typing is gone
    row = next(r for r in _rows(user, "accounts-table") if r["email"] == "tim@example.com")
    assert row["mode_label"] == "Workspace · otomatis" and row["health_label"] == "Sehat"
    assert row["last_sync"] == "Belum pernah"
    user.find("accounts-table").trigger("edit", row)
    await user.should_see(marker="acc-access-token-saved")
    assert _texts(user, "acc-access-token-saved") == ["Access token: tersimpan ••••"]
    assert _texts(user, "acc-session-token-saved") == ["Session token: tersimpan ••••"]
    sent = _everything_sent(user)
    assert ACCESS not in sent and SESSION not in sent, "a stored token went back to the browser"
    assert user.client is not None
    [field] = [e for e in user.client.elements.values() if "acc-access-token" in e._markers]
    assert not field.visible  # until "Ubah", which shows an empty field
    user.find("acc-access-token-change").click()
    assert next(iter(user.find("acc-access-token").elements)).value == ""
    user.find("acc-seats").clear().type("6")
    assert await click_for_message(user, "acc-save") == "Akun disimpan"  # the empty token field keeps the token
    with db.read_session() as s:
        kept = s.get(ChatGPTAccount, account.id)
        assert kept is not None
    assert decrypt_secret(kept.access_token_enc) == ACCESS and kept.max_seats == 6


HEALTH_WORDS = {
    Health.OK: "Sehat",
    Health.TOKEN_EXPIRED: "Token kedaluwarsa",
    Health.FULL: "Penuh",
    Health.RESTRICTED: "Dibatasi",
    Health.BANNED: "Diblokir",
    Health.SUBSCRIPTION_ENDED: "Langganan habis",
    Health.UNREACHABLE: "Tak terjangkau",
}


async def test_each_account_shows_its_health_in_words_and_the_list_filters_by_it(user: User, owner) -> None:
    def work(s: Session) -> None:
        for n, health in enumerate(Health):
            account = add_account(
                session=s,
                actor=ADMIN,
                email=f"h{n}@example.com",
                pool="health",
                delivery="INVITE",
                driver="chatgpt",
                workspace_id=f"ws-{n}",
                access_token=f"token-{n}",
            )
            account.health, account.last_error = health, "" if health == Health.OK else "HTTP 401 on /accounts"
            account.last_sync_at = utcnow() - timedelta(minutes=5)
            s.add(account)

    db.in_transaction(work)
    await _login(user)
    await user.open("/admin/accounts")
    rows = {r["email"]: r for r in _rows(user, "accounts-table")}
    for n, health in enumerate(Health):
        row = rows[f"h{n}@example.com"]
        assert row["health_label"] == HEALTH_WORDS[health], health
        assert row["last_sync"].startswith("5 menit lalu (") and row["last_sync"].endswith(" WIB)")
        assert (row["problem"] == "") == (health == Health.OK), (health, row["problem"])
        assert "HTTP" not in row["problem"] and "TOKEN" not in row["problem"]
    assert rows["h1@example.com"]["problem"].startswith("ChatGPT menolak token akses")
    assert rows["demo-1@demo.aksesgpt.invalid"]["last_sync"] == "—"  # not automated: never synced
    assert not set(HEALTH_WORDS.values()) - {r["health_label"] for r in rows.values()}

    next(iter(user.find("health-filter").elements)).value = "BANNED"
    await asyncio.sleep(0.5)
    assert [r["email"] for r in _rows(user, "accounts-table")] == ["h4@example.com"]
    await user.open("/admin/accounts?health=TOKEN_EXPIRED")  # the overview's links
    assert [r["email"] for r in _rows(user, "accounts-table")] == ["h1@example.com"]


async def test_the_account_page_lists_the_workspace_and_its_tasks_and_its_buttons_work(
    user: User, owner, sim: ChatGPTSimServer, worker: WorkspaceWorker
) -> None:
    sim.create_workspace("ws-uji", ACCESS, 5)
    account = _automated_account()
    joined, pending = _buy("anggota@example.com"), _buy("tertunda@example.com")
    worker.run_tasks()  # the invitations go out
    worker.run_tasks(now=utcnow() + timedelta(minutes=1))  # and are seen in the workspace's list
    sim.control("POST", "/workspaces/ws-uji/accept", email="anggota@example.com")
    sim.control("POST", "/workspaces/ws-uji/add_member", email="tetangga@example.com")

    await _login(user)
    await user.open(f"/admin/accounts/{account.id}")
    await user.should_see(marker="sync-now")
    await user.should_see("Belum pernah disinkronkan")
    assert (await click_for_message(user, "sync-now")).startswith("Disinkronkan: 2 anggota, 1 undangan, 1 tak dikenal")
    await user.should_see("tetangga@example.com")
    assert "anggota@example.com" in _texts(user, "members-list")
    assert "tertunda@example.com" in _texts(user, "invites-list")
    assert "tetangga@example.com" in _texts(user, "strangers-list")
    assert "tetangga@example.com" not in _texts(user, "members-list")
    assert any(t.startswith("Anggota · pertama terlihat baru saja") for t in _texts(user, "strangers-list"))
    tasks = _texts(user, "tasks-list")
    assert "Undang tertunda@example.com" in tasks and "Selesai" in tasks
    assert any(t.endswith("Undangan terkirim") for t in tasks), tasks
    assert any(t.endswith("Dikonfirmasi: undangan terlihat") for t in tasks), tasks
    seats = _texts(user, "seats-list")
    assert "anggota@example.com" in seats and any(t.startswith("Sudah bergabung") for t in seats), seats
    assert _texts(user, "last-sync")[0].startswith("baru saja")

    assert user.client is not None
    buttons = [b for b in user.client.elements.values() if isinstance(b, ui.button)]
    actions = [b for b in buttons if "min-h-[44px]" in b.classes]
    assert {b.text for b in actions} >= {"Sinkronkan sekarang", "Tandai diblokir", "Ubah akun", "Lihat penugasan"}
    assert all(b.text or b.props.get("aria-label") for b in actions), "every action says what it does"

    assert (await click_for_message(user, "allow-stranger")) == "tetangga@example.com ditambahkan ke daftar izin"
    with db.read_session() as s:
        allowed = s.get(ChatGPTAccount, account.id)
        seen = s.exec(select(WorkspaceSeen).where(WorkspaceSeen.email == "tetangga@example.com")).one()
    assert allowed is not None and allowed.allow_list == ["tetangga@example.com"] and not seen.is_stranger
    await user.should_see(marker="members-list")
    for _ in range(50):  # the page draws itself again with the news
        if "tetangga@example.com" in _texts(user, "members-list"):
            break
        await asyncio.sleep(0.1)
    assert "tetangga@example.com" in _texts(user, "members-list")
    assert (await click_for_message(user, "sync-now")).startswith("Disinkronkan: 2 anggota, 1 undangan, 0 tak dikenal")
    assert joined.id and pending.id


async def test_a_failed_sync_is_said_in_words(
    user: User, owner, sim: ChatGPTSimServer, worker: WorkspaceWorker
) -> None:
    sim.create_workspace("ws-uji", "the-real-token", 5)
    account = _automated_account(token="a-token-the-service-refuses")
    await _login(user)
    await user.open(f"/admin/accounts/{account.id}")
    assert await click_for_message(user, "sync-now") == "Sinkronisasi gagal: token akses ditolak"
    await user.should_see(marker="account-problem")
    assert _texts(user, "account-problem") == ["ChatGPT menolak token akses. Tempel token baru di form akun."]
    chip = next(iter(user.find("health-chip").elements))
    assert chip.text == "Token kedaluwarsa"


def _seat_of(order_email: str) -> AccountAssignment:
    with db.read_session() as s:
        return s.exec(
            select(AccountAssignment).where(
                AccountAssignment.customer_email == order_email, AccountAssignment.status == AssignmentStatus.ACTIVE
            )
        ).one()


async def test_marking_an_account_banned_moves_its_customer_and_healthy_takes_it_back(user: User, owner) -> None:
    first = _buy("pelanggan@example.com", slug="paket-30-hari")
    await _login(user)
    await user.open(f"/admin/accounts/{first.chatgpt_account_id}")
    user.find("mark-banned").click()
    assert await click_for_message(user, "health-yes") == "Tulis alasannya dulu"
    user.find("health-reason").type("diblokir OpenAI")
    assert await click_for_message(user, "health-yes") == "Akun ditandai diblokir"
    moved = _seat_of("pelanggan@example.com")
    assert moved.chatgpt_account_id != first.chatgpt_account_id and moved.end_at == first.end_at
    with db.read_session() as s:
        old = s.get(AccountAssignment, first.id)
        banned = s.get(ChatGPTAccount, first.chatgpt_account_id)
    assert old is not None and old.status == AssignmentStatus.REVOKED
    assert banned is not None and banned.health == Health.BANNED and banned.last_error == "diblokir OpenAI"
    for _ in range(50):
        if next(iter(user.find("health-chip").elements)).text == "Diblokir":
            break
        await asyncio.sleep(0.1)
    assert next(iter(user.find("health-chip").elements)).text == "Diblokir"
    user.find("mark-healthy").click()
    assert await click_for_message(user, "health-yes") == "Akun ditandai sehat"
    with db.read_session() as s:
        healthy = s.get(ChatGPTAccount, first.chatgpt_account_id)
    assert healthy is not None and healthy.health == Health.OK


async def test_replace_customers_now_moves_those_who_waited_for_a_seat(user: User, owner) -> None:
    seat = _buy("menunggu@example.com", slug="paket-30-hari")

    def only_this_account(s: Session) -> list[int]:
        others = list(
            s.exec(
                select(ChatGPTAccount).where(
                    ChatGPTAccount.pool == "default", ChatGPTAccount.id != seat.chatgpt_account_id
                )
            )
        )
        for other in others:
            other.status = AccountStatus.SUSPENDED
            s.add(other)
        mark_health(session=s, account_id=seat.chatgpt_account_id, health="BANNED", actor=ADMIN, reason="mati")
        return [o.id or 0 for o in others]

    others = db.in_transaction(only_this_account)
    assert _seat_of("menunggu@example.com").id == seat.id  # no healthy seat: the customer waits

    def one_back(s: Session) -> None:
        account = s.get(ChatGPTAccount, others[0])
        assert account is not None
        account.status = AccountStatus.AVAILABLE
        s.add(account)

    db.in_transaction(one_back)
    await _login(user)
    await user.open(f"/admin/accounts/{seat.chatgpt_account_id}")
    assert await click_for_message(user, "replace-now") == "1 pelanggan dipindahkan ke akun sehat; akses baru dikirim"
    assert _seat_of("menunggu@example.com").chatgpt_account_id == others[0]


async def test_the_invite_queue_leaves_the_workers_seats_alone_until_a_task_fails(user: User, owner) -> None:
    _automated_account()
    seat = _buy("otomatis@example.com")
    await _login(user)
    await user.open("/admin/assignments")
    row = next(r for r in _rows(user, "assignments-table") if r["id"] == seat.id)
    assert (row["invite_label"], row["by_hand"], row["work_note"]) == (
        "Perlu diundang",
        False,
        "Otomatis: sedang diundang…",
    )
    next(iter(user.find("invite-filter").elements)).value = InviteState.TO_INVITE.value
    await asyncio.sleep(0.5)
    assert seat.id not in [r["id"] for r in _rows(user, "assignments-table")], "the worker's seat is not a to-do"
    user.find("assignments-table").trigger("invited", row)  # a row drawn before: refused while the task is open
    await user.should_see("Proses otomatis sedang menangani kursi ini", retries=50)
    with db.read_session() as s:
        still = s.get(AccountAssignment, seat.id)
    assert still is not None and still.invite_state == InviteState.TO_INVITE

    def give_up(s: Session) -> None:
        task = s.exec(select(WorkspaceTask).where(WorkspaceTask.assignment_id == seat.id)).one()
        task.status, task.done_at = TaskStatus.FAILED, utcnow()
        task.last_error = "ChatGPT unavailable for workspace ws-uji: HTTP 502 (10 attempts)"
        s.add(task)

    db.in_transaction(give_up)
    await user.open("/admin/assignments")
    next(iter(user.find("invite-filter").elements)).value = InviteState.TO_INVITE.value
    await asyncio.sleep(0.5)
    [row] = [r for r in _rows(user, "assignments-table") if r["id"] == seat.id]
    assert row["by_hand"] is True
    assert row["work_note"] == "Otomatis gagal: ChatGPT tidak bisa dihubungi — kerjakan manual"
    user.find("assignments-table").trigger("invited", row)
    await user.should_see("Ditandai sudah diundang", retries=50)
    with db.read_session() as s:
        done = s.get(AccountAssignment, seat.id)
    assert done is not None and done.invite_state == InviteState.INVITED

    def joined(s: Session) -> None:
        done = s.get(AccountAssignment, seat.id)
        assert done is not None
        done.invite_state = InviteState.JOINED
        s.add(done)

    db.in_transaction(joined)
    await user.open("/admin/assignments")
    row = next(r for r in _rows(user, "assignments-table") if r["id"] == seat.id)
    assert row["invite_label"] == "Sudah bergabung" and row["status_label"] == "Aktif"


async def test_the_overview_counts_accounts_by_health_and_links_the_unhealthy(user: User, owner) -> None:
    def work(s: Session) -> int:
        target = s.exec(select(ChatGPTAccount).order_by(col(ChatGPTAccount.id))).first()
        assert target is not None and target.id
        mark_health(session=s, account_id=target.id, health="BANNED", actor=ADMIN, reason="diblokir")
        return target.id

    banned_id = db.in_transaction(work)
    await _login(user)
    await user.should_see(marker="accounts-health", retries=50)
    assert next(iter(user.find("health-count-BANNED").elements)).text == "Diblokir 1"
    healthy = next(iter(user.find("health-count-OK").elements)).text
    assert healthy.startswith("Sehat ") and int(healthy.split()[1]) >= 1
    link = next(iter(user.find("unhealthy-account").elements))
    assert isinstance(link, ui.link) and link.props["href"] == f"/admin/accounts/{banned_id}"
