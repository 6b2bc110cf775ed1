"""What the simulator keeps: its configuration, a workspace with its members, pending invites, tokens and
queued faults, and the service's error shape."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

UNPARSABLE = "Could not parse your authentication token. Please try signing in again."
EXPIRED = "Provided authentication token is expired. Please try signing in again."


@dataclass
class ChatGPTSimConfig:
    base_path: str = ""  # a prefix before every route ("" serves /backend-api/... and /api/auth/session)
    list_lag_s: float = 0.0  # default for workspaces that do not set their own; the real service lags 30 s+
    slow_s: float = 2.0  # the delay of a "slow" fault without its own delay_s
    latency_ms: int = 0  # added to every service call (not to control calls)
    page_size_default: int = 25
    page_size_max: int = 50
    access_token_ttl_s: float = 10 * 86400  # the `exp` of access tokens the session endpoint issues
    session_ttl_s: float = 30 * 86400
    rotate_session_tokens: bool = False  # when true each refresh answers a new sessionToken and retires the old


class SimError(Exception):
    """An answer in the service's error shape: {"detail": {"code": ..., "message": ...}}."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message

    def body(self) -> dict[str, Any]:
        return {"detail": {"code": self.code, "message": self.message}}


def iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat()


@dataclass
class SimInvite:
    id: str
    email_address: str
    role: str
    created_at: float

    def public(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "email_address": self.email_address,
            "role": self.role,
            "created_time": iso(self.created_at),
            "is_scim_managed": False,
        }


@dataclass
class SimMember:
    id: str
    email: str
    role: str
    name: str
    created_at: float

    def public(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "account_user_id": f"{self.id}__sim",
            "email": self.email,
            "role": self.role,
            "name": self.name,
            "created_time": iso(self.created_at),
            "is_scim_managed": False,
        }


@dataclass
class Fault:
    mode: str
    remaining: int
    delay_s: float


@dataclass
class Workspace:
    workspace_id: str
    seats: int
    name: str
    owner_email: str
    list_lag_s: float
    expires_at: datetime
    session_token: str = ""
    status: str = "active"  # or "deactivated"
    subscription_active: bool = True
    tokens: dict[str, float | None] = field(default_factory=dict)  # access token -> exp (None: never expires)
    members: dict[str, SimMember] = field(default_factory=dict)  # by lower-cased e-mail, in join order
    invites: dict[str, SimInvite] = field(default_factory=dict)  # pending, by lower-cased e-mail
    faults: deque[Fault] = field(default_factory=deque)
    invites_sent: int = 0  # new pending invites created through the service (resends not counted)
    invites_resent: int = 0

    def used(self) -> int:
        return len(self.members) + len(self.invites)

    def view(self) -> dict[str, Any]:
        """The control API's description of the workspace."""
        return {
            "workspace_id": self.workspace_id,
            "members": [m.email for m in self.members.values()],
            "invites": [i.email_address for i in self.invites.values()],
            "seats": self.seats,
            "status": self.status,
            "invites_sent": self.invites_sent,
            "invites_resent": self.invites_resent,
            "subscription": "active" if self.subscription_active else "ended",
            "expires_at": self.expires_at.isoformat(),
        }
