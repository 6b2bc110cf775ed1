"""What the customer's order page shows: the order, its seat, and the access details of that seat."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from domain.orders.orders import OrderView, view_order
from domain.shared.crypto import decrypt_secret
from domain.shared.models import AssignmentStatus, ChatGPTAccount, Delivery
from domain.shared.seat_terms import days_left, workspace_name
from infra.types import utcnow


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


@dataclass(frozen=True)
class OrderPage:
    view: OrderView
    access: Access | None


def order_page(*, session: Session, code: str, token: str | None) -> OrderPage:
    """The order behind a link with its live access; NotFound for an unknown code or a wrong token."""
    view = view_order(session=session, code=code, token=token)
    seat = view.assignment
    if seat is None or seat.status != AssignmentStatus.ACTIVE:
        return OrderPage(view=view, access=None)
    account = session.get(ChatGPTAccount, seat.chatgpt_account_id)
    assert account is not None
    credentials = account.delivery == Delivery.CREDENTIALS
    return OrderPage(
        view=view,
        access=Access(
            delivery=account.delivery,
            login_email=account.email if credentials else seat.customer_email,
            password=decrypt_secret(account.password_enc) if credentials else None,
            workspace="" if credentials else workspace_name(note=account.note, email=account.email),
            invite_state=seat.invite_state,
            ends_at=seat.end_at,
            days_left=days_left(seat.end_at, utcnow()),
        ),
    )
