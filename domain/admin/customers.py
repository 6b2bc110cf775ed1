"""Customers, who have no table of their own: the orders that share an e-mail address (or a WhatsApp number, the
second key). The admin's search over orders, customers, accounts and seats; a customer's summary; their notes,
kept in the audit log as "customer.note" rows."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, func, or_, select

from domain.admin.listing import MAX_PAGE, MAX_PER_PAGE, storable_filters
from domain.shared.audit import record_audit
from domain.shared.errors import NotFound, ValidationFailed
from domain.shared.models import (
    AccountAssignment,
    AssignmentStatus,
    AuditLog,
    ChatGPTAccount,
    ManualPayment,
    Order,
    Product,
)
from domain.shared.validation import normalize_phone, storable

SEARCH_LIMIT = 20  # rows shown per kind of result; one more is read to tell the page "there are more"
QUERY_MAX = 100  # characters of a search kept (no stored value we search is longer than an e-mail)
CUSTOMER_ORDERS_MAX = 200  # a customer's orders shown on their page (totals count them all)
NOTE_MAX = 2000
NOTE_ACTION = "customer.note"
CUSTOMER = "customer"  # the audit entity (and change-feed topic) of a customer's notes
PHONE_LIKE = re.compile(r"\+?[0-9][0-9\s\-().]{5,}")  # a number typed with its usual separators
ESCAPE = "\\"


def _contains(text: str) -> str:
    """A LIKE pattern matching `text` anywhere, with %, _ and the escape character itself taken literally."""
    literal = text.replace(ESCAPE, ESCAPE * 2).replace("%", ESCAPE + "%").replace("_", ESCAPE + "_")
    return f"%{literal}%"


def _like(column: Any, text: str) -> Any:
    """Case-insensitive `column` contains `text` (the same on SQLite and PostgreSQL)."""
    return func.lower(column).like(_contains(text.lower()), escape=ESCAPE)


def phone_forms(query: str) -> tuple[str | None, str | None]:
    """What a query says as a WhatsApp number: the E.164 form the orders store (when `phonenumbers` reads it as an
    Indonesian mobile number, as the checkout does), and the digits to look for inside stored numbers (a part
    typed with 0, 62 or +62 in front and any separators); (None, None) when it is no number."""
    text = query.strip()
    if not PHONE_LIKE.fullmatch(text):
        return None, None
    try:
        exact: str | None = normalize_phone(text)
    except ValidationFailed:
        exact = None
    digits = re.sub(r"\D", "", text)
    if digits.startswith("0"):
        digits = "62" + digits[1:]
    return exact, digits


def whatsapp_link(phone: str) -> str:
    """The wa.me link that opens a chat with a stored number (+628… → https://wa.me/628…); "" for none."""
    digits = re.sub(r"\D", "", phone or "")
    return f"https://wa.me/{digits}" if digits else ""


def mail_link(email: str) -> str:
    return f"mailto:{email}" if email else ""


def package_names(*, session: Session, product_ids: set[int]) -> dict[int, str]:
    """Package id -> its name, for a page of orders (one IN query)."""
    if not product_ids:
        return {}
    found = session.exec(select(Product.id, Product.name).where(col(Product.id).in_(product_ids))).all()
    return {product_id: name for product_id, name in found if product_id is not None}


def order_matches(query: str) -> Any:
    """Orders whose code, e-mail, name, WhatsApp number or gateway reference the query names."""
    conditions = [
        _like(Order.code, query),
        _like(Order.email, query),
        _like(Order.name, query),
        col(Order.provider_reference) == query,
    ]
    exact, digits = phone_forms(query)
    if exact:
        conditions.append(col(Order.phone) == exact)
    if digits:
        conditions.append(col(Order.phone).like(_contains(digits), escape=ESCAPE))
    return or_(*conditions)


@dataclass(frozen=True)
class CustomerRow:
    """One customer as lists show them: their key, latest name and number, how many orders, what they paid."""

    email: str
    name: str
    phone: str
    orders: int
    spent_idr: int
    last_order_at: datetime


@dataclass(frozen=True)
class Found:
    """One kind of search result: at most SEARCH_LIMIT rows, and whether more matched."""

    rows: list[Any]
    more: bool = False


@dataclass(frozen=True)
class SearchResults:
    query: str
    orders: Found = field(default_factory=lambda: Found([]))
    customers: Found = field(default_factory=lambda: Found([]))
    accounts: Found = field(default_factory=lambda: Found([]))
    seats: Found = field(default_factory=lambda: Found([]))

    @property
    def empty(self) -> bool:
        return not (self.orders.rows or self.customers.rows or self.accounts.rows or self.seats.rows)


def _found(rows: list[Any]) -> Found:
    return Found(rows[:SEARCH_LIMIT], len(rows) > SEARCH_LIMIT)


def spent_expression() -> Any:
    """What one order brought in, as the reports count it (domain/admin/reports.py): what its gateway said was
    paid (not for an order marked paid by hand), plus every ManualPayment of the order (cash for the order, paid
    extensions), less the refunded amount recorded."""
    manual = (
        select(func.coalesce(func.sum(ManualPayment.amount_idr), 0))
        .where(col(ManualPayment.order_id) == col(Order.id))
        .correlate(Order)
        .scalar_subquery()
    )
    by_hand = select(col(ManualPayment.order_id)).where(ManualPayment.kind == "order")
    gateway = sa.case(
        (
            sa.and_(col(Order.paid_at).is_not(None), col(Order.id).not_in(by_hand)),
            func.coalesce(Order.paid_amount_idr, 0),
        ),
        else_=0,
    )
    return gateway + manual - func.coalesce(col(Order.refunded_amount_idr), 0)


def _customer_rows(session: Session, where: Any, *, offset: int, limit: int) -> list[CustomerRow]:
    """Customers (orders grouped by e-mail) with an order matching `where`, newest customer first."""
    grouped = (
        select(
            col(Order.email),
            func.max(col(Order.id)).label("latest"),
            func.count(col(Order.id)).label("orders"),
            func.sum(spent_expression()).label("spent"),
        )
        .where(col(Order.email).in_(select(col(Order.email)).where(where)) if where is not None else sa.true())
        .group_by(col(Order.email))
        .order_by(sa.desc("latest"))
        .offset(offset)
        .limit(limit)
    )
    groups = session.exec(grouped).all()
    latest = {o.id: o for o in session.exec(select(Order).where(col(Order.id).in_([g[1] for g in groups])))}
    return [
        CustomerRow(
            email=email,
            name=latest[last].name,
            phone=latest[last].phone,
            orders=int(count),
            spent_idr=int(spent or 0),
            last_order_at=latest[last].created_at,
        )
        for email, last, count, spent in groups
    ]


def _search_text(query: str) -> str:
    return query.strip()[:QUERY_MAX]


@storable_filters
def search(*, session: Session, query: str) -> SearchResults:
    """Orders, customers, accounts and seats the query names (case-insensitive, at most SEARCH_LIMIT of each)."""
    text = _search_text(query)
    if not text:
        return SearchResults(query="")
    over = SEARCH_LIMIT + 1
    where = order_matches(text)
    orders = list(session.exec(select(Order).where(where).order_by(col(Order.id).desc()).limit(over)))
    customers = _customer_rows(session, where, offset=0, limit=over)
    account_where = or_(_like(ChatGPTAccount.email, text), _like(ChatGPTAccount.display_name, text))
    accounts = list(
        session.exec(select(ChatGPTAccount).where(account_where).order_by(col(ChatGPTAccount.id).desc()).limit(over))
    )
    seat_where = or_(
        _like(AccountAssignment.customer_email, text),
        col(AccountAssignment.order_id).in_(select(col(Order.id)).where(where)),
        col(AccountAssignment.chatgpt_account_id).in_(select(col(ChatGPTAccount.id)).where(account_where)),
    )
    seats = list(
        session.exec(select(AccountAssignment).where(seat_where).order_by(col(AccountAssignment.id).desc()).limit(over))
    )
    return SearchResults(
        query=text, orders=_found(orders), customers=_found(customers), accounts=_found(accounts), seats=_found(seats)
    )


@dataclass(frozen=True)
class CustomerPage:
    rows: list[CustomerRow]
    total: int
    page: int
    per_page: int


@storable_filters
def customers_page(*, session: Session, search: str = "", page: int = 1, per_page: int = 25) -> CustomerPage:
    """Customers, newest first (by their latest order), optionally those an order search names."""
    page, per_page = max(1, min(page, MAX_PAGE)), max(1, min(per_page, MAX_PER_PAGE))
    text = _search_text(search)
    where = order_matches(text) if text else None
    counted = select(func.count(sa.distinct(col(Order.email))))
    if where is not None:
        counted = counted.where(where)
    total = int(session.exec(counted).one())
    rows = _customer_rows(session, where, offset=(page - 1) * per_page, limit=per_page)
    return CustomerPage(rows=rows, total=total, page=page, per_page=per_page)


@dataclass(frozen=True)
class CustomerSeat:
    seat: AccountAssignment
    account_email: str
    order_code: str


@dataclass(frozen=True)
class CustomerNote:
    text: str
    at: datetime
    by: str


@dataclass(frozen=True)
class CustomerSummary:
    """Everything about one customer: their orders (newest first), seats, what they paid, the admin's note."""

    key: str  # the e-mail address, or the E.164 number for a customer found by phone
    by_phone: bool
    name: str
    email: str  # of the latest order
    phone: str  # of the latest order
    emails: list[str]
    orders: list[Order]
    order_count: int
    spent_idr: int
    paid_orders: int
    seats: list[CustomerSeat]
    note: CustomerNote | None
    resend_order_id: int | None  # the latest order with an active seat (its access e-mail can be sent again)
    resend_order_code: str = ""
    packages: dict[int, str] = field(default_factory=dict)  # product id -> package name, for the orders shown


def customer_key(value: str) -> tuple[str, bool] | None:
    """The key a customer page's address names: (an e-mail address, False) or (an E.164 number, True); None when it
    is neither (or holds what no database keeps)."""
    text = _search_text(value)
    if not text or "\x00" in text or any("\ud800" <= c <= "\udfff" for c in text):
        return None
    if "@" in text:
        return text.lower(), False
    try:
        return normalize_phone(text), True
    except ValidationFailed:
        return None


def _orders_of(key: str, by_phone: bool) -> Any:
    return col(Order.phone) == key if by_phone else col(Order.email) == key


def latest_note(*, session: Session, key: str) -> CustomerNote | None:
    """The newest note the admins wrote about this customer (None: none yet)."""
    query = (
        select(AuditLog)
        .where(col(AuditLog.action) == NOTE_ACTION, col(AuditLog.details)["customer"].as_string() == key)
        .order_by(col(AuditLog.id).desc())
        .limit(1)
    )
    row = session.exec(query).first()
    if row is None:
        return None
    return CustomerNote(text=str(row.details.get("note", "")), at=row.at, by=row.actor)


def customer_summary(*, session: Session, key: str) -> CustomerSummary | None:
    """The customer a page's key names (an e-mail address, or a WhatsApp number in any form); None: no order has it."""
    found = customer_key(key)
    if found is None:
        return None
    key, by_phone = found
    where = _orders_of(key, by_phone)
    totals = session.exec(
        select(
            func.count(col(Order.id)),
            func.sum(spent_expression()),
            func.count(col(Order.paid_at)),
        ).where(where)
    ).one()
    if not totals[0]:
        return None
    orders = list(session.exec(select(Order).where(where).order_by(col(Order.id).desc()).limit(CUSTOMER_ORDERS_MAX)))
    order_ids = select(col(Order.id)).where(where)
    seat_query = (
        select(AccountAssignment, ChatGPTAccount.email, Order.code)
        .join(ChatGPTAccount, col(ChatGPTAccount.id) == col(AccountAssignment.chatgpt_account_id))
        .join(Order, col(Order.id) == col(AccountAssignment.order_id))
        .where(col(AccountAssignment.order_id).in_(order_ids))
        .order_by(col(AccountAssignment.id).desc())
        .limit(CUSTOMER_ORDERS_MAX)
    )
    seats = [CustomerSeat(seat, account, code) for seat, account, code in session.exec(seat_query).all()]
    active = [s for s in seats if s.seat.status == AssignmentStatus.ACTIVE]  # newest first
    latest = orders[0]
    return CustomerSummary(
        key=key,
        by_phone=by_phone,
        name=latest.name,
        email=latest.email,
        phone=latest.phone,
        emails=sorted({o.email for o in orders}),
        orders=orders,
        order_count=int(totals[0]),
        spent_idr=int(totals[1] or 0),
        paid_orders=int(totals[2] or 0),
        seats=seats,
        note=latest_note(session=session, key=key),
        resend_order_id=active[0].seat.order_id if active else None,
        resend_order_code=active[0].order_code if active else "",
        packages=package_names(session=session, product_ids={o.product_id for o in orders}),
    )


def save_customer_note(*, session: Session, key: str, note: str, actor: str, ip: str | None = None) -> str:
    """Write the admin's note about a customer (an empty note clears it), audited as "customer.note"."""
    found = customer_key(key)
    if found is None:
        raise ValidationFailed("Pelanggan tidak dikenal: pakai e-mail atau nomor WhatsApp.", field="customer")
    key, by_phone = found
    if session.exec(select(Order.id).where(_orders_of(key, by_phone)).limit(1)).first() is None:
        raise NotFound(f"Tidak ada pesanan atas {key}.", customer=key)
    text = (note or "").strip()
    try:
        storable(text, "note", multiline=True)
    except ValidationFailed:
        raise ValidationFailed("Catatan berisi karakter yang tidak bisa disimpan.", field="note") from None
    if len(text) > NOTE_MAX:
        raise ValidationFailed(f"Catatan terlalu panjang (paling banyak {NOTE_MAX} karakter).", field="note")
    before = latest_note(session=session, key=key)
    record_audit(
        session=session,
        actor=actor,
        action=NOTE_ACTION,
        entity=CUSTOMER,
        entity_id=None,
        before={"note": before.text if before else ""},
        after={"note": text},
        ip=ip,
        customer=key,
        note=text,
    )
    return text
