"""The ChatGPT driver's pure parts, no server: reading a JWT's expiry, mapping errors, masking, pacing; and the
driver's reading of answers through a scripted Transport (the simulator tests are in tests/integration)."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from domain.workspaces.driver import (
    Health,
    Invite,
    WorkspaceAccess,
    WorkspaceDead,
    WorkspaceFailure,
    WorkspaceFull,
    WorkspaceTokenExpired,
    WorkspaceUnavailable,
)
from integrations.chatgpt import (
    BANNED,
    FULL,
    INVITED,
    MEMBER,
    SESSION_COOKIE,
    ChatGPTDriver,
    ErrorInfo,
    Reply,
    TokenBucket,
    TransportError,
    classify,
    error_info,
    is_cloudflare,
    jwt_expiry,
    mask_email,
    retry_after,
    scrub,
    set_cookies,
)


def jwt(exp: float | None, **claims: Any) -> str:
    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    if exp is not None:
        claims["exp"] = exp
    return f"{part({'alg': 'RS256', 'typ': 'JWT'})}.{part(claims)}.c2lnbmF0dXJl"


# -- JWT expiry ---------------------------------------------------------------------------------------------------


def test_jwt_expiry_reads_exp_without_verifying() -> None:
    when = datetime(2031, 5, 4, 3, 2, 1, tzinfo=UTC)
    assert jwt_expiry(jwt(when.timestamp(), sub="user-1")) == when


def test_jwt_expiry_pads_base64url_payloads_of_every_length() -> None:
    for filler in ("", "a", "ab", "abc"):
        assert jwt_expiry(jwt(2_000_000_000, x=filler)) == datetime.fromtimestamp(2_000_000_000, tz=UTC)


@pytest.mark.parametrize(
    "token",
    [
        "",
        "opaque-access-token",
        "a.b",
        "a.b.c.d",
        "x.!!!.y",
        jwt(None, sub="user-1"),  # no exp
        jwt("soon"),  # type: ignore[arg-type]
        "eyJ.bm90IGpzb24.x",  # payload not JSON
        "eyJ.WzEsMl0.x",  # payload a list
        jwt(1e20),  # beyond datetime
    ],
)
def test_jwt_expiry_is_none_for_anything_else(token: str) -> None:
    assert jwt_expiry(token) is None


# -- error mapping ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "code", "message"),
    [
        (
            {"detail": "Workspace has reached maximum number of seats"},
            "",
            "Workspace has reached maximum number of seats",
        ),
        ({"detail": {"code": "account_deactivated", "message": "gone"}}, "account_deactivated", "gone"),
        ({"error": {"code": "token_expired", "message": "Token is expired"}}, "token_expired", "Token is expired"),
        ({"error": "no seats available"}, "", "no seats available"),
        ({"code": "user_not_found", "message": "x"}, "user_not_found", "x"),
        ({"detail": [{"msg": "field required"}]}, "", "field required"),
    ],
)
def test_error_info_reads_every_nesting(body: Any, code: str, message: str) -> None:
    assert error_info(body) == ErrorInfo(code=code, message=message)


def test_error_info_falls_back_to_the_raw_text() -> None:
    assert error_info(object(), b"upstream connect error") == ErrorInfo(message="upstream connect error")


@pytest.mark.parametrize(
    ("info", "kind"),
    [
        *[(ErrorInfo(code=c), BANNED) for c in ("account_deactivated", "deactivated_workspace", "token_invalidated")],
        *[(ErrorInfo(code=c), BANNED) for c in ("account_suspended", "account_not_found", "user_not_found")],
        (ErrorInfo(message="Your OpenAI account has been deactivated"), BANNED),
        (ErrorInfo(message="Error: account_deactivated"), BANNED),
        (ErrorInfo(message="Encountered token_invalidated while authenticating"), BANNED),
        (ErrorInfo(message="This workspace has reached the maximum number of seats"), FULL),
        (ErrorInfo(message="No seats available"), FULL),
        (ErrorInfo(code="max_seats_reached"), FULL),
        (ErrorInfo(message="User is already a member of this workspace"), MEMBER),
        (ErrorInfo(message="already in workspace"), MEMBER),
        (ErrorInfo(message="This user has already been invited"), INVITED),
        (ErrorInfo(code="already_invited"), INVITED),
        (ErrorInfo(code="token_expired", message="Your authentication token has expired"), ""),
        (ErrorInfo(message="Something went wrong"), ""),
        (ErrorInfo(), ""),
    ],
)
def test_classify_maps_what_the_peers_match(info: ErrorInfo, kind: str) -> None:
    assert classify(info) == kind


def test_a_ban_outranks_the_other_words() -> None:
    assert classify(ErrorInfo(code="deactivated_workspace", message="maximum number of seats")) == BANNED
    assert classify(ErrorInfo(message="already reached the maximum number of seats")) == FULL


# -- masking ------------------------------------------------------------------------------------------------------


def test_mask_email() -> None:
    assert mask_email("Alice.Smith@example.com") == "A***@example.com"
    assert mask_email("not an address") == "***"


def test_scrub_masks_addresses_and_removes_tokens() -> None:
    token = jwt(2_000_000_000, email="alice@example.com")
    text = scrub(f"invite for alice@example.com failed, token {token} and secret s3cr3t-session", "s3cr3t-session")
    assert "alice@" not in text and "a***@example.com" in text
    assert token not in text and "s3cr3t" not in text and "[token]" in text
    assert len(scrub("x" * 1000)) <= 201


# -- retry signals ------------------------------------------------------------------------------------------------


def test_cloudflare_challenges_are_recognised() -> None:
    html = {"content-type": "text/html; charset=UTF-8"}
    assert is_cloudflare(Reply(403, html, b"<title>Just a moment...</title>"))
    assert is_cloudflare(Reply(403, {"cf-mitigated": "challenge"}, b""))
    assert is_cloudflare(Reply(503, html, b'<script src="/cdn-cgi/challenge-platform/x.js">'))
    assert not is_cloudflare(Reply(403, {"content-type": "application/json"}, b'{"detail": "Just a moment"}'))
    assert not is_cloudflare(Reply(200, html, b"Just a moment"))


def test_retry_after_seconds_and_dates() -> None:
    assert retry_after(Reply(429, {"retry-after": "7"}, b"")) == 7.0
    assert retry_after(Reply(429, {}, b"")) is None
    assert retry_after(Reply(429, {"retry-after": "soon"}, b"")) is None
    later = (datetime.now(UTC) + timedelta(seconds=30)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    assert 25 <= (retry_after(Reply(429, {"retry-after": later}, b"")) or 0) <= 30


def test_set_cookies_reads_each_line() -> None:
    lines = [f"{SESSION_COOKIE}=new-session; Path=/; HttpOnly; Secure", "other=1; Path=/", "garbage\x00"]
    assert set_cookies(lines)[SESSION_COOKIE] == "new-session"


def test_replies_and_access_never_print_a_token() -> None:
    access = WorkspaceAccess(account_id=1, workspace_id="ws-1", access_token="AT-secret", session_token="ST-secret")
    reply = Reply(200, {"set-cookie": "ST-secret"}, b'{"accessToken": "AT-secret"}', {"x": "ST-secret"})
    assert "secret" not in repr(access) + repr(reply) + repr(ChatGPTDriver(transport=Script()))


# -- pacing -------------------------------------------------------------------------------------------------------


def test_token_bucket_lets_a_burst_through_then_paces() -> None:
    now = [0.0]
    bucket = TokenBucket(60, burst=3, clock=lambda: now[0])
    assert [bucket.reserve("ws") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert bucket.reserve("ws") == pytest.approx(1.0)  # one a second at 60 a minute
    assert bucket.reserve("ws") == pytest.approx(2.0)  # the next waiter queues behind
    assert bucket.reserve("other") == 0.0  # each workspace counts alone
    now[0] = 10.0
    assert bucket.reserve("ws") == 0.0


def test_token_bucket_blocks_until_allowed() -> None:
    bucket = TokenBucket(600, burst=1)  # ten a second
    started = time.monotonic()
    for _ in range(4):
        bucket.wait("ws")
    assert time.monotonic() - started >= 0.25


# -- the driver against a scripted transport ----------------------------------------------------------------------

Answer = tuple[int, Any] | tuple[int, Any, Mapping[str, str]] | Reply | Exception


class Script:
    """A Transport that answers from a list and remembers what it was asked."""

    def __init__(self, *answers: Answer) -> None:
        self.answers = list(answers)
        self.calls: list[dict[str, Any]] = []

    def request(self, method: str, url: str, **kwargs: Any) -> Reply:
        self.calls.append({"method": method, "url": url, **kwargs})
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        if isinstance(answer, Reply):
            return answer
        status, body, *headers = answer
        return Reply(
            status, headers[0] if headers else {}, body if isinstance(body, bytes) else json.dumps(body).encode()
        )

    def close(self) -> None:
        pass


def driver(*answers: Answer) -> tuple[ChatGPTDriver, Script]:
    script = Script(*answers)
    return ChatGPTDriver(api_base="https://x/backend-api", auth_base="https://x", transport=script, backoff_s=0), script


def access(token: str = "AT-1", session: str = "ST-1") -> WorkspaceAccess:
    return WorkspaceAccess(account_id=7, workspace_id="ws-1", access_token=token, session_token=session)


def test_invite_sends_the_web_apps_request_and_reads_the_invite() -> None:
    d, script = driver((200, {"account_invites": [{"id": "inv-1", "email_address": "bob@example.com"}]}))
    assert d.invite(access(), " Bob@Example.com ") == Invite("bob@example.com", "inv-1")
    call = script.calls[0]
    assert (call["method"], call["url"]) == ("POST", "https://x/backend-api/accounts/ws-1/invites")
    assert call["json"] == {"email_addresses": ["bob@example.com"], "role": "standard-user", "resend_emails": False}
    assert call["headers"]["Authorization"] == "Bearer AT-1"
    assert call["headers"]["chatgpt-account-id"] == "ws-1"
    assert call["headers"]["Origin"] == "https://chatgpt.com"
    assert call["headers"]["User-Agent"].startswith("Mozilla/5.0")


def test_ghost_and_errored_emails() -> None:
    assert driver((200, {"account_invites": [], "errored_emails": []}))[0].invite(access(), "a@example.com") is None
    refused = {
        "account_invites": [],
        "errored_emails": [{"email_address": "a@example.com", "error": "No seats available"}],
    }
    with pytest.raises(WorkspaceFull):
        driver((200, refused))[0].invite(access(), "a@example.com")
    member = {"account_invites": [], "errored_emails": [{"email": "a@example.com", "error": "already a member"}]}
    assert driver((200, member))[0].invite(access(), "a@example.com") == Invite("a@example.com")


def test_already_invited_returns_the_listed_invite() -> None:
    d, script = driver(
        (409, {"detail": "a@example.com has already been invited"}),
        (200, {"items": [{"id": "inv-9", "email_address": "a@example.com"}], "total": 1}),
    )
    assert d.invite(access(), "a@example.com") == Invite("a@example.com", "inv-9")
    assert script.calls[1]["params"] == {"offset": 0, "limit": 50}


def test_refusals_name_status_and_endpoint_but_no_address() -> None:
    d, _ = driver((400, {"detail": "Invalid email a@example.com"}))
    with pytest.raises(WorkspaceFailure) as caught:
        d.invite(access(), "a@example.com")
    assert type(caught.value) is WorkspaceFailure
    assert "HTTP 400 on POST /accounts/ws-1/invites" in str(caught.value)
    assert "a@example.com" not in str(caught.value)


def test_a_ban_code_is_dead_whatever_the_call() -> None:
    d, _ = driver((401, {"error": {"code": "account_deactivated", "message": "deactivated"}}))
    with pytest.raises(WorkspaceDead) as caught:
        d.list_members(access())
    assert caught.value.health is Health.BANNED and not caught.value.transient


def test_removing_someone_already_gone_is_success() -> None:
    d, _ = driver((404, {"detail": {"code": "user_not_found", "message": "no such user"}}), (404, b""))
    d.remove_member(access(), "user-1")
    d.cancel_invite(access(), "a@example.com")


def test_retries_then_unavailable_naming_status_and_endpoint() -> None:
    d, script = driver((500, b"oops"), (429, {}, {"retry-after": "0"}), TransportError("ConnectError"), (502, b""))
    with pytest.raises(WorkspaceUnavailable) as caught:
        d.check(access())
    assert len(script.calls) == 4
    assert "HTTP 502 on GET /accounts/check/v4-2023-04-27" in str(caught.value)


def test_401_renews_from_the_session_token_and_sends_again() -> None:
    new = jwt(time.time() + 86400)
    d, script = driver(
        (401, {"detail": {"code": "token_expired"}}),
        Reply(200, {}, json.dumps({"accessToken": new}).encode(), cookies={SESSION_COOKIE: "ST-2"}),
        (200, {"items": [], "total": 0}),
    )
    a = access()
    assert d.list_invites(a) == []
    assert (a.access_token, a.session_token, a.renewed) == (new, "ST-2", True)
    assert script.calls[1]["url"] == "https://x/api/auth/session"
    assert script.calls[1]["cookies"] == {SESSION_COOKIE: "ST-1"}
    assert script.calls[2]["headers"]["Authorization"] == f"Bearer {new}"


def test_a_refused_renewal_or_none_possible_is_token_expired() -> None:
    with pytest.raises(WorkspaceTokenExpired):
        driver((401, {}))[0].list_members(access(session=""))
    with pytest.raises(WorkspaceTokenExpired):
        driver((401, {}), (200, {}))[0].list_members(access())  # next-auth answers {} for a dead session
    with pytest.raises(WorkspaceTokenExpired):
        driver((401, {}), (200, {"accessToken": "AT-2"}), (401, {}))[0].list_members(access())


def test_an_access_token_about_to_expire_is_renewed_first() -> None:
    d, script = driver((200, {"accessToken": "AT-new", "sessionToken": "ST-new"}), (200, {"items": [], "total": 0}))
    a = access(token=jwt(time.time() + 300))
    d.list_members(a)
    assert script.calls[0]["url"].endswith("/api/auth/session")
    assert (a.access_token, a.session_token, a.renewed) == ("AT-new", "ST-new", True)


def test_an_expired_access_token_without_session_token_fails_without_a_call() -> None:
    d, script = driver()
    with pytest.raises(WorkspaceTokenExpired):
        d.check(access(token=jwt(time.time() - 60), session=""))
    assert script.calls == []


def test_check_reads_the_plan_and_leaves_the_verdict_to_the_domain() -> None:
    body = {
        "accounts": {
            "ws-1": {
                "account": {"plan_type": "team", "account_user_role": "account-owner"},
                "entitlement": {"has_active_subscription": False, "expires_at": "2024-01-31T00:00:00Z"},
            }
        }
    }
    state = driver((200, body))[0].check(access())
    assert (state.plan, state.active_subscription) == ("team", False)
    assert state.expires_at == datetime(2024, 1, 31, tzinfo=UTC)
    with pytest.raises(WorkspaceDead):
        driver((200, {"accounts": {"other": {}}}))[0].check(access())
