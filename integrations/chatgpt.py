"""ChatGPT's web backend as a WorkspaceDriver: invites, members and the plan of one Team/Business workspace.

ChatGPT publishes no API for this: these are the endpoints its own web app uses, as the public seat managers call
them (facts and lessons: ../shared/reference/chatgpt-workspaces.md). Every shape is parsed defensively and every
surprise becomes a WorkspaceFailure, so the domain falls back to the owner's manual queue.

- HTTP goes through one small seam, `Transport` (default: httpx with CHATGPT_PROXY and CHATGPT_TIMEOUT_S), so a
  deployment can swap in a browser-impersonating client where Cloudflare blocks plain ones.
- The access token (a JWT) is renewed from the session token when it expires within 10 minutes, and when a call
  answers 401 (then the call is sent once more). The new tokens are written into the WorkspaceAccess with
  `renewed = True`; the caller stores them. No session token, or a refused one: WorkspaceTokenExpired.
- 408, 429, 5xx, transport errors and Cloudflare challenges are retried (1, 2, 4 s plus jitter, Retry-After
  honoured), then WorkspaceUnavailable. Calls to one workspace are paced (CHATGPT_RATE_PER_MINUTE).
- `check` returns the WorkspaceState as ChatGPT describes it and raises only when the workspace is banned or gone:
  whether an inactive or expired subscription ends sales is the domain's decision (Health.SUBSCRIPTION_ENDED).
- Tokens never reach a log line, an exception message or a repr; e-mail addresses are masked in both.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import random
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from http.cookiejar import CookieJar, DefaultCookiePolicy
from http.cookies import CookieError, SimpleCookie
from typing import Any, Protocol

import httpx

from domain.workspaces.driver import (
    Invite,
    Member,
    WorkspaceAccess,
    WorkspaceDead,
    WorkspaceFailure,
    WorkspaceFull,
    WorkspaceState,
    WorkspaceTokenExpired,
    WorkspaceUnavailable,
)

log = logging.getLogger("aksesgpt.chatgpt")

ORIGIN = "https://chatgpt.com"
SESSION_COOKIE = "__Secure-next-auth.session-token"
SESSION_PATH = "/api/auth/session"
CHECK_PATH = "/accounts/check/v4-2023-04-27"
# one fixed desktop browser; a per-deployment fingerprint belongs in a browser-impersonating Transport
USER_AGENT = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36"
)
PAGE_SIZE = 50  # the web app reads members 50 at a time
MAX_PAGES = 200  # 10,000 rows: a guard against a service that never says it is done
REFRESH_MARGIN = timedelta(minutes=10)  # renew an access token that expires sooner than this
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504, 520, 521, 522, 523, 524})

# what the peers match, in the error code or in the message (lower case)
BAN_CODES = (
    "account_deactivated",
    "deactivated_workspace",
    "token_invalidated",
    "account_suspended",
    "account_not_found",
    "user_not_found",
)
BAN_PHRASES = (
    "token has been invalidated",
    "account has been deactivated",
    "account is deactivated",
    "workspace has been deactivated",
    "workspace is deactivated",
    "account is suspended",
    "account has been suspended",
    "account was deleted",
)
# a 404 while removing someone says that someone is gone, not that the workspace is
GONE_CODES = ("user_not_found", "account_not_found")
FULL_PHRASES = (
    "maximum number of seats",
    "max number of seats",
    "no seats available",
    "no available seats",
    "max seats",
    "max_seats",
    "seat limit",
    "seats_exhausted",
)
MEMBER_PHRASES = (
    "already in workspace",
    "already in this workspace",
    "already in team",
    "already in the team",
    "already a member",
    "already member",
    "already_member",
    "already in account",
    "already_in_workspace",
    "already_in_account",
)
INVITED_PHRASES = (
    "already invited",
    "already been invited",
    "already_invited",
    "invite already exists",
    "already has a pending invite",
    "already has an invite",
    "pending invite",
)
NOT_FOUND_PHRASES = ("not found", "not_found", "does not exist", "no invite", "no such")

BANNED, FULL, MEMBER, INVITED = "banned", "full", "member", "invited"


# -- the HTTP seam ------------------------------------------------------------------------------------------------


class TransportError(Exception):
    """The call got no HTTP answer (timeout, refused, reset, TLS): retried, then WorkspaceUnavailable."""


@dataclass(frozen=True)
class Reply:
    status: int
    headers: Mapping[str, str]  # names in lower case
    body: bytes
    cookies: Mapping[str, str] = field(default_factory=dict)  # what the answer's Set-Cookie headers set

    def __repr__(self) -> str:  # a body or a cookie may carry a token
        return f"Reply(status={self.status})"


class Transport(Protocol):
    """Sends one HTTP request, keeps no cookies between calls, raises TransportError when no answer came."""

    def request(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str],
        json: Any = None,
        params: Mapping[str, str | int] | None = None,
        cookies: Mapping[str, str] | None = None,
    ) -> Reply: ...

    def close(self) -> None: ...


class HttpxTransport:
    """The default transport: one httpx client (connection pool, thread-safe) that stores no cookie, so one
    workspace's session never rides along on another's call."""

    def __init__(self, *, proxy: str = "", timeout: float = 20.0, transport: httpx.BaseTransport | None = None):
        self._http = httpx.Client(
            proxy=proxy or None,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            cookies=CookieJar(policy=DefaultCookiePolicy(allowed_domains=[])),
            follow_redirects=False,
            transport=transport,
        )

    def __repr__(self) -> str:  # the proxy URL may carry credentials
        return "HttpxTransport()"

    def request(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str],
        json: Any = None,
        params: Mapping[str, str | int] | None = None,
        cookies: Mapping[str, str] | None = None,
    ) -> Reply:
        sent = dict(headers)
        if cookies:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in cookies.items())
        try:
            response = self._http.request(method, url, headers=sent, json=json, params=params)
        except httpx.HTTPError as exc:  # never str(exc): it may quote the URL or a header
            raise TransportError(type(exc).__name__) from None
        return Reply(
            status=response.status_code,
            headers={name.lower(): value for name, value in response.headers.items()},
            body=response.content,
            cookies=set_cookies(response.headers.get_list("set-cookie")),
        )

    def close(self) -> None:
        self._http.close()


def set_cookies(lines: list[str]) -> dict[str, str]:
    """name → value of the cookies some Set-Cookie lines set."""
    found: dict[str, str] = {}
    for line in lines:
        jar: SimpleCookie = SimpleCookie()
        try:
            jar.load(line)
        except CookieError:
            continue
        found.update({name: morsel.value for name, morsel in jar.items()})
    return found


# -- reading answers ----------------------------------------------------------------------------------------------


def jwt_expiry(token: str) -> datetime | None:
    """When a JWT says it expires (its `exp`, read without verifying anything); None for anything else."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    payload = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload))
        return datetime.fromtimestamp(float(claims["exp"]), tz=UTC)
    except (binascii.Error, ValueError, TypeError, KeyError, OverflowError, OSError, RecursionError):
        return None


_EMAIL = re.compile(r"([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})")
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.?[A-Za-z0-9_-]*")


def mask_email(email: str) -> str:
    """a***@example.com: enough to tell two customers apart in a log, not to write to one."""
    local, at, domain = email.strip().partition("@")
    return f"{local[:1]}***@{domain}" if at else "***"


def scrub(text: str, *secrets: str) -> str:
    """Text from ChatGPT, fit for a log line or an exception: addresses masked, anything token-like removed."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "[token]")
    text = _JWT.sub("[token]", text)
    text = _EMAIL.sub(lambda m: f"{m.group(1)}***@{m.group(2)}", text)
    text = " ".join(text.split())
    return text[:200] + ("…" if len(text) > 200 else "")


@dataclass(frozen=True)
class ErrorInfo:
    """The code and message of an error answer, however ChatGPT nested them."""

    code: str = ""
    message: str = ""

    @property
    def text(self) -> str:
        return f"{self.code} {self.message}".lower()


def error_info(data: Any, raw: bytes = b"") -> ErrorInfo:
    """Reads {"detail": "…"}, {"detail": {"code", "message"}}, {"error": {"code", "message"}}, {"error": "…"},
    {"code", "message"} and, failing those, the raw text."""
    if isinstance(data, dict):
        code, message = "", ""
        for key in ("error", "detail"):
            inner = data.get(key)
            if isinstance(inner, dict):
                code = code or str(inner.get("code") or inner.get("type") or "")
                message = message or str(inner.get("message") or inner.get("detail") or "")
            elif isinstance(inner, str) and inner:
                message = message or inner
            elif isinstance(inner, list) and inner:  # FastAPI-style validation errors
                message = message or "; ".join(str(i.get("msg", i) if isinstance(i, dict) else i) for i in inner)
        code = code or str(data.get("code") or data.get("error_code") or "")
        message = message or str(data.get("message") or "")
        if code or message:
            return ErrorInfo(code=code, message=message)
    return ErrorInfo(message=raw[:500].decode("utf-8", "replace"))


def classify(info: ErrorInfo) -> str:
    """What an error says about the workspace or the address: BANNED, FULL, MEMBER, INVITED or ''."""
    text = info.text
    if info.code.lower() in BAN_CODES or any(c in text for c in BAN_CODES) or any(p in text for p in BAN_PHRASES):
        return BANNED
    if any(p in text for p in FULL_PHRASES):
        return FULL
    if any(p in text for p in MEMBER_PHRASES):
        return MEMBER
    if any(p in text for p in INVITED_PHRASES):
        return INVITED
    return ""


def is_cloudflare(reply: Reply) -> bool:
    """A Cloudflare challenge page instead of an answer (a plain HTTP client looks like a bot)."""
    if reply.status not in (403, 429, 503):
        return False
    if reply.headers.get("cf-mitigated", "").lower() == "challenge":
        return True
    if "html" not in reply.headers.get("content-type", "").lower():
        return False
    head = reply.body[:20000].decode("utf-8", "replace")
    return "Just a moment" in head or "challenge-platform" in head or "cf-chl" in head


def retry_after(reply: Reply) -> float | None:
    value = reply.headers.get("retry-after", "").strip()
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _when(value: Any) -> datetime | None:
    """An ISO 8601 string (Z or offset) or epoch seconds, as an aware datetime."""
    if value in (None, ""):
        return None
    try:
        if isinstance(value, int | float):
            return datetime.fromtimestamp(float(value), tz=UTC)
        parsed = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
    except (TypeError, ValueError, OverflowError, OSError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _seats(*sources: Any) -> int | None:
    for source in sources:
        if isinstance(source, dict):
            for key in ("seats", "num_seats", "seat_count", "max_seats", "total_seats"):
                value = source.get(key)
                if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
                    return value
    return None


# -- pacing -------------------------------------------------------------------------------------------------------


class TokenBucket:
    """At most `per_minute` calls a minute for each key, in bursts of up to `burst`; `wait` blocks until a call
    may go (thread-safe: each waiter reserves its slot before sleeping)."""

    def __init__(
        self,
        per_minute: int,
        *,
        burst: int | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.rate = max(1, per_minute) / 60.0
        self.capacity = float(burst if burst is not None else max(1, min(per_minute, 10)))
        self._clock, self._sleep = clock, sleep
        self._lock = threading.Lock()
        self._state: dict[str, tuple[float, float]] = {}  # key → (tokens, when counted)

    def reserve(self, key: str) -> float:
        """Takes a slot for `key` and says how many seconds to wait before using it."""
        with self._lock:
            now = self._clock()
            tokens, then = self._state.get(key, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - then) * self.rate) - 1.0
            self._state[key] = (tokens, now)
        return 0.0 if tokens >= 0 else -tokens / self.rate

    def wait(self, key: str) -> None:
        delay = self.reserve(key)
        if delay > 0:
            self._sleep(delay)


# -- the driver ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Answer:
    status: int
    data: Any
    error: ErrorInfo
    endpoint: str

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


class ChatGPTDriver:
    """WorkspaceDriver for ChatGPT Team/Business workspaces (or the simulator behind the same paths)."""

    def __init__(
        self,
        *,
        api_base: str = "https://chatgpt.com/backend-api",
        auth_base: str = ORIGIN,
        transport: Transport | None = None,
        proxy: str = "",
        timeout: float = 20.0,
        rate_per_minute: int = 30,
        retries: int = 3,
        backoff_s: float = 1.0,
        max_wait_s: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.api_base = api_base.rstrip("/")
        self.auth_base = auth_base.rstrip("/")
        self.transport: Transport = transport or HttpxTransport(proxy=proxy, timeout=timeout)
        self.retries = max(0, retries)
        self.backoff_s = backoff_s
        self.max_wait_s = max_wait_s  # the longest one retry waits, whatever Retry-After asks
        self._sleep = sleep
        self._bucket = TokenBucket(rate_per_minute, sleep=sleep)
        self._locks: dict[str, threading.Lock] = {}
        # per workspace, the last renewal: (access token, session token, the session token it was renewed from)
        self._latest: dict[str, tuple[str, str, str]] = {}
        self._locks_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"ChatGPTDriver(api_base={self.api_base!r})"

    def close(self) -> None:
        self.transport.close()

    # -- the protocol ---------------------------------------------------------------------------------------------

    def invite(self, access: WorkspaceAccess, email: str, *, resend: bool = False) -> Invite | None:
        """`resend`: ChatGPT e-mails a pending invitation again (a customer who says it never came)."""
        address = email.strip().lower()
        body = {"email_addresses": [address], "role": "standard-user", "resend_emails": resend}
        answer = self._call(access, "POST", f"/accounts/{access.workspace_id}/invites", json=body, acts=True)
        if not answer.ok:
            return self._existing(access, address, answer, answer.error)
        data = _dict(answer.data)
        invites = [i for i in data.get("account_invites") or [] if isinstance(i, dict)]
        for item in invites:
            if str(item.get("email_address") or item.get("email") or "").strip().lower() == address:
                return Invite(email=address, invite_id=str(item.get("id") or ""))
        if len(invites) == 1:  # one address sent, one invite back (ChatGPT may normalise the address)
            return Invite(email=address, invite_id=str(invites[0].get("id") or ""))
        for item in data.get("errored_emails") or []:  # a 200 can still refuse an address
            if isinstance(item, dict) and _address(item, address) == address:
                return self._existing(access, address, answer, error_info(item))
        log.warning(
            "chatgpt invite of %s answered %s without an invite (ghost) (workspace %s)",
            mask_email(address),
            answer.status,
            access.workspace_id,
        )
        return None

    def cancel_invite(self, access: WorkspaceAccess, email: str) -> None:
        address = email.strip().lower()
        answer = self._call(
            access, "DELETE", f"/accounts/{access.workspace_id}/invites", json={"email_address": address}
        )
        if answer.ok or self._gone(answer):
            return
        raise self._refusal(answer, access)

    def list_invites(self, access: WorkspaceAccess) -> list[Invite]:
        invites: dict[str, Invite] = {}
        for item in self._pages(access, f"/accounts/{access.workspace_id}/invites", ("items", "account_invites")):
            address = str(item.get("email_address") or item.get("email") or "").strip()
            if address:
                invites.setdefault(address.lower(), Invite(email=address, invite_id=str(item.get("id") or "")))
        return list(invites.values())

    def list_members(self, access: WorkspaceAccess) -> list[Member]:
        members: dict[str, Member] = {}
        for item in self._pages(access, f"/accounts/{access.workspace_id}/users", ("items", "users")):
            member_id = str(item.get("id") or item.get("user_id") or "")
            address = str(item.get("email") or item.get("email_address") or "").strip()
            if member_id and address:
                role = str(item.get("role") or "standard-user")
                members.setdefault(member_id, Member(email=address, member_id=member_id, role=role))
        return list(members.values())

    def remove_member(self, access: WorkspaceAccess, member_id: str) -> None:
        answer = self._call(access, "DELETE", f"/accounts/{access.workspace_id}/users/{member_id}")
        if answer.ok or self._gone(answer):
            return
        raise self._refusal(answer, access)

    def check(self, access: WorkspaceAccess) -> WorkspaceState:
        answer = self._call(access, "GET", CHECK_PATH)
        if not answer.ok:
            raise self._refusal(answer, access)
        data = _dict(answer.data)
        accounts = data.get("accounts")
        entry: Any = None
        if isinstance(accounts, dict):
            entry = accounts.get(access.workspace_id)
        elif isinstance(accounts, list):
            entry = next(
                (
                    a
                    for a in accounts
                    if isinstance(a, dict)
                    and access.workspace_id
                    in (a.get("account_id"), (a.get("account") or {}).get("account_id"), a.get("id"))
                ),
                None,
            )
        if not isinstance(entry, dict):
            raise WorkspaceDead(
                f"workspace {access.workspace_id} is not among the accounts its token can reach "
                f"(HTTP {answer.status} on {answer.endpoint})",
                workspace_id=access.workspace_id,
                endpoint=answer.endpoint,
            )
        account, entitlement = _dict(entry.get("account")), _dict(entry.get("entitlement"))
        active = entitlement.get("has_active_subscription")
        return WorkspaceState(
            plan=str(account.get("plan_type") or entitlement.get("subscription_plan") or ""),
            active_subscription=active if isinstance(active, bool) else True,
            expires_at=_when(entitlement.get("expires_at")),
            seats=_seats(entitlement, account, entry),
        )

    # -- answers the domain reads as success ----------------------------------------------------------------------

    def _existing(self, access: WorkspaceAccess, address: str, answer: _Answer, info: ErrorInfo) -> Invite:
        """The invite or membership an "already there" refusal speaks of; any other refusal raised."""
        kind = classify(info)
        if kind == MEMBER:
            log.info("chatgpt %s is already a member (workspace %s)", mask_email(address), access.workspace_id)
            return Invite(email=address)
        if kind == INVITED:
            log.info("chatgpt %s is already invited (workspace %s)", mask_email(address), access.workspace_id)
            listed = next((i for i in self.list_invites(access) if i.email.lower() == address), None)
            return listed or Invite(email=address)
        raise self._refusal(answer, access, info)

    @staticmethod
    def _gone(answer: _Answer) -> bool:
        """A removal whose target is no longer there: 404, or a refusal that says it is not found."""
        if answer.status == 404:
            return True
        return 400 <= answer.status < 500 and any(p in answer.error.text for p in NOT_FOUND_PHRASES)

    def _refusal(self, answer: _Answer, access: WorkspaceAccess, info: ErrorInfo | None = None) -> WorkspaceFailure:
        info = info or answer.error
        said = f"{info.code}: {info.message}" if info.code and info.message else info.code or info.message
        detail = scrub(said, access.access_token, access.session_token)
        where = f"HTTP {answer.status} on {answer.endpoint}"
        ws, status, endpoint = access.workspace_id, answer.status, answer.endpoint
        kind = classify(info)
        if kind == BANNED:
            return WorkspaceDead(
                f"workspace {ws} is banned or gone ({where}): {detail}",
                workspace_id=ws,
                status=status,
                endpoint=endpoint,
            )
        if kind == FULL:
            return WorkspaceFull(
                f"workspace {ws} has no seat left ({where}): {detail}",
                workspace_id=ws,
                status=status,
                endpoint=endpoint,
            )
        return WorkspaceFailure(
            f"ChatGPT refused the request ({where}): {detail or 'no reason given'}",
            workspace_id=ws,
            status=status,
            endpoint=endpoint,
        )

    # -- calls ----------------------------------------------------------------------------------------------------

    def _pages(self, access: WorkspaceAccess, path: str, keys: tuple[str, ...]) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        offset = 0
        for _ in range(MAX_PAGES):
            answer = self._call(access, "GET", path, params={"offset": offset, "limit": PAGE_SIZE})
            if not answer.ok:
                raise self._refusal(answer, access)
            data = _dict(answer.data)
            page: list[Any] = next((data[k] for k in keys if isinstance(data.get(k), list)), [])
            rows += [row for row in page if isinstance(row, dict)]
            offset += len(page)
            total = data.get("total")
            if not page or (isinstance(total, int) and offset >= total) or (total is None and len(page) < PAGE_SIZE):
                return rows
        log.warning("chatgpt %s still had rows after %d pages (workspace %s)", path, MAX_PAGES, access.workspace_id)
        return rows

    def _call(
        self,
        access: WorkspaceAccess,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, str | int] | None = None,
        acts: bool = False,
    ) -> _Answer:
        """One call to the backend: renewed ahead of expiry, paced, retried; a ban raises WorkspaceDead, a token
        that stays refused WorkspaceTokenExpired; any other answer is returned for the caller to read. `acts`: the
        call makes something happen (an invitation e-mail): it is sent again only when the service cannot have
        acted (429, a Cloudflare challenge, no connection); a timeout or a 5xx raises at once, and the task looks
        at the workspace before trying again."""
        endpoint = f"{method} {path}"
        self._renew_if_due(access)
        renewed_here = False
        while True:
            reply = self._send(
                access,
                method,
                self.api_base + path,
                endpoint,
                headers=self._headers(access, json),
                json=json,
                params=params,
                acts=acts,
            )
            data = _json(reply.body)
            info = error_info(data, reply.body) if reply.status >= 400 else ErrorInfo()
            if (
                reply.status >= 400
                and classify(info) == BANNED
                and not (method == "DELETE" and reply.status == 404 and info.code.lower() in GONE_CODES)
            ):
                raise self._refusal(_Answer(reply.status, data, info, endpoint), access)
            if reply.status == 401:
                if renewed_here:
                    raise WorkspaceTokenExpired(
                        f"ChatGPT refused the renewed access token of workspace {access.workspace_id} "
                        f"(HTTP 401 on {endpoint})",
                        workspace_id=access.workspace_id,
                        endpoint=endpoint,
                    )
                self._renew(access, reason=f"HTTP 401 on {endpoint}")
                renewed_here = True
                continue
            if 200 <= reply.status < 300 and data is _NOT_JSON and method != "DELETE":
                raise WorkspaceFailure(
                    f"ChatGPT answered HTTP {reply.status} on {endpoint} with something other than JSON",
                    workspace_id=access.workspace_id,
                    endpoint=endpoint,
                )
            return _Answer(reply.status, data, info, endpoint)

    def _headers(self, access: WorkspaceAccess, body: Any) -> dict[str, str]:
        headers = {
            "Authorization": f"Bearer {access.access_token}",
            "chatgpt-account-id": access.workspace_id,
            "Accept": "application/json",
            "Accept-Language": "en-US,en;q=0.9",
            "Origin": ORIGIN,
            "Referer": f"{ORIGIN}/",
            "User-Agent": USER_AGENT,
        }
        if body is not None:
            headers["Content-Type"] = "application/json"
        return headers

    def _send(
        self,
        access: WorkspaceAccess,
        method: str,
        url: str,
        endpoint: str,
        *,
        headers: Mapping[str, str],
        json: Any = None,
        params: Mapping[str, str | int] | None = None,
        cookies: Mapping[str, str] | None = None,
        acts: bool = False,
    ) -> Reply:
        """The answer to one request, sent again after a transient failure; WorkspaceUnavailable after the last
        (or at once, for a call that `acts`, when the service may have acted: see `_call`)."""
        attempts, ws = self.retries + 1, access.workspace_id
        for attempt in range(1, attempts + 1):
            self._bucket.wait(access.workspace_id)
            started = time.monotonic()
            wait_hint: float | None = None
            maybe_acted = False
            try:
                reply = self.transport.request(method, url, headers=headers, json=json, params=params, cookies=cookies)
            except TransportError as exc:
                problem = f"{exc} on {endpoint}"
                ms = (time.monotonic() - started) * 1000
                log.info("chatgpt %s -> %s in %.0f ms (workspace %s, try %d)", endpoint, exc, ms, ws, attempt)
                maybe_acted = acts and not str(exc).startswith("Connect")  # sent, maybe acted on
            else:
                ms = (time.monotonic() - started) * 1000
                log.info("chatgpt %s -> %s in %.0f ms (workspace %s, try %d)", endpoint, reply.status, ms, ws, attempt)
                if is_cloudflare(reply):
                    problem = f"a Cloudflare challenge (HTTP {reply.status}) on {endpoint}"
                elif reply.status in RETRY_STATUSES:
                    problem = f"HTTP {reply.status} on {endpoint}"
                    maybe_acted = acts and reply.status != 429  # a 5xx or 408 after it arrived: maybe acted on
                else:
                    return reply
                wait_hint = retry_after(reply)
            if attempt == attempts or maybe_acted:
                tries = f"{attempt} attempt{'s' if attempt > 1 else ''}" + (
                    ", not repeated: it may have acted" if maybe_acted else ""
                )
                raise WorkspaceUnavailable(
                    f"ChatGPT unavailable for workspace {access.workspace_id}: {problem} ({tries})",
                    workspace_id=access.workspace_id,
                    endpoint=endpoint,
                )
            self._sleep(self._backoff(attempt, wait_hint))
        raise AssertionError("unreachable")  # pragma: no cover

    def _backoff(self, attempt: int, hint: float | None) -> float:
        """1, 2, 4 … times the base, plus up to half of it in jitter; at least what Retry-After asked."""
        delay = self.backoff_s * 2 ** (attempt - 1) + random.uniform(0, self.backoff_s / 2)
        if hint is not None:
            delay = max(delay, hint)
        return min(delay, self.max_wait_s)

    # -- renewing the access token --------------------------------------------------------------------------------

    def _renew_if_due(self, access: WorkspaceAccess) -> None:
        expires = jwt_expiry(access.access_token)
        if expires is None:
            return
        now = datetime.now(UTC)
        if expires - now > REFRESH_MARGIN:
            return
        if not access.session_token:
            if expires <= now:
                raise WorkspaceTokenExpired(
                    f"the access token of workspace {access.workspace_id} expired and there is no session token "
                    "to renew it",
                    workspace_id=access.workspace_id,
                )
            return  # still valid for a few minutes: use it
        try:
            self._renew(access, reason="expires within 10 minutes")
        except (WorkspaceTokenExpired, WorkspaceUnavailable) as exc:
            if expires <= now:
                raise
            log.warning(
                "chatgpt could not renew the access token of workspace %s ahead of expiry (%s); using it",
                access.workspace_id,
                exc.code,
            )

    def _renew(self, access: WorkspaceAccess, *, reason: str) -> None:
        """A new access token (and a rotated session token, when the answer carries one) into `access`."""
        if not access.session_token:
            raise WorkspaceTokenExpired(
                f"workspace {access.workspace_id} needs a new access token ({reason}) and has no session token",
                workspace_id=access.workspace_id,
            )
        endpoint = f"GET {SESSION_PATH}"
        with self._lock_for(access.workspace_id):
            latest = self._latest.get(access.workspace_id)
            if latest is not None and latest[0] != access.access_token and latest[2] == access.session_token:
                # another task of this workspace renewed meanwhile from the same session token (which the service
                # may have rotated, so a second renewal with it would fail): take what it got
                access.access_token, access.session_token, access.renewed = latest[0], latest[1], True
                return
            reply = self._send(
                access,
                "GET",
                self.auth_base + SESSION_PATH,
                endpoint,
                headers={
                    "Accept": "application/json",
                    "Accept-Language": "en-US,en;q=0.9",
                    "Referer": f"{ORIGIN}/",
                    "User-Agent": USER_AGENT,
                },
                # a token for this workspace, as the web app asks when it switches to one
                params={
                    "exchange_workspace_token": "true",
                    "workspace_id": access.workspace_id,
                    "reason": "setCurrentAccount",
                },
                cookies={SESSION_COOKIE: access.session_token},
            )
            data = _json(reply.body)
            token = data.get("accessToken") if isinstance(data, dict) else None
            if reply.status == 200 and isinstance(token, str) and token:
                used = access.session_token
                access.access_token = token
                rotated = (data.get("sessionToken") if isinstance(data, dict) else None) or _session_cookie(
                    reply.cookies
                )
                if isinstance(rotated, str) and rotated and rotated != access.session_token:
                    access.session_token = rotated
                access.renewed = True
                self._latest[access.workspace_id] = (access.access_token, access.session_token, used)
                expires = jwt_expiry(token)
                log.info(
                    "chatgpt renewed the access token of workspace %s (%s)%s; valid until %s",
                    access.workspace_id,
                    reason,
                    ", session token rotated" if rotated else "",
                    expires.isoformat() if expires else "unknown",
                )
                return
            info = error_info(data, reply.body if reply.status >= 400 else b"")
            if reply.status >= 400 and classify(info) == BANNED:
                raise self._refusal(_Answer(reply.status, data, info, endpoint), access)
            raise WorkspaceTokenExpired(
                f"ChatGPT refused the session token of workspace {access.workspace_id} "
                f"(HTTP {reply.status} on {endpoint}, no access token in the answer)",
                workspace_id=access.workspace_id,
                endpoint=endpoint,
            )

    def _lock_for(self, workspace_id: str) -> threading.Lock:
        with self._locks_lock:
            return self._locks.setdefault(workspace_id, threading.Lock())


_NOT_JSON = object()


def _json(body: bytes) -> Any:
    """The decoded body: {} when empty, _NOT_JSON when it is not JSON."""
    if not body.strip():
        return {}
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        return _NOT_JSON


def _session_cookie(cookies: Mapping[str, str]) -> str:
    """The session token a Set-Cookie carried, whole or in next-auth's numbered chunks (.0, .1, …)."""
    if cookies.get(SESSION_COOKIE):
        return cookies[SESSION_COOKIE]
    chunks = []
    for index in range(64):
        chunk = cookies.get(f"{SESSION_COOKIE}.{index}")
        if chunk is None:
            break
        chunks.append(chunk)
    return "".join(chunks)


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _address(item: Mapping[str, Any], default: str) -> str:
    return str(item.get("email_address") or item.get("email") or default).strip().lower()
