"""Server-side pages of the admin tables: filters, newest first, one COUNT and one LIMIT/OFFSET query."""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Generic, TypeVar, cast

import sqlalchemy as sa
from sqlmodel import Session, SQLModel, col, func, or_, select

from domain.seats.provisioning import OPEN
from domain.shared.errors import ValidationFailed
from domain.shared.models import (
    AccountAssignment,
    AuditLog,
    ChatGPTAccount,
    EmailOutbox,
    InviteState,
    Order,
    PaymentEvent,
    WhatsAppOutbox,
    WorkspaceTask,
)
from domain.shared.validation import parse_whole_number
from infra.types import utcnow

T = TypeVar("T", bound=SQLModel)
MAX_PER_PAGE = 200
MAX_PAGE = 1_000_000  # far past any real table; keeps OFFSET inside a 64-bit integer
MAX_ROW_ID = 2**31 - 1  # ids are INTEGER columns: a larger one names no row, and PostgreSQL refuses to compare it


@dataclass
class Page(Generic[T]):
    rows: list[T]
    total: int
    page: int
    per_page: int


F = TypeVar("F", bound=Callable[..., Any])


def _clean(text: str) -> str:
    return "".join(c for c in text if unicodedata.category(c) not in ("Cc", "Cs"))


def storable_filters(listing: F) -> F:
    """Text filters lose the characters no stored value holds (NUL, controls, lone surrogates): PostgreSQL
    refuses NUL even in a query, and such a filter could never match anyway."""

    @functools.wraps(listing)
    def clean(**filters: Any) -> Any:
        return listing(**{k: _clean(v) if isinstance(v, str) else v for k, v in filters.items()})

    return cast(F, clean)


def filter_id(value: str | int | None, field: str) -> int | None:
    """A row id typed or linked as a filter (None when empty); refused when it cannot name a row."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return parse_whole_number(value, field, minimum=1, maximum=MAX_ROW_ID)


def filter_choice(value: str, choices: Iterable[str], field: str) -> str:
    """A filter that must be one of a few values ("" for all); refused when it is none of them."""
    allowed = [str(c) for c in choices]
    if value and value not in allowed:
        raise ValidationFailed(f"{field} {value!r} is not one of {', '.join(allowed)}", field=field, value=value)
    return value


def _same_id(column: Any, value: int) -> Any:
    """`column == value`, or nothing at all for an id no INTEGER column holds (no overflow in the query)."""
    return column == value if 1 <= value <= MAX_ROW_ID else sa.false()


def _page(
    session: Session, model: type[T], conditions: list[Any], page: int, per_page: int, order_by: Any = None
) -> Page[T]:
    page, per_page = max(1, min(page, MAX_PAGE)), max(1, min(per_page, MAX_PER_PAGE))
    total = session.exec(select(func.count()).select_from(model).where(*conditions)).one()
    query = select(model).where(*conditions).order_by(order_by if order_by is not None else col(model.id).desc())  # type: ignore[attr-defined]
    rows = list(session.exec(query.offset((page - 1) * per_page).limit(per_page)))
    return Page(rows=rows, total=int(total), page=page, per_page=per_page)


def _like(text: str) -> str:
    return "%" + text.strip().lower().replace("\\", "").replace("%", "").replace("_", "") + "%"


@storable_filters
def accounts_page(
    *,
    session: Session,
    search: str = "",
    status: str = "",
    pool: str = "",
    health: str = "",
    page: int = 1,
    per_page: int = 25,
) -> Page[ChatGPTAccount]:
    conditions: list[Any] = []
    if health:
        conditions.append(ChatGPTAccount.health == health)
    if search.strip():
        conditions.append(
            or_(col(ChatGPTAccount.email).like(_like(search)), func.lower(ChatGPTAccount.note).like(_like(search)))
        )
    if status:
        conditions.append(ChatGPTAccount.status == status)
    if pool:
        conditions.append(ChatGPTAccount.pool == pool)
    return _page(session, ChatGPTAccount, conditions, page, per_page, col(ChatGPTAccount.id).desc())


@storable_filters
def assignments_page(
    *,
    session: Session,
    status: str = "",
    ending_within_days: int | None = None,
    account_id: int | None = None,
    email: str = "",
    invite_state: str = "",
    page: int = 1,
    per_page: int = 25,
    now: datetime | None = None,
) -> Page[AccountAssignment]:
    conditions: list[Any] = []
    if status:
        conditions.append(AccountAssignment.status == status)
    if ending_within_days is not None:
        conditions += [
            AccountAssignment.status == "ACTIVE",
            col(AccountAssignment.end_at) <= (now or utcnow()) + timedelta(days=ending_within_days),
        ]
    if account_id:
        conditions.append(_same_id(AccountAssignment.chatgpt_account_id, account_id))
    if email.strip():
        conditions.append(col(AccountAssignment.customer_email).like(_like(email)))
    if invite_state:
        conditions.append(AccountAssignment.invite_state == invite_state)
        if invite_state in (InviteState.TO_INVITE, InviteState.TO_REMOVE):
            # the owner's queue: not the seats whose workspace task is open (the worker is doing those)
            conditions.append(
                ~sa.exists().where(
                    col(WorkspaceTask.assignment_id) == AccountAssignment.id,
                    col(WorkspaceTask.status).in_(list(OPEN)),
                )
            )
    order = col(AccountAssignment.end_at).asc() if ending_within_days is not None else None
    return _page(session, AccountAssignment, conditions, page, per_page, order)


@storable_filters
def orders_page(
    *, session: Session, status: str = "", search: str = "", page: int = 1, per_page: int = 25
) -> Page[Order]:
    conditions: list[Any] = []
    if status:
        conditions.append(Order.status == status)
    if search.strip():
        from domain.admin.customers import order_matches  # (customers builds on this module)

        conditions.append(order_matches(search.strip()[:200]))
    return _page(session, Order, conditions, page, per_page)


@storable_filters
def audit_page(
    *,
    session: Session,
    actor: str = "",
    action: str = "",
    entity: str = "",
    entity_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    page: int = 1,
    per_page: int = 50,
) -> Page[AuditLog]:
    conditions: list[Any] = []
    if actor.strip():
        conditions.append(col(AuditLog.actor).like(_like(actor)))
    if action.strip():
        conditions.append(col(AuditLog.action).like(action.strip().lower() + "%"))
    if entity:
        conditions.append(AuditLog.entity == entity)
    if entity_id is not None:
        conditions.append(_same_id(AuditLog.entity_id, entity_id))
    if since is not None:
        conditions.append(col(AuditLog.at) >= since)
    if until is not None:
        conditions.append(col(AuditLog.at) < until)
    return _page(session, AuditLog, conditions, page, per_page)


@storable_filters
def events_page(
    *,
    session: Session,
    provider: str = "",
    outcome: str = "",
    order_id: int | None = None,
    page: int = 1,
    per_page: int = 50,
) -> Page[PaymentEvent]:
    conditions: list[Any] = []
    if provider:
        conditions.append(PaymentEvent.provider == provider)
    if outcome:
        conditions.append(PaymentEvent.outcome == outcome)
    if order_id is not None:
        conditions.append(_same_id(PaymentEvent.order_id, order_id))
    return _page(session, PaymentEvent, conditions, page, per_page)


@storable_filters
def outbox_page(
    *,
    session: Session,
    status: str = "",
    kind: str = "",
    order_id: int | None = None,
    page: int = 1,
    per_page: int = 50,
) -> Page[EmailOutbox]:
    conditions: list[Any] = []
    if status:
        conditions.append(EmailOutbox.status == status)
    if kind:
        conditions.append(EmailOutbox.kind == kind)
    if order_id is not None:
        conditions.append(_same_id(EmailOutbox.order_id, order_id))
    return _page(session, EmailOutbox, conditions, page, per_page)


def seat_context(*, session: Session, seats: list[AccountAssignment]) -> tuple[dict[int, str], dict[int, str]]:
    """For a page of assignments: account id -> e-mail, and order id -> code (two IN queries)."""
    account_ids = {s.chatgpt_account_id for s in seats}
    order_ids = {s.order_id for s in seats}
    accounts: dict[int, str] = {}
    orders: dict[int, str] = {}
    if account_ids:
        query = select(ChatGPTAccount.id, ChatGPTAccount.email).where(col(ChatGPTAccount.id).in_(account_ids))
        accounts = {account_id: email for account_id, email in session.exec(query).all() if account_id}
    if order_ids:
        found = session.exec(select(Order.id, Order.code).where(col(Order.id).in_(order_ids))).all()
        orders = {order_id: code for order_id, code in found if order_id}
    return accounts, orders


def accounts_with_room(*, session: Session, exclude: int | None = None, limit: int = 500) -> list[ChatGPTAccount]:
    """AVAILABLE accounts (a free seat each), for choosing where to move a customer."""
    query = select(ChatGPTAccount).where(ChatGPTAccount.status == "AVAILABLE")
    if exclude is not None:
        query = query.where(ChatGPTAccount.id != exclude)
    return list(session.exec(query.order_by(col(ChatGPTAccount.pool), col(ChatGPTAccount.email)).limit(limit)))


def outbox_message(*, session: Session, mail_id: int) -> EmailOutbox | None:
    return session.get(EmailOutbox, mail_id)


def whatsapp_outbox_page(
    *, session: Session, status: str = "", page: int = 1, per_page: int = 50
) -> Page[WhatsAppOutbox]:
    """The WhatsApp outbox, newest first (optionally one status)."""
    conditions: list[Any] = [WhatsAppOutbox.status == status] if status else []
    return _page(session, WhatsAppOutbox, conditions, page, per_page)
