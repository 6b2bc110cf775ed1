"""What the customer's order page shows: the order, its seat, and the access details of that seat."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from domain.crypto import decrypt_secret
from domain.models import AssignmentStatus, ChatGPTAccount, Delivery
from domain.orders import OrderView, view_order
from domain.types import utcnow


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
    left = seat.end_at - utcnow()
    return OrderPage(
        view=view,
        access=Access(
            delivery=account.delivery,
            login_email=account.email if credentials else seat.customer_email,
            password=decrypt_secret(account.password_enc) if credentials else None,
            workspace=account.note.removeprefix("[DEMO]").strip() or account.email.split("@")[-1]
            if not credentials
            else "",
            invite_state=seat.invite_state,
            ends_at=seat.end_at,
            days_left=max(0, left.days + (1 if left.seconds else 0)),
        ),
    )
