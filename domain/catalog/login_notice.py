"""A shared login's password changed: each customer with an active seat on it gets the new login by e-mail."""

from __future__ import annotations

from sqlmodel import Session, col, select

from domain.notify.login_mail import queue_login_changed
from domain.shared.audit import audit_row
from domain.shared.models import AccountAssignment, AssignmentStatus, ChatGPTAccount, Order


def tell_customers_new_login(*, session: Session, actor: str, account: ChatGPTAccount) -> int:
    """Queue one e-mail per active customer of `account` (its password already changed in this transaction) and
    audit who was told, never the password; returns how many were told."""
    seats = session.exec(
        select(AccountAssignment, Order)
        .join(Order, col(Order.id) == AccountAssignment.order_id)
        .where(AccountAssignment.chatgpt_account_id == account.id, AccountAssignment.status == AssignmentStatus.ACTIVE)
        .order_by(col(AccountAssignment.id))
    ).all()
    for seat, order in seats:
        queue_login_changed(session=session, order=order, seat=seat, account=account)
    if seats:
        audit_row(
            account,
            session=session,
            actor=actor,
            action="account.login_notice",
            customers=len(seats),
            orders=[order.code for _, order in seats],
        )
    return len(seats)
