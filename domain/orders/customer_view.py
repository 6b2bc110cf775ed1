"""What the customer's order page shows: the order, its seat, and the access details of that seat."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from domain.catalog.login_help import LoginCode, pasted_code
from domain.orders.orders import OrderView, view_order
from domain.orders.waiting import queue_position
from domain.seats.provisioning import REPORTED
from domain.shared.crypto import decrypt_secret
from domain.shared.i18n import format_date, t
from domain.shared.models import (
    DEAD,
    AccountAssignment,
    AssignmentStatus,
    ChatGPTAccount,
    Delivery,
    InviteState,
    TaskStatus,
    WorkspaceTask,
)
from domain.shared.seat_terms import days_left, workspace_name
from domain.workspaces.support import next_report_at
from infra.types import utcnow

MOVED = "moved:"  # how reseat starts the end reason of the seat a customer was moved from


@dataclass(frozen=True)
class Access:
    """How the customer gets in: shared login (CREDENTIALS) or an invitation (INVITE)."""

    delivery: str
    login_email: str
    password: str | None
    workspace: str
    invite_state: str | None
    ends_at: datetime
    days_left: int
    automated: bool = False  # the shop invites and checks the workspace itself
    unhealthy: bool = False  # the account is dead: the customer is moved as soon as a seat frees
    moved_at: datetime | None = None  # this seat replaced one the customer was moved from
    reported_at: datetime | None = None  # the order's last "my access doesn't work"
    report_again_at: datetime | None = None  # when another report is taken (None: now)
    check: str | None = None  # while a report stands, on an automated workspace: the check's task status
    has_totp: bool = False  # a shared login with a TOTP secret: its current code on request (login_code.py)
    pasted: LoginCode | None = None  # the verification code the owner pasted, while it stands


@dataclass(frozen=True)
class OrderPage:
    view: OrderView
    access: Access | None
    queue_position: int | None = None  # a paid order waiting for a seat: its place in its pool's line


def order_page(*, session: Session, code: str, token: str | None) -> OrderPage:
    """The order behind a link with its live access; NotFound for an unknown code or a wrong token."""
    view = view_order(session=session, code=code, token=token)
    seat = view.assignment
    if seat is None or seat.status != AssignmentStatus.ACTIVE:
        return OrderPage(view=view, access=None, queue_position=queue_position(session=session, order=view.order))
    account = session.get(ChatGPTAccount, seat.chatgpt_account_id)
    assert account is not None
    credentials = account.delivery == Delivery.CREDENTIALS
    # the order's earlier seats (usually none): the one just before tells of a move, any of them of a report
    earlier = session.exec(
        select(AccountAssignment.end_reason, AccountAssignment.ended_at, AccountAssignment.access_reported_at)
        .where(AccountAssignment.order_id == seat.order_id, col(AccountAssignment.id) < seat.id)
        .order_by(col(AccountAssignment.id).desc())
    ).all()
    moved_at = earlier[0][1] if earlier and (earlier[0][0] or "").startswith(MOVED) else None
    reports = [r for r in [seat.access_reported_at, *(row[2] for row in earlier)] if r is not None]
    reported_at = max(reports) if reports else None
    again = next_report_at(reported_at)
    if again is not None and again <= utcnow():
        again = None
    check = None
    if again is not None and account.automated:  # only while a report stands: no query on an ordinary view
        check = session.exec(
            select(WorkspaceTask.status)
            .where(WorkspaceTask.assignment_id == seat.id, WorkspaceTask.reason == REPORTED)
            .order_by(col(WorkspaceTask.id).desc())
            .limit(1)
        ).first()
    return OrderPage(
        view=view,
        access=Access(
            delivery=account.delivery,
            login_email=account.email if credentials else seat.customer_email,
            password=decrypt_secret(account.password_enc) if credentials else None,
            workspace="" if credentials else workspace_name(display_name=account.display_name),
            invite_state=seat.invite_state,
            ends_at=seat.end_at,
            days_left=days_left(seat.end_at, utcnow()),
            automated=account.automated,
            unhealthy=account.health in DEAD,
            moved_at=moved_at,
            reported_at=reported_at,
            report_again_at=again,
            check=check,
            has_totp=credentials and bool(account.totp_secret_enc),
            pasted=pasted_code(account, utcnow()) if credentials else None,
        ),
    )


def invite_line(access: Access, lang: str) -> str:
    """Where the invitation of an INVITE seat stands, in words ('' for a shared login)."""
    if access.delivery != Delivery.INVITE:
        return ""
    state = access.invite_state if access.invite_state in (InviteState.INVITED, InviteState.JOINED) else "TO_INVITE"
    return t(f"order.invite.{state}", lang, email=access.login_email, workspace=access.workspace)


def moved_line(access: Access, lang: str) -> str:
    """The seat replaced one the customer was moved from: said plainly, with the unchanged end date."""
    assert access.moved_at is not None
    if access.delivery != Delivery.INVITE:
        key = "order.moved.credentials"
    else:
        key = "order.moved.joined" if access.invite_state == InviteState.JOINED else "order.moved.invite"
    return t(key, lang, date=format_date(access.moved_at, lang), end=format_date(access.ends_at, lang))


def access_note(page: OrderPage, lang: str) -> str | None:
    """The order's access in one sentence for the status API: a move, a dead workspace being replaced, where the
    invitation stands, or a report being looked at (None: no active seat)."""
    info = page.access
    if info is None:
        return None
    parts = []
    if info.moved_at is not None:
        parts.append(moved_line(info, lang))
    if info.unhealthy:
        parts.append(t("order.unhealthy", lang))
    if info.delivery == Delivery.INVITE:
        parts.append(invite_line(info, lang) + ".")
    else:
        parts.append(t("order.credentials_ready", lang))
    if info.report_again_at is not None:
        parts.append(report_status(info, lang))
    return " ".join(parts)


def report_status(info: Access, lang: str) -> str:
    """What became of the customer's standing report, in words."""
    if not info.automated:
        return t("order.report.case_opened", lang)
    if info.check == TaskStatus.DONE:
        joined = info.invite_state == InviteState.JOINED
        return t(
            "order.report.checked_member" if joined else "order.report.checked_invited", lang, email=info.login_email
        )
    if info.check in (TaskStatus.FAILED, TaskStatus.CANCELLED):
        return t("order.report.check_handed_over", lang)
    return t("order.report.checking", lang)
