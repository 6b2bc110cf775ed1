"""The seat holder's login code: the current TOTP code of their shared login, revealed on request, each reveal
audited (order and account, never the code) and rate-limited per order."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from domain.catalog.login_help import LoginCode, totp_code
from domain.orders.orders import view_order
from domain.shared.audit import audit_row
from domain.shared.errors import Conflict, DomainError
from domain.shared.models import AssignmentStatus, ChatGPTAccount, Delivery
from infra.ratelimit import RateLimit

REVEALS_PER_WINDOW, REVEAL_WINDOW_SECONDS = 20, 600  # a reveal and its refreshes at the next steps count alike
reveal_limit = RateLimit("login_code", limit=REVEALS_PER_WINDOW, per_seconds=REVEAL_WINDOW_SECONDS)


class TooManyReveals(DomainError):
    code = "rate_limited"


class NoLoginCode(Conflict):
    """No active seat on a shared login with a TOTP secret behind this order (any more)."""

    code = "no_login_code"


def reveal_login_code(
    *, session: Session, code: str, token: str | None, now: datetime, ip: str | None = None
) -> LoginCode:
    """The current code for the order's ACTIVE seat on a CREDENTIALS account with a TOTP secret; NotFound for a
    wrong link, NoLoginCode once the seat ended (or without a secret), TooManyReveals past the limit."""
    view = view_order(session=session, code=code, token=token)
    seat = view.assignment
    if seat is None or seat.status != AssignmentStatus.ACTIVE:
        raise NoLoginCode("no active seat")
    account = session.get(ChatGPTAccount, seat.chatgpt_account_id)
    if account is None or account.delivery != Delivery.CREDENTIALS or not account.totp_secret_enc:
        raise NoLoginCode("no login code for this account")
    if not reveal_limit.allow(view.order.code):
        raise TooManyReveals("too many login code reveals", field="order")
    login = totp_code(account, now)
    assert login is not None
    audit_row(view.order, session=session, actor="customer", action="order.login_code_shown", ip=ip, account=account.id)
    return login
