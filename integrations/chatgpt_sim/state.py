"""The simulator's memory: workspaces (seats, members, pending invites, tokens), queued faults and call counts,
all behind one lock so the server's loop and a test's thread can read and change it safely."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from integrations.chatgpt_sim.models import (
    EXPIRED,
    UNPARSABLE,
    ChatGPTSimConfig,
    Fault,
    SimError,
    SimInvite,
    SimMember,
    Workspace,
    iso,
)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _owner(ws: Workspace) -> str:
    return ws.owner_email or f"owner@{ws.workspace_id}.sim.invalid"


def _page(items: list[Any], offset: int, limit: int) -> dict[str, Any]:
    return {
        "items": [x.public() for x in items[offset : offset + limit]],
        "total": len(items),
        "offset": offset,
        "limit": limit,
    }


class ChatGPTSim:
    """Every workspace the simulator knows and what happened to them; every method takes the lock."""

    def __init__(self, config: ChatGPTSimConfig) -> None:
        self.config = config
        self.lock = threading.Lock()
        self._secret = secrets.token_bytes(32)
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.workspaces: dict[str, Workspace] = {}
            self.latency_ms = self.config.latency_ms
            self.calls: Counter[str] = Counter()
            self.calls_by_workspace: dict[str, Counter[str]] = {}

    # --- control -------------------------------------------------------------------------------
    def create_workspace(
        self,
        workspace_id: str,
        access_token: str,
        seats: int,
        *,
        session_token: str = "",
        list_lag_s: float | None = None,
        owner_email: str = "",
        expires_at: datetime | None = None,
        name: str = "",
    ) -> dict[str, Any]:
        now = time.time()
        with self.lock:
            if workspace_id in self.workspaces:
                raise SimError(409, "workspace_exists", f"workspace {workspace_id} already exists")
            ws = Workspace(
                workspace_id=workspace_id,
                seats=seats,
                name=name or f"Workspace {workspace_id}",
                owner_email=owner_email.strip().lower(),
                list_lag_s=self.config.list_lag_s if list_lag_s is None else list_lag_s,
                expires_at=expires_at or datetime.now(UTC) + timedelta(days=30),
                session_token=session_token,
                tokens={access_token: None},
            )
            if ws.owner_email:  # the owner takes a seat, as in a real workspace
                ws.members[ws.owner_email] = SimMember(
                    f"user-{secrets.token_hex(12)}", ws.owner_email, "account-owner", "Owner", now
                )
            self.workspaces[workspace_id] = ws
            return ws.view()

    def _get(self, workspace_id: str) -> Workspace:
        ws = self.workspaces.get(workspace_id)
        if ws is None:
            raise SimError(404, "account_not_found", f"Account {workspace_id} not found")
        return ws

    def view(self, workspace_id: str) -> dict[str, Any]:
        with self.lock:
            return self._get(workspace_id).view()

    def accept(self, workspace_id: str, email: str) -> dict[str, Any]:
        key = email.strip().lower()
        with self.lock:
            ws = self._get(workspace_id)
            invite = ws.invites.pop(key, None)
            if invite is None:
                raise SimError(404, "invite_not_found", f"no pending invite for {key}")
            ws.members[key] = SimMember(f"user-{secrets.token_hex(12)}", key, invite.role, "", time.time())
            return ws.view()

    def add_member(self, workspace_id: str, email: str) -> dict[str, Any]:
        """A member nobody invited through the service (the owner's side deal); the seat cap is not checked."""
        key = email.strip().lower()
        with self.lock:
            ws = self._get(workspace_id)
            ws.invites.pop(key, None)
            if key not in ws.members:
                ws.members[key] = SimMember(f"user-{secrets.token_hex(12)}", key, "standard-user", "", time.time())
            return ws.view()

    def update(self, workspace_id: str, **changes: Any) -> dict[str, Any]:
        with self.lock:
            ws = self._get(workspace_id)
            for name, value in changes.items():
                setattr(ws, name, value)
            return ws.view()

    def expire_tokens(self, workspace_id: str) -> dict[str, Any]:
        with self.lock:
            ws = self._get(workspace_id)
            ws.tokens = {token: 0.0 for token in ws.tokens}
            return ws.view()

    def add_fault(self, workspace_id: str, mode: str, count: int, delay_s: float | None) -> list[dict[str, Any]]:
        with self.lock:
            ws = self._get(workspace_id)
            if count <= 0:
                ws.faults.clear()
            else:
                ws.faults.append(Fault(mode, count, self.config.slow_s if delay_s is None else delay_s))
            return [{"mode": f.mode, "remaining": f.remaining, "delay_s": f.delay_s} for f in ws.faults]

    def stats(self) -> dict[str, Any]:
        with self.lock:
            return {
                "calls": dict(self.calls),
                "calls_by_workspace": {ws: dict(c) for ws, c in self.calls_by_workspace.items()},
                "invites_created": {ws.workspace_id: ws.invites_sent for ws in self.workspaces.values()},
                "latency_ms": self.latency_ms,
            }

    # --- the service's side ----------------------------------------------------------------------
    def record_call(self, endpoint: str, workspace_id: str) -> None:
        with self.lock:
            self.calls[endpoint] += 1
            if workspace_id:
                self.calls_by_workspace.setdefault(workspace_id, Counter())[endpoint] += 1

    def take_fault(self, workspace_id: str, *, invite: bool) -> Fault | None:
        """The fault this call suffers, if any (a ghost waits for an invite call and lets other calls pass)."""
        with self.lock:
            ws = self.workspaces.get(workspace_id)
            if ws is None or not ws.faults or (ws.faults[0].mode == "ghost" and not invite):
                return None
            fault = ws.faults[0]
            fault.remaining -= 1
            if fault.remaining <= 0:
                ws.faults.popleft()
            return Fault(fault.mode, 1, fault.delay_s)

    def workspace_of_token(self, token: str) -> str:
        with self.lock:
            return next((ws.workspace_id for ws in self.workspaces.values() if token in ws.tokens), "")

    def authorize(self, workspace_id: str, token: str, header_account: str) -> None:
        """Raise the service's answer unless `token` opens `workspace_id` and the workspace is alive."""
        with self.lock:
            ws = self._get(workspace_id)
            if header_account and header_account != workspace_id:
                raise SimError(403, "account_mismatch", "chatgpt-account-id does not match the requested account")
            if not token:
                raise SimError(401, "invalid_token", "Missing authentication token. Please try signing in again.")
            if token not in ws.tokens:
                raise SimError(401, "invalid_token", UNPARSABLE)
            exp = ws.tokens[token]
            if exp is not None and exp <= time.time():
                raise SimError(401, "token_expired", EXPIRED)
            if ws.status == "deactivated":
                raise SimError(402, "deactivated_workspace", "Workspace is deactivated")

    def invite(self, workspace_id: str, emails: list[str], role: str) -> dict[str, Any]:
        """Invite every address or none: a batch that does not fit the free seats is refused whole."""
        now = time.time()
        with self.lock:
            ws = self._get(workspace_id)
            invites: list[dict[str, Any]] = []
            errored: list[dict[str, Any]] = []
            new: list[str] = []
            for raw in emails:
                key = raw.strip().lower()
                if "@" not in key or key.startswith("@") or key.endswith("@"):
                    errored.append({"email_address": raw, "code": "invalid_email", "message": "Invalid email address"})
                elif key in ws.members:
                    errored.append(
                        {"email_address": key, "code": "already_member", "message": f"{key} is already in workspace"}
                    )
                elif key in ws.invites:
                    invites.append(ws.invites[key].public())
                    ws.invites_resent += 1
                elif key not in new:
                    new.append(key)
            if new and ws.used() + len(new) > ws.seats:
                raise SimError(400, "max_seats_reached", "Your workspace has reached the maximum number of seats")
            for key in new:
                invite = SimInvite(f"invite-{uuid.uuid4()}", key, role, now)
                ws.invites[key] = invite
                ws.invites_sent += 1
                invites.append(invite.public())
            return {"account_invites": invites, "errored_emails": errored}

    def list_invites(self, workspace_id: str, offset: int, limit: int, query: str) -> dict[str, Any]:
        now = time.time()
        with self.lock:
            ws = self._get(workspace_id)
            listed = [
                i
                for i in ws.invites.values()
                if i.created_at + ws.list_lag_s <= now and query.lower() in i.email_address
            ]
            return _page(listed, offset, limit)

    def cancel_invite(self, workspace_id: str, *, email: str = "", invite_id: str = "") -> None:
        with self.lock:
            ws = self._get(workspace_id)
            key = email.strip().lower() or next((k for k, i in ws.invites.items() if i.id == invite_id), "")
            ws.invites.pop(key, None)

    def list_members(self, workspace_id: str, offset: int, limit: int, query: str) -> dict[str, Any]:
        with self.lock:
            ws = self._get(workspace_id)
            return _page([m for m in ws.members.values() if query.lower() in m.email], offset, limit)

    def remove_member(self, workspace_id: str, user_id: str) -> None:
        with self.lock:
            ws = self._get(workspace_id)
            key = next((k for k, m in ws.members.items() if m.id == user_id), None)
            if key is None:
                raise SimError(404, "member_not_found", f"User {user_id} is not a member of this workspace")
            if ws.members[key].role == "account-owner":
                raise SimError(403, "cannot_remove_owner", "The workspace owner cannot be removed")
            del ws.members[key]

    def check(self, workspace_id: str) -> dict[str, Any]:
        with self.lock:
            ws = self._get(workspace_id)
            account = {
                "account_id": ws.workspace_id,
                "account_user_id": f"user-owner__{ws.workspace_id}",
                "account_user_role": "account-owner",
                "name": ws.name,
                "plan_type": "team",
                "structure": "workspace",
                "is_deactivated": ws.status == "deactivated",
            }
            entitlement = {
                "subscription_id": f"sub-{ws.workspace_id}",
                "has_active_subscription": ws.subscription_active,
                "subscription_plan": "chatgptteamplan",
                "expires_at": ws.expires_at.isoformat(),
                "billing_period": "monthly",
                "seats": ws.seats,
            }
            return {
                "accounts": {ws.workspace_id: {"account": account, "entitlement": entitlement, "features": []}},
                "account_ordering": [ws.workspace_id],
            }

    def _by_session(self, session_token: str) -> Workspace | None:
        return next((w for w in self.workspaces.values() if session_token and w.session_token == session_token), None)

    def refresh_session(self, session_token: str) -> dict[str, Any]:
        """next-auth's session: a new access token for the workspace this session belongs to, or {} when none."""
        now = time.time()
        with self.lock:
            ws = self._by_session(session_token)
            if ws is None:
                return {}
            exp = int(now + self.config.access_token_ttl_s)
            token = self._jwt(ws, int(now), exp)
            ws.tokens[token] = float(exp)
            if self.config.rotate_session_tokens:
                ws.session_token = secrets.token_urlsafe(48)
            return {
                "user": {
                    "id": f"user-owner__{ws.workspace_id}",
                    "name": "Owner",
                    "email": _owner(ws),
                    "image": None,
                    "picture": None,
                    "idp": "auth0",
                    "iat": int(now),
                    "mfa": False,
                    "groups": [],
                },
                "expires": iso(now + self.config.session_ttl_s),
                "account": {"id": ws.workspace_id, "planType": "team", "structure": "workspace"},
                "accessToken": token,
                "authProvider": "openai",
                "sessionToken": ws.session_token,
            }

    def workspace_of_session(self, session_token: str) -> str:
        with self.lock:
            ws = self._by_session(session_token)
            return ws.workspace_id if ws else ""

    def _jwt(self, ws: Workspace, iat: int, exp: int) -> str:
        """A token shaped like ChatGPT's (a JWT whose payload carries `exp`), signed with the simulator's secret."""
        header = {"alg": "HS256", "typ": "JWT", "kid": "chatgpt-sim"}
        payload = {
            "aud": ["https://api.openai.com/v1"],
            "iss": "https://auth.openai.com",
            "sub": f"auth0|sim-{ws.workspace_id}",
            "iat": iat,
            "nbf": iat,
            "exp": exp,
            "jti": str(uuid.uuid4()),
            "https://api.openai.com/auth": {"chatgpt_account_id": ws.workspace_id, "chatgpt_plan_type": "team"},
            "https://api.openai.com/profile": {"email": _owner(ws), "email_verified": True},
        }
        signing_input = ".".join(_b64(json.dumps(part, separators=(",", ":")).encode()) for part in (header, payload))
        signature = hmac.new(self._secret, signing_input.encode(), hashlib.sha256).digest()
        return signing_input + "." + _b64(signature)
