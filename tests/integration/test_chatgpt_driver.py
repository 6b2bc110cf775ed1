"""The ChatGPT driver against the workspace simulator over real HTTP (integrations/chatgpt_sim): every call of the
WorkspaceDriver protocol, the answers the peers learnt to read as success, the failures the domain understands,
retries through fault bursts, and the access token renewed from the session token."""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from domain.workspaces.driver import (
    Health,
    Invite,
    WorkspaceAccess,
    WorkspaceDead,
    WorkspaceFull,
    WorkspaceTokenExpired,
    WorkspaceUnavailable,
)
from infra.settings import Settings
from integrations.chatgpt import ChatGPTDriver, jwt_expiry
from integrations.workspaces import build_workspace_driver
from tests.chatgpt_sim_server import running_chatgpt_sim


class Sim:
    """The simulator's control API, as a test drives it."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.http = httpx.Client(base_url=f"{url}/_control", timeout=10)

    def control(self, method: str, path: str, **body: Any) -> dict[str, Any]:
        response = self.http.request(method, path, json=body or None)
        response.raise_for_status()
        return response.json()

    def workspace(self, seats: int = 5, **extra: Any) -> WorkspaceAccess:
        """A new workspace and the credentials of its owner."""
        workspace_id = f"ws-{secrets.token_hex(6)}"
        access_token, session_token = f"at-{secrets.token_hex(16)}", f"st-{secrets.token_hex(24)}"
        body = {"workspace_id": workspace_id, "access_token": access_token, "seats": seats, "list_lag_s": 0}
        self.control("POST", "/workspaces", session_token=session_token, **body, **extra)
        return WorkspaceAccess(
            account_id=1, workspace_id=workspace_id, access_token=access_token, session_token=session_token
        )

    def view(self, access: WorkspaceAccess) -> dict[str, Any]:
        return self.control("GET", f"/workspaces/{access.workspace_id}")

    def act(self, access: WorkspaceAccess, action: str, **body: Any) -> dict[str, Any]:
        return self.control("POST", f"/workspaces/{access.workspace_id}/{action}", **body)

    def fault(self, access: WorkspaceAccess, mode: str, count: int = 1, **extra: Any) -> None:
        self.control("POST", "/faults", workspace_id=access.workspace_id, mode=mode, count=count, **extra)

    def calls(self, access: WorkspaceAccess) -> dict[str, int]:
        return self.control("GET", "/stats")["calls_by_workspace"].get(access.workspace_id, {})

    def driver(self, **options: Any) -> ChatGPTDriver:
        settings = {"rate_per_minute": 6000, "backoff_s": 0.01, "max_wait_s": 0.05, "timeout": 5.0, **options}
        return ChatGPTDriver(api_base=f"{self.url}/backend-api", auth_base=self.url, **settings)


@pytest.fixture(scope="module")
def sim() -> Iterator[Sim]:
    with running_chatgpt_sim() as url:
        sim = Sim(url)
        yield sim
        sim.http.close()


@pytest.fixture
def driver(sim: Sim) -> Iterator[ChatGPTDriver]:
    d = sim.driver()
    yield d
    d.close()


def email(prefix: str = "buyer") -> str:
    return f"{prefix}-{secrets.token_hex(4)}@example.com"


# -- the protocol, end to end -------------------------------------------------------------------------------------


def test_invite_list_accept_remove_cancel_and_check(sim: Sim, driver: ChatGPTDriver) -> None:
    ws = sim.workspace(seats=5, owner_email="owner@example.com")
    alice, bob = email("alice"), email("bob")

    invite = driver.invite(ws, alice)
    assert invite is not None and invite.email == alice and invite.invite_id.startswith("invite-")
    assert driver.list_invites(ws) == [invite]

    sim.act(ws, "accept", email=alice)
    assert driver.list_invites(ws) == []
    members = {m.email: m for m in driver.list_members(ws)}
    assert set(members) == {"owner@example.com", alice}
    assert members["owner@example.com"].role == "account-owner" and members[alice].role == "standard-user"

    driver.remove_member(ws, members[alice].member_id)
    driver.remove_member(ws, members[alice].member_id)  # gone already: still a success
    assert sim.view(ws)["members"] == ["owner@example.com"]

    assert driver.invite(ws, bob) is not None
    driver.cancel_invite(ws, bob)
    driver.cancel_invite(ws, bob)  # idempotent
    assert sim.view(ws)["invites"] == []

    state = driver.check(ws)
    assert (state.plan, state.active_subscription, state.seats) == ("team", True, 5)
    assert state.expires_at is not None and state.expires_at > datetime.now(UTC)
    assert not ws.renewed


def test_an_ended_subscription_is_reported_not_raised(sim: Sim, driver: ChatGPTDriver) -> None:
    ws = sim.workspace()
    sim.act(ws, "end_subscription")
    state = driver.check(ws)
    assert state.active_subscription is False
    assert state.expires_at is not None and state.expires_at <= datetime.now(UTC)


def test_already_invited_or_already_a_member_is_success(sim: Sim, driver: ChatGPTDriver) -> None:
    ws = sim.workspace()
    carol, dave = email("carol"), email("dave")
    first = driver.invite(ws, carol)
    assert driver.invite(ws, carol.upper()) == first
    assert sim.view(ws)["invites_sent"] == 1

    sim.act(ws, "add_member", email=dave)
    assert driver.invite(ws, dave) == Invite(email=dave)
    assert sim.view(ws)["invites"] == [carol]


def test_members_and_invites_are_read_page_by_page(sim: Sim, driver: ChatGPTDriver) -> None:
    ws = sim.workspace(seats=300)
    joined = {email(f"m{i}") for i in range(120)}
    for address in joined:
        sim.act(ws, "add_member", email=address)
    pending = {email(f"i{i}") for i in range(55)}
    for address in pending:
        driver.invite(ws, address)

    members = driver.list_members(ws)
    assert {m.email for m in members} == joined and len({m.member_id for m in members}) == 120
    assert {i.email for i in driver.list_invites(ws)} == pending
    calls = sim.calls(ws)
    assert calls["GET /backend-api/accounts/{workspace_id}/users"] == 3  # 50 + 50 + 20
    assert calls["GET /backend-api/accounts/{workspace_id}/invites"] == 2  # 50 + 5


# -- what the domain must hear ------------------------------------------------------------------------------------


def test_a_ghost_invite_is_none(sim: Sim, driver: ChatGPTDriver) -> None:
    ws = sim.workspace()
    sim.fault(ws, "ghost")
    assert driver.invite(ws, email()) is None
    assert sim.view(ws)["invites"] == []


def test_pending_invites_fill_seats_too(sim: Sim, driver: ChatGPTDriver) -> None:
    ws = sim.workspace(seats=2, owner_email="owner@example.com")
    assert driver.invite(ws, email()) is not None
    with pytest.raises(WorkspaceFull) as caught:
        driver.invite(ws, email())
    assert caught.value.health is Health.FULL and not caught.value.transient
    assert "HTTP 400 on POST /accounts/" in str(caught.value)


def test_a_deactivated_workspace_is_dead(sim: Sim, driver: ChatGPTDriver) -> None:
    ws = sim.workspace()
    sim.act(ws, "deactivate")
    for call in (lambda: driver.invite(ws, email()), lambda: driver.check(ws), lambda: driver.list_members(ws)):
        with pytest.raises(WorkspaceDead) as caught:
            call()
        assert caught.value.health is Health.BANNED and "deactivated_workspace" in str(caught.value)


@pytest.mark.parametrize("mode", ["429", "cloudflare"])
def test_a_burst_within_the_retries_is_survived(sim: Sim, driver: ChatGPTDriver, mode: str) -> None:
    """Refusals that come before the service acts (rate limit, the edge's challenge) are sent again."""
    ws = sim.workspace()
    sim.fault(ws, mode, count=3)
    assert driver.invite(ws, email()) is not None
    assert sim.calls(ws)["POST /backend-api/accounts/{workspace_id}/invites"] == 4


def test_an_invite_answered_5xx_is_not_sent_again_blindly(sim: Sim, driver: ChatGPTDriver) -> None:
    """A 5xx may come after the service acted: the invitation is not repeated inside the driver (the task looks
    at the workspace first); a read is retried as before."""
    ws = sim.workspace()
    sim.fault(ws, "500", count=1)
    with pytest.raises(WorkspaceUnavailable) as caught:
        driver.invite(ws, email())
    assert "may have acted" in str(caught.value) and caught.value.transient
    assert sim.calls(ws)["POST /backend-api/accounts/{workspace_id}/invites"] == 1
    sim.fault(ws, "500", count=3)
    assert driver.list_members(ws) == []


def test_an_invite_that_timed_out_is_not_sent_again(sim: Sim) -> None:
    ws = sim.workspace()
    driver = sim.driver(timeout=0.5)
    sim.fault(ws, "slow", count=1, delay_s=1.0)
    with pytest.raises(WorkspaceUnavailable):
        driver.invite(ws, email())
    time.sleep(0.8)  # the slow call acts after its delay
    assert sim.calls(ws)["POST /backend-api/accounts/{workspace_id}/invites"] == 1
    view = sim.view(ws)
    assert len(view["invites"]) == 1 and view["invites_resent"] == 0


@pytest.mark.parametrize(("mode", "said"), [("429", "HTTP 429"), ("500", "HTTP 500"), ("cloudflare", "Cloudflare")])
def test_a_burst_beyond_the_retries_is_unavailable(sim: Sim, driver: ChatGPTDriver, mode: str, said: str) -> None:
    ws = sim.workspace()
    sim.fault(ws, mode, count=4)
    with pytest.raises(WorkspaceUnavailable) as caught:
        driver.list_members(ws)
    message = str(caught.value)
    assert said in message and "GET /accounts/" in message and ws.access_token not in message
    assert caught.value.transient
    assert driver.list_members(ws) == []  # the burst is over


def test_retry_after_is_honoured(sim: Sim) -> None:
    ws = sim.workspace()
    sim.fault(ws, "429")  # the simulator asks for Retry-After: 1
    driver = sim.driver(max_wait_s=5.0)
    started = time.monotonic()
    driver.check(ws)
    assert time.monotonic() - started >= 1.0
    driver.close()


def test_a_call_that_times_out_is_sent_again(sim: Sim) -> None:
    ws = sim.workspace()
    sim.fault(ws, "slow", count=1, delay_s=1.5)
    driver = sim.driver(timeout=0.3)
    assert driver.check(ws).plan == "team"
    driver.close()


def test_calls_to_one_workspace_are_paced(sim: Sim) -> None:
    ws = sim.workspace()
    driver = sim.driver(rate_per_minute=600)  # ten a second after a burst of ten
    started = time.monotonic()
    for _ in range(15):
        driver.list_invites(ws)
    assert time.monotonic() - started >= 0.4
    driver.close()


def test_one_driver_serves_many_threads(sim: Sim, driver: ChatGPTDriver) -> None:
    ws = sim.workspace(seats=40)
    addresses = [email(f"t{i}") for i in range(24)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        invites = list(pool.map(lambda a: driver.invite(ws, a), addresses))
    assert [i.email if i else None for i in invites] == addresses
    assert sorted(sim.view(ws)["invites"]) == sorted(addresses)


# -- tokens -------------------------------------------------------------------------------------------------------


def test_an_expired_access_token_is_renewed_from_the_session_token(sim: Sim, driver: ChatGPTDriver) -> None:
    ws = sim.workspace()
    old = ws.access_token
    sim.act(ws, "expire_token")
    assert driver.list_members(ws) == []
    assert ws.renewed and ws.access_token != old
    expires = jwt_expiry(ws.access_token)
    assert expires is not None and expires > datetime.now(UTC)
    assert sim.calls(ws)["GET /api/auth/session"] == 1
    driver.list_invites(ws)  # the new token serves the next call without another renewal
    assert sim.calls(ws)["GET /api/auth/session"] == 1


def test_a_rotated_session_token_is_handed_back() -> None:
    with running_chatgpt_sim(rotate_session_tokens=True) as url:
        sim = Sim(url)
        ws = sim.workspace()
        old_session = ws.session_token
        sim.act(ws, "expire_token")
        driver = sim.driver()
        assert driver.check(ws).plan == "team"
        assert ws.renewed and ws.session_token != old_session
        sim.act(ws, "expire_token")  # the rotated session token renews again; the old one no longer would
        driver.check(ws)
        driver.close()
        sim.http.close()


def test_a_token_about_to_expire_is_renewed_before_the_call() -> None:
    with running_chatgpt_sim(access_token_ttl_s=300) as url:  # renewed tokens live 5 minutes: inside the margin
        sim = Sim(url)
        ws = sim.workspace()
        sim.act(ws, "expire_token")
        driver = sim.driver()
        driver.check(ws)  # 401, renewed, sent again
        first = ws.access_token
        driver.check(ws)  # renewed ahead of the call: no 401 this time
        assert ws.access_token != first
        assert sim.calls(ws)["GET /api/auth/session"] == 2
        assert sim.calls(ws)["GET /backend-api/accounts/check/v4-2023-04-27"] == 3
        driver.close()
        sim.http.close()


def test_without_a_usable_session_token_the_token_has_expired(sim: Sim, driver: ChatGPTDriver) -> None:
    ws = sim.workspace()
    sim.act(ws, "expire_token")
    for session_token in ("", "st-unknown"):
        access = WorkspaceAccess(1, ws.workspace_id, ws.access_token, session_token)
        with pytest.raises(WorkspaceTokenExpired) as caught:
            driver.invite(access, email())
        assert caught.value.health is Health.TOKEN_EXPIRED and not access.renewed
        assert ws.access_token not in str(caught.value)
    assert sim.view(ws)["invites"] == []


def test_no_token_or_address_reaches_the_log(sim: Sim, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    ws = sim.workspace(seats=1)
    tokens = [ws.access_token, ws.session_token]
    customer, stranger = email("secretive"), email("stranger")
    driver = sim.driver()
    sim.act(ws, "expire_token")
    driver.invite(ws, customer)
    tokens.append(ws.access_token)
    driver.invite(ws, customer)
    with pytest.raises(WorkspaceFull):
        driver.invite(ws, stranger)
    sim.fault(ws, "500", count=4)
    with pytest.raises(WorkspaceUnavailable):
        driver.cancel_invite(ws, customer)
    driver.cancel_invite(ws, customer)
    driver.check(ws)
    driver.close()

    text = caplog.text
    assert ws.renewed and "GET /api/auth/session -> 200" in text
    assert f"POST /accounts/{ws.workspace_id}/invites -> 400" in text and f"(workspace {ws.workspace_id}" in text
    for secret in tokens:
        assert secret not in text
    assert customer not in text and stranger not in text
    chatgpt_lines = [r for r in caplog.records if r.name == "aksesgpt.chatgpt"]
    assert all(ws.access_token not in str(r.args) for r in chatgpt_lines)


def test_the_builder_reads_the_settings(sim: Sim) -> None:
    settings = Settings(
        CHATGPT_API_BASE=f"{sim.url}/backend-api", CHATGPT_AUTH_BASE=sim.url, CHATGPT_RATE_PER_MINUTE=600
    )
    driver = build_workspace_driver(settings)
    ws = sim.workspace()
    assert driver.invite(ws, email()) is not None
    assert isinstance(driver, ChatGPTDriver) and driver.api_base == f"{sim.url}/backend-api"
    driver.close()
