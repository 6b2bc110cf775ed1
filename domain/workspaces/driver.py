"""The seam between the shop and a ChatGPT workspace (DESIGN.md §9): what the domain asks of a workspace,
and the failures it understands. Implementations live in integrations/ (chatgpt, the simulator through the
same client); `manual` is no driver at all: the owner's queue on the admin pages."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from domain.shared.errors import DomainError
from domain.shared.models import DEAD, SELLABLE, Driver, Health

__all__ = ["DEAD", "SELLABLE", "Driver", "Health"]  # re-exported: the words of this seam


@dataclass
class WorkspaceAccess:
    """The credentials of one workspace, decrypted for the length of a call. A driver that renews the access
    token sets the new values here and `renewed`; the caller stores them (encrypted) after the call."""

    account_id: int
    workspace_id: str
    access_token: str
    session_token: str = ""
    renewed: bool = False

    def __repr__(self) -> str:  # never print a token
        return f"WorkspaceAccess(account_id={self.account_id}, workspace_id={self.workspace_id!r})"


@dataclass(frozen=True)
class Invite:
    email: str
    invite_id: str = ""


@dataclass(frozen=True)
class Member:
    email: str
    member_id: str
    role: str = "standard-user"


@dataclass(frozen=True)
class WorkspaceState:
    """The workspace as the check endpoint describes it."""

    plan: str = ""
    active_subscription: bool = True
    expires_at: datetime | None = None
    seats: int | None = None  # the plan's seats, when the service says


@dataclass(frozen=True)
class Roster:
    members: list[Member] = field(default_factory=list)
    invites: list[Invite] = field(default_factory=list)

    def has(self, email: str) -> str | None:
        """'member', 'invite' or None for this address (compared case-insensitively)."""
        wanted = email.strip().lower()
        if any(m.email.lower() == wanted for m in self.members):
            return "member"
        if any(i.email.lower() == wanted for i in self.invites):
            return "invite"
        return None


class WorkspaceFailure(DomainError):
    """A workspace call failed. `health` is what it says about the workspace; `transient` failures are
    retried (and only many in a row make the workspace UNREACHABLE)."""

    code = "workspace_failure"
    health: Health = Health.UNREACHABLE
    transient = True


class WorkspaceUnavailable(WorkspaceFailure):
    """Timeout, connection refused, 5xx, 429 or a Cloudflare page, after the driver's own retries."""

    code = "workspace_unavailable"


class WorkspaceTokenExpired(WorkspaceFailure):
    code = "workspace_token_expired"
    health = Health.TOKEN_EXPIRED
    transient = False


class WorkspaceFull(WorkspaceFailure):
    code = "workspace_full"
    health = Health.FULL
    transient = False


class WorkspaceDead(WorkspaceFailure):
    """Banned, deactivated, suspended or gone (health BANNED), or its subscription ended."""

    code = "workspace_dead"
    health = Health.BANNED
    transient = False

    def __init__(self, message: str, *, health: Health = Health.BANNED, **context: object) -> None:
        super().__init__(message, **context)
        self.health = health


class WorkspaceDriver(Protocol):
    """One automated workspace service. Every method raises a WorkspaceFailure (never a transport error).
    `invite` returns the invite as the service listed it, or None when it answered success without one
    (a "ghost" invite); an address already invited or already a member is a success, not a failure; `resend`
    asks the service to e-mail a pending invitation again. A driver must not send an invitation twice on its own
    after a failure that may have reached the service (a timeout, a 5xx): it raises, and the task looks first."""

    def invite(self, access: WorkspaceAccess, email: str, *, resend: bool = False) -> Invite | None: ...
    def cancel_invite(self, access: WorkspaceAccess, email: str) -> None: ...
    def list_invites(self, access: WorkspaceAccess) -> list[Invite]: ...
    def list_members(self, access: WorkspaceAccess) -> list[Member]: ...
    def remove_member(self, access: WorkspaceAccess, member_id: str) -> None: ...
    def check(self, access: WorkspaceAccess) -> WorkspaceState: ...
