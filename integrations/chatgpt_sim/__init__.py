"""A ChatGPT workspace simulator: the endpoints of ChatGPT's web backend the shop automates
(/work/shared/reference/chatgpt-workspaces.md), served over real HTTP with workspaces kept in memory.

Point the shop at it with CHATGPT_API_BASE=http://host:port/backend-api and CHATGPT_AUTH_BASE=http://host:port.
Run it alone: python -m integrations.chatgpt_sim --port 9100

Choices where the peers leave the real service's behaviour open:
- Every error is JSON `{"detail": {"code": ..., "message": ...}}` (the peers read `detail` and match its text).
- Auth: `Authorization: Bearer <token>` must be a token of that workspace (the one it was created with, or one the
  session endpoint issued, until its `exp` or until /_control/.../expire_token); a `chatgpt-account-id` header, when
  sent, must name the workspace in the path. Missing or unknown token: 401 `invalid_token`; expired: 401
  `token_expired`; header naming another workspace: 403 `account_mismatch`; unknown workspace: 404
  `account_not_found`; deactivated workspace: 402 `deactivated_workspace` (the status ChatGPT's backend answers
  for a deactivated workspace in public code that handles it), checked after the token.
- Invite: an address already pending answers the existing invite in `account_invites` (not counted as sent); an
  address already a member answers 200 with an `errored_emails` entry
  `{"email_address", "code": "already_member", "message": "<e> is already in workspace"}`; so an empty
  `account_invites` with an empty `errored_emails` is a ghost. New invites beyond the free seats (members +
  pending invites >= seats) refuse the whole batch with 400 `max_seats_reached`
  ("Your workspace has reached the maximum number of seats").
- Cancelling an unknown invite succeeds (idempotent); removing an unknown member is 404 `member_not_found`
  (not `user_not_found`, which peers read as a ban); the owner cannot be removed (403).
- `seats` is in the check endpoint's `entitlement.seats`; ending the subscription only changes what check says.
- /api/auth/session with an unknown session cookie answers 200 `{}` as next-auth does; a deactivated
  workspace's session still refreshes (its backend calls answer 402).
- Lists page with `offset`/`limit` (default 25, at most 50; the answer's `limit` is the one applied); a new
  invite is listed only after the workspace's `list_lag_s`.
- Faults come before authorization (as an edge would); a ghost waits for the next invite call.
"""

from integrations.chatgpt_sim.app import create_chatgpt_sim_app
from integrations.chatgpt_sim.models import ChatGPTSimConfig, SimError
from integrations.chatgpt_sim.state import ChatGPTSim

__all__ = ["ChatGPTSim", "ChatGPTSimConfig", "SimError", "create_chatgpt_sim_app"]
