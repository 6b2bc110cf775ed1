"""The ChatGPT workspace simulator over real HTTP: the service's endpoints and shapes, seats, lag, faults,
tokens and the control API other tests drive."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.chatgpt_sim_server import ChatGPTSimServer, chatgpt_sim_server, running_chatgpt_sim
from tests.live import base_env, free_port, start

WS, TOKEN, SESSION = "ws-aaaa-1111", "at-initial", "st-session"
COOKIE = "__Secure-next-auth.session-token"
INVITES = f"/accounts/{WS}/invites"
USERS = f"/accounts/{WS}/users"
CHECK = "/accounts/check/v4-2023-04-27"


@pytest.fixture(scope="module")
def server() -> Iterator[ChatGPTSimServer]:
    with chatgpt_sim_server() as server:
        yield server


@pytest.fixture
def sim(server: ChatGPTSimServer) -> ChatGPTSimServer:
    server.control("POST", "/reset")
    server.create_workspace(WS, TOKEN, 5, session_token=SESSION)
    return server


@pytest.fixture
def api(sim: ChatGPTSimServer) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {TOKEN}", "chatgpt-account-id": WS}
    with httpx.Client(base_url=sim.api_base, headers=headers, timeout=10) as client:
        yield client


def invite(api: httpx.Client, *emails: str, workspace: str = WS) -> httpx.Response:
    body = {"email_addresses": list(emails), "role": "standard-user", "resend_emails": True}
    return api.post(f"/accounts/{workspace}/invites", json=body)


def jwt_payload(token: str) -> dict:
    part = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


# --- control API shapes ----------------------------------------------------------------------------


def test_control_creates_a_workspace_and_describes_it_exactly(server: ChatGPTSimServer) -> None:
    server.control("POST", "/reset")
    body = {"workspace_id": "ws-new", "access_token": "at", "seats": 3, "unknown_field": 1}
    created = httpx.post(f"{server.url}/_control/workspaces", json=body)
    assert created.status_code == 201
    view = httpx.get(f"{server.url}/_control/workspaces/ws-new").json()
    assert {k: view[k] for k in ("members", "invites", "seats", "status")} == {
        "members": [],
        "invites": [],
        "seats": 3,
        "status": "active",
    }
    assert view["invites_sent"] == 0
    again = httpx.post(f"{server.url}/_control/workspaces", json=body)
    assert again.status_code == 409
    assert httpx.get(f"{server.url}/_control/workspaces/ws-missing").status_code == 404


def test_an_owner_given_at_creation_is_a_member_holding_a_seat(server: ChatGPTSimServer) -> None:
    server.control("POST", "/reset")
    view = server.create_workspace("ws-o", "at-o", 2, owner_email="Boss@Example.com")
    assert view["members"] == ["boss@example.com"]
    users = httpx.get(f"{server.api_base}/accounts/ws-o/users", headers={"Authorization": "Bearer at-o"}).json()
    assert users["items"][0]["role"] == "account-owner"
    removed = httpx.delete(
        f"{server.api_base}/accounts/ws-o/users/{users['items'][0]['id']}", headers={"Authorization": "Bearer at-o"}
    )
    assert removed.status_code == 403


# --- invites, members, seats ---------------------------------------------------------------------


def test_an_invite_answers_the_invite_and_counts_as_sent(sim: ChatGPTSimServer, api: httpx.Client) -> None:
    response = invite(api, "Budi@Example.com")
    assert response.status_code == 200
    body = response.json()
    assert body["errored_emails"] == []
    [created] = body["account_invites"]
    assert created["id"].startswith("invite-")
    assert created["email_address"] == "budi@example.com"
    assert created["role"] == "standard-user"
    assert created["created_time"]
    view = sim.workspace(WS)
    assert view["invites"] == ["budi@example.com"] and view["invites_sent"] == 1
    assert sim.control("GET", "/stats")["invites_created"] == {WS: 1}

    listed = api.get(INVITES, params={"offset": 0, "limit": 25, "query": ""}).json()
    assert listed == {"items": [created | {"is_scim_managed": False}], "total": 1, "offset": 0, "limit": 25}


def test_inviting_again_returns_the_same_invite_and_sends_nothing_new(sim: ChatGPTSimServer, api: httpx.Client) -> None:
    first = invite(api, "siti@example.com").json()["account_invites"][0]
    second = invite(api, "SITI@example.com").json()["account_invites"][0]
    assert second["id"] == first["id"]
    assert sim.workspace(WS)["invites_sent"] == 1


def test_inviting_a_member_answers_already_in_workspace(sim: ChatGPTSimServer, api: httpx.Client) -> None:
    sim.control("POST", f"/workspaces/{WS}/add_member", email="ani@example.com")
    body = invite(api, "ani@example.com").json()
    assert body["account_invites"] == []
    assert body["errored_emails"] == [
        {
            "email_address": "ani@example.com",
            "code": "already_member",
            "message": "ani@example.com is already in workspace",
        }
    ]
    assert sim.workspace(WS)["invites_sent"] == 0


def test_a_new_invite_is_listed_only_after_the_lag(server: ChatGPTSimServer) -> None:
    server.control("POST", "/reset")
    server.create_workspace("ws-lag", "at-lag", 5, list_lag_s=0.6)
    headers = {"Authorization": "Bearer at-lag", "chatgpt-account-id": "ws-lag"}
    with httpx.Client(base_url=server.api_base, headers=headers) as api:
        invite(api, "late@example.com", workspace="ws-lag")
        assert api.get("/accounts/ws-lag/invites").json()["total"] == 0
        assert server.workspace("ws-lag")["invites"] == ["late@example.com"]  # it exists and holds a seat
        time.sleep(0.7)
        assert [i["email_address"] for i in api.get("/accounts/ws-lag/invites").json()["items"]] == ["late@example.com"]


def test_the_lag_default_comes_from_the_config() -> None:
    with chatgpt_sim_server(list_lag_s=30) as server:
        server.create_workspace("ws-l", "at-l", 5)
        api = httpx.Client(base_url=server.api_base, headers={"Authorization": "Bearer at-l"})
        invite(api, "x@example.com", workspace="ws-l")
        assert api.get("/accounts/ws-l/invites").json()["items"] == []


def test_accepting_turns_the_invite_into_a_member(sim: ChatGPTSimServer, api: httpx.Client) -> None:
    invite(api, "dewi@example.com")
    view = sim.control("POST", f"/workspaces/{WS}/accept", email="dewi@example.com")
    assert view["members"] == ["dewi@example.com"] and view["invites"] == []
    assert api.get(INVITES).json()["items"] == []
    users = api.get(USERS, params={"offset": 0, "limit": 50}).json()
    [member] = users["items"]
    assert member["id"].startswith("user-") and member["email"] == "dewi@example.com"
    assert member["role"] == "standard-user" and "name" in member and member["created_time"]
    assert (users["total"], users["offset"], users["limit"]) == (1, 0, 50)
    missing = httpx.post(f"{sim.url}/_control/workspaces/{WS}/accept", json={"email": "nobody@example.com"})
    assert missing.status_code == 404


def test_members_come_in_pages_of_at_most_fifty(server: ChatGPTSimServer) -> None:
    server.control("POST", "/reset")
    server.create_workspace("ws-big", "at-big", 80)
    for n in range(61):
        server.control("POST", "/workspaces/ws-big/add_member", email=f"m{n:02}@example.com")
    api = httpx.Client(base_url=server.api_base, headers={"Authorization": "Bearer at-big"})
    first = api.get("/accounts/ws-big/users", params={"offset": 0, "limit": 100}).json()
    assert (len(first["items"]), first["total"], first["limit"]) == (50, 61, 50)
    second = api.get("/accounts/ws-big/users", params={"offset": 50, "limit": 50}).json()
    assert [m["email"] for m in second["items"]] == [f"m{n:02}@example.com" for n in range(50, 61)]
    assert len({m["id"] for m in first["items"] + second["items"]}) == 61
    assert api.get("/accounts/ws-big/users").json()["limit"] == 25  # the default page


def test_removing_a_member_frees_the_seat_and_a_second_removal_is_404(sim: ChatGPTSimServer, api: httpx.Client) -> None:
    sim.control("POST", f"/workspaces/{WS}/add_member", email="rudi@example.com")
    member_id = api.get(USERS).json()["items"][0]["id"]
    assert api.delete(f"{USERS}/{member_id}").json() == {"success": True}
    assert sim.workspace(WS)["members"] == []
    again = api.delete(f"{USERS}/{member_id}")
    assert again.status_code == 404 and again.json()["detail"]["code"] == "member_not_found"


def test_cancelling_an_invite_is_idempotent(sim: ChatGPTSimServer, api: httpx.Client) -> None:
    created = invite(api, "eka@example.com", "fajar@example.com").json()["account_invites"]
    response = api.request("DELETE", INVITES, json={"email_address": "EKA@example.com"})
    assert response.status_code == 200 and response.json() == {"success": True}
    assert api.request("DELETE", INVITES, json={"email_address": "eka@example.com"}).json() == {"success": True}
    assert api.delete(f"{INVITES}/{created[1]['id']}").json() == {"success": True}
    assert sim.workspace(WS)["invites"] == []


def test_a_full_workspace_refuses_new_invites_counting_pending_ones(server: ChatGPTSimServer) -> None:
    server.control("POST", "/reset")
    server.create_workspace("ws-full", "at-full", 2)
    api = httpx.Client(base_url=server.api_base, headers={"Authorization": "Bearer at-full"})
    server.control("POST", "/workspaces/ws-full/add_member", email="stranger@example.com")
    assert invite(api, "one@example.com", workspace="ws-full").status_code == 200
    full = invite(api, "two@example.com", workspace="ws-full")
    assert full.status_code == 400
    assert full.json() == {
        "detail": {"code": "max_seats_reached", "message": "Your workspace has reached the maximum number of seats"}
    }
    assert invite(api, "one@example.com", workspace="ws-full").status_code == 200  # already invited: still fine
    view = server.workspace("ws-full")
    assert view["invites"] == ["one@example.com"] and view["invites_sent"] == 1


def test_a_batch_that_does_not_fit_is_refused_whole(server: ChatGPTSimServer) -> None:
    server.control("POST", "/reset")
    server.create_workspace("ws-b", "at-b", 2)
    api = httpx.Client(base_url=server.api_base, headers={"Authorization": "Bearer at-b"})
    assert invite(api, "a@example.com", "b@example.com", "c@example.com", workspace="ws-b").status_code == 400
    assert server.workspace("ws-b")["invites"] == []


def test_concurrent_invites_never_pass_the_seat_cap(server: ChatGPTSimServer) -> None:
    server.control("POST", "/reset")
    server.create_workspace("ws-race", "at-race", 10)
    server.control("POST", "/latency", latency_ms=20)
    headers = {"Authorization": "Bearer at-race"}

    limits = httpx.Limits(max_connections=25)
    with httpx.Client(base_url=server.api_base, headers=headers, limits=limits) as api, ThreadPoolExecutor(25) as pool:
        answers = list(pool.map(lambda n: invite(api, f"r{n}@example.com", workspace="ws-race"), range(25)))
    statuses = [a.status_code for a in answers]
    assert statuses.count(200) == 10 and statuses.count(400) == 15
    assert server.workspace("ws-race")["invites_sent"] == 10


# --- faults ------------------------------------------------------------------------------------------


def test_a_ghost_invite_answers_success_and_creates_nothing(sim: ChatGPTSimServer, api: httpx.Client) -> None:
    sim.fault(WS, "ghost", 1)
    assert api.get(USERS).status_code == 200  # other calls pass and leave the ghost waiting
    ghost = invite(api, "hantu@example.com")
    assert ghost.status_code == 200 and ghost.json() == {"account_invites": [], "errored_emails": []}
    assert sim.workspace(WS)["invites"] == [] and sim.workspace(WS)["invites_sent"] == 0
    assert len(invite(api, "hantu@example.com").json()["account_invites"]) == 1  # only one call was ghosted


@pytest.mark.parametrize("mode", ["500", "429", "cloudflare"])
def test_failing_faults_fail_exactly_count_calls(sim: ChatGPTSimServer, api: httpx.Client, mode: str) -> None:
    sim.fault(WS, mode, 2)
    first, second = invite(api, "x@example.com"), api.get(USERS)
    third = api.get(USERS)
    assert third.status_code == 200
    assert sim.workspace(WS)["invites"] == []
    for failed in (first, second):
        if mode == "500":
            assert failed.status_code == 500 and failed.json()["detail"]["code"] == "internal_error"
        elif mode == "429":
            assert failed.status_code == 429 and failed.headers["retry-after"] == "1"
        else:
            assert failed.status_code == 403 and failed.headers["cf-mitigated"] == "challenge"
            assert failed.headers["content-type"].startswith("text/html") and "Just a moment..." in failed.text


def test_a_slow_call_answers_late_then_acts(sim: ChatGPTSimServer, api: httpx.Client) -> None:
    sim.fault(WS, "slow", 1, delay_s=0.4)
    started = time.monotonic()
    response = invite(api, "lambat@example.com")
    assert time.monotonic() - started >= 0.4
    assert response.status_code == 200 and sim.workspace(WS)["invites"] == ["lambat@example.com"]
    started = time.monotonic()
    api.get(USERS)
    assert time.monotonic() - started < 0.3


def test_a_slow_call_does_not_hold_up_the_others(sim: ChatGPTSimServer, api: httpx.Client) -> None:
    sim.fault(WS, "slow", 1, delay_s=1.0)
    with ThreadPoolExecutor(max_workers=2) as pool:
        slow = pool.submit(api.get, USERS)
        time.sleep(0.1)
        started = time.monotonic()
        assert api.get(INVITES).status_code == 200
        assert time.monotonic() - started < 0.5
        assert slow.result().status_code == 200


def test_the_slow_default_comes_from_the_config() -> None:
    with chatgpt_sim_server(slow_s=0.3) as server:
        server.create_workspace("ws-s", "at-s", 1)
        server.fault("ws-s", "slow")
        started = time.monotonic()
        httpx.get(f"{server.api_base}/accounts/ws-s/users", headers={"Authorization": "Bearer at-s"})
        assert time.monotonic() - started >= 0.3


def test_faults_for_one_workspace_leave_the_others_alone(sim: ChatGPTSimServer, api: httpx.Client) -> None:
    sim.create_workspace("ws-other", "at-other", 1)
    sim.fault(WS, "500", 5)
    other = httpx.get(f"{sim.api_base}/accounts/ws-other/users", headers={"Authorization": "Bearer at-other"})
    assert other.status_code == 200
    sim.fault(WS, "500", 0)  # count 0 clears
    assert api.get(USERS).status_code == 200


def test_an_unknown_fault_mode_is_refused(sim: ChatGPTSimServer) -> None:
    response = httpx.post(f"{sim.url}/_control/faults", json={"workspace_id": WS, "mode": "explode", "count": 1})
    assert response.status_code == 422


def test_latency_is_added_to_every_service_call(sim: ChatGPTSimServer, api: httpx.Client) -> None:
    sim.control("POST", "/latency", latency_ms=150)
    started = time.monotonic()
    api.get(USERS)
    assert time.monotonic() - started >= 0.15
    sim.control("POST", "/latency", latency_ms=0)
    stats = sim.control("GET", "/stats")
    assert stats["calls"]["GET /backend-api/accounts/{workspace_id}/users"] == 1
    assert stats["calls_by_workspace"][WS]["GET /backend-api/accounts/{workspace_id}/users"] == 1


# --- a dead workspace, tokens, the session ---------------------------------------------------------------


def test_a_deactivated_workspace_answers_every_call_as_deactivated(sim: ChatGPTSimServer, api: httpx.Client) -> None:
    invite(api, "x@example.com")
    assert sim.control("POST", f"/workspaces/{WS}/deactivate")["status"] == "deactivated"
    assert sim.workspace(WS)["status"] == "deactivated"
    calls = [
        invite(api, "y@example.com"),
        api.get(INVITES),
        api.request("DELETE", INVITES, json={"email_address": "x@example.com"}),
        api.get(USERS),
        api.delete(f"{USERS}/user-1"),
        api.get(CHECK),
    ]
    for response in calls:
        assert response.status_code == 402
        assert response.json()["detail"] == {"code": "deactivated_workspace", "message": "Workspace is deactivated"}


def test_wrong_missing_and_foreign_credentials(sim: ChatGPTSimServer, api: httpx.Client) -> None:
    wrong = httpx.get(f"{sim.api_base}{USERS}", headers={"Authorization": "Bearer nope", "chatgpt-account-id": WS})
    assert wrong.status_code == 401 and wrong.json()["detail"]["code"] == "invalid_token"
    assert httpx.get(f"{sim.api_base}{USERS}").status_code == 401
    other = api.get(USERS, headers={"chatgpt-account-id": "ws-someone-else"})
    assert other.status_code == 403 and other.json()["detail"]["code"] == "account_mismatch"
    unknown = api.get("/accounts/ws-gone/users", headers={"chatgpt-account-id": "ws-gone"})
    assert unknown.status_code == 404 and unknown.json()["detail"]["code"] == "account_not_found"
    assert "at-initial" not in wrong.text  # the answer never echoes a token


def test_an_expired_token_is_renewed_through_the_session(sim: ChatGPTSimServer, api: httpx.Client) -> None:
    sim.control("POST", f"/workspaces/{WS}/expire_token")
    expired = api.get(USERS)
    assert expired.status_code == 401 and expired.json()["detail"]["code"] == "token_expired"

    session = httpx.get(f"{sim.url}/api/auth/session", cookies={COOKIE: SESSION})
    assert session.status_code == 200
    body = session.json()
    assert body["sessionToken"] == SESSION and body["expires"] and body["user"]["email"]
    token = body["accessToken"]
    payload = jwt_payload(token)
    assert payload["exp"] > time.time() + 86400
    assert payload["https://api.openai.com/auth"]["chatgpt_account_id"] == WS
    assert api.get(USERS, headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert api.get(USERS).status_code == 401  # the old one stays expired


def test_an_unknown_session_answers_an_empty_object(sim: ChatGPTSimServer) -> None:
    response = httpx.get(f"{sim.url}/api/auth/session", cookies={COOKIE: "not-a-session"})
    assert response.status_code == 200 and response.json() == {}
    assert httpx.get(f"{sim.url}/api/auth/session").json() == {}


def test_session_tokens_rotate_when_configured() -> None:
    with chatgpt_sim_server(rotate_session_tokens=True, access_token_ttl_s=60) as server:
        server.create_workspace("ws-r", "at-r", 1, session_token="st-old")
        first = httpx.get(f"{server.url}/api/auth/session", cookies={COOKIE: "st-old"})
        rotated = first.json()["sessionToken"]
        assert rotated != "st-old" and first.cookies.get(COOKIE) == rotated
        assert 0 < jwt_payload(first.json()["accessToken"])["exp"] - time.time() <= 60
        assert httpx.get(f"{server.url}/api/auth/session", cookies={COOKIE: "st-old"}).json() == {}
        assert httpx.get(f"{server.url}/api/auth/session", cookies={COOKIE: rotated}).json()["accessToken"]


def test_faults_reach_the_session_endpoint_too(sim: ChatGPTSimServer) -> None:
    sim.fault(WS, "cloudflare", 1)
    blocked = httpx.get(f"{sim.url}/api/auth/session", cookies={COOKIE: SESSION})
    assert blocked.status_code == 403 and blocked.headers["cf-mitigated"] == "challenge"
    assert httpx.get(f"{sim.url}/api/auth/session", cookies={COOKIE: SESSION}).json()["accessToken"]


def test_check_describes_the_plan_and_the_end_of_the_subscription(sim: ChatGPTSimServer, api: httpx.Client) -> None:
    body = api.get(CHECK).json()
    entry = body["accounts"][WS]
    assert entry["account"]["account_id"] == WS and entry["account"]["plan_type"] == "team"
    assert entry["account"]["account_user_role"] == "account-owner" and entry["account"]["is_deactivated"] is False
    assert entry["entitlement"]["has_active_subscription"] is True
    assert entry["entitlement"]["subscription_plan"] == "chatgptteamplan" and entry["entitlement"]["seats"] == 5
    assert entry["entitlement"]["expires_at"] > time.strftime("%Y-%m-%d")
    # without the header, the token names the workspace (as one peer calls it)
    assert WS in httpx.get(f"{sim.api_base}{CHECK}", headers={"Authorization": f"Bearer {TOKEN}"}).json()["accounts"]

    sim.control("POST", f"/workspaces/{WS}/end_subscription")
    ended = api.get(CHECK).json()["accounts"][WS]["entitlement"]
    assert ended["has_active_subscription"] is False
    assert sim.workspace(WS)["subscription"] == "ended"


def test_reset_forgets_everything(sim: ChatGPTSimServer, api: httpx.Client) -> None:
    invite(api, "x@example.com")
    sim.control("POST", "/reset")
    assert httpx.get(f"{sim.url}/_control/workspaces/{WS}").status_code == 404
    assert sim.control("GET", "/stats") == {
        "calls": {},
        "calls_by_workspace": {},
        "invites_created": {},
        "latency_ms": 0,
    }


# --- how it runs ---------------------------------------------------------------------------------------


def test_running_chatgpt_sim_gives_a_base_url_and_stops() -> None:
    with running_chatgpt_sim(base_path="/chatgpt") as url:
        assert url.endswith("/chatgpt")
        httpx.post(f"{url}/_control/workspaces", json={"workspace_id": "w", "access_token": "t", "seats": 1})
        assert (
            httpx.get(f"{url}/backend-api/accounts/w/users", headers={"Authorization": "Bearer t"}).json()["total"] == 0
        )
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{url}/_control/health", timeout=2)


def test_it_runs_alone_as_a_module(tmp_path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    args = ["-m", "integrations.chatgpt_sim", "--port", str(port), "--workspace", "ws-cli:at-cli:3"]
    process = start("chatgpt-sim", args, base_env(), f"{url}/_control/health", tmp_path)
    try:
        assert httpx.get(f"{url}/_control/workspaces/ws-cli").json()["seats"] == 3
        answer = httpx.get(f"{url}/backend-api/accounts/ws-cli/users", headers={"Authorization": "Bearer at-cli"})
        assert answer.status_code == 200 and "server" not in answer.headers
    finally:
        process.stop()
    assert "at-cli" not in process.output()  # no token in its log
