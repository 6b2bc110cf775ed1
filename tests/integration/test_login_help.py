"""Login help (issue #19 item 1) on SQLite and PostgreSQL: a shared login's TOTP secret kept only encrypted, its
current code for the active seat holder only (each reveal audited, rate-limited), the owner's pasted e-mail code
shown for ten minutes, and the access e-mail's numbered steps."""

from __future__ import annotations

from datetime import timedelta

import pyotp
import pytest
import sqlalchemy as sa
from sqlmodel import SQLModel, col, select

from domain.catalog.login_help import PASTED_CODE_MINUTES, paste_login_code, pasted_code, set_totp_secret
from domain.orders.customer_view import order_page
from domain.orders.login_code import REVEALS_PER_WINDOW, NoLoginCode, TooManyReveals, reveal_login_code
from domain.seats.assignments import revoke_assignment
from domain.shared.errors import NotFound, ValidationFailed
from domain.shared.links import access_token
from domain.shared.models import AccountAssignment, AssignmentStatus, AuditLog, ChatGPTAccount, EmailOutbox, Order
from infra import db
from infra.types import utcnow
from tests.helpers import ADMIN, fingerprint, invariants, make_account, make_order, make_product, pay

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
PASTED = "482913"


def everything(engine) -> str:
    """Every row of every table as text: what a database dump would show."""
    with engine.connect() as conn:
        return "\n".join(
            repr(tuple(row)) for table in SQLModel.metadata.sorted_tables for row in conn.execute(sa.select(table))
        )


def seated_order(account: ChatGPTAccount, product) -> tuple[Order, AccountAssignment]:
    order = make_order(product)
    pay(order)
    with db.read_session() as s:
        seat = s.exec(select(AccountAssignment).where(AccountAssignment.order_id == order.id)).one()
    assert seat.chatgpt_account_id == account.id and seat.status == AssignmentStatus.ACTIVE
    return order, seat


def reveal(order: Order, token: str | None = None, now=None):
    token = access_token(order.code) if token is None else token
    return db.in_transaction(
        lambda s: reveal_login_code(session=s, code=order.code, token=token, now=now or utcnow(), ip="10.0.0.9")
    )


def store_secret(account: ChatGPTAccount, secret: str | None = SECRET) -> None:
    db.in_transaction(lambda s: set_totp_secret(session=s, actor=ADMIN, account_id=account.id, secret=secret))


def audits(action: str) -> list[AuditLog]:
    with db.read_session() as s:
        return list(s.exec(select(AuditLog).where(AuditLog.action == action).order_by(col(AuditLog.id))))


def test_the_totp_secret_is_kept_encrypted_and_audited_without_it(engine) -> None:
    account = make_account(max_seats=2)
    store_secret(account, "jbsw y3dp ehpk 3pxp jbsw y3dp ehpk 3pxp")  # as authenticator setup pages show it
    dump = everything(engine)
    assert SECRET not in dump and SECRET.lower() not in dump and "jbsw y3dp" not in dump
    with db.read_session() as s:
        stored = s.get(ChatGPTAccount, account.id)
        assert stored is not None and stored.totp_secret_enc
    [row] = audits("account.totp_set")
    assert row.entity == "account" and row.entity_id == account.id and SECRET not in repr(row.details)

    store_secret(account, "")  # cleared
    with db.read_session() as s:
        assert s.get(ChatGPTAccount, account.id).totp_secret_enc == ""
    assert len(audits("account.totp_cleared")) == 1


@pytest.mark.parametrize("bad", ["NOT-BASE32-0189!!", "ABCDEFGH", "JBSWY3DPEHPK3PX1", "Ø" * 20])
def test_a_bad_secret_is_refused_and_changes_nothing(engine, bad: str) -> None:
    account = make_account(max_seats=2)
    before = fingerprint(engine)
    with pytest.raises(ValidationFailed) as refused:
        store_secret(account, bad)
    assert refused.value.context["field"] == "totp_secret"
    assert fingerprint(engine) == before


def test_the_seat_holder_gets_pyotps_code_and_nobody_else(engine) -> None:
    product = make_product()
    account = make_account(max_seats=2)
    store_secret(account)
    order, seat = seated_order(account, product)
    now = utcnow()

    code = reveal(order, now=now)
    assert code.code == pyotp.TOTP(SECRET).at(now) and len(code.code) == 6 and code.code.isdigit()
    assert now < code.until <= now + timedelta(seconds=30) and int(code.until.timestamp()) % 30 == 0
    assert reveal(order, now=code.until).code == pyotp.TOTP(SECRET).at(code.until)  # the next step's code
    [shown, _] = audits("order.login_code_shown")
    assert shown.entity == "order" and shown.entity_id == order.id and shown.details["account"] == account.id
    assert code.code not in repr(shown.details)
    with pytest.raises(NotFound):
        reveal(order, token="wrong-token")
    with pytest.raises(NotFound):
        reveal(order, token=access_token(make_order(product).code))  # another order's link

    page = db.in_transaction(lambda s: order_page(session=s, code=order.code, token=access_token(order.code)))
    assert page.access is not None and page.access.has_totp

    db.in_transaction(lambda s: revoke_assignment(session=s, assignment_id=seat.id, actor=ADMIN, reason="refund"))
    with pytest.raises(NoLoginCode):
        reveal(order)
    assert len(audits("order.login_code_shown")) == 2  # the refused reveal wrote nothing
    assert invariants() == []


def test_no_code_without_a_secret(engine) -> None:
    account = make_account(max_seats=2)
    order, _seat = seated_order(account, make_product())
    with pytest.raises(NoLoginCode):
        reveal(order)


def test_reveals_are_rate_limited_per_order(engine) -> None:
    product = make_product()
    account = make_account(max_seats=3)
    store_secret(account)
    order, _ = seated_order(account, product)
    other, _ = seated_order(account, product)
    for _ in range(REVEALS_PER_WINDOW):
        reveal(order)
    with pytest.raises(TooManyReveals):
        reveal(order)
    assert len(audits("order.login_code_shown")) == REVEALS_PER_WINDOW
    now = utcnow()
    assert reveal(other, now=now).code == pyotp.TOTP(SECRET).at(now)  # another order counts on its own
    assert len(audits("order.login_code_shown")) == REVEALS_PER_WINDOW + 1


def test_a_pasted_code_shows_to_active_customers_for_ten_minutes(engine) -> None:
    product = make_product()
    account = make_account(max_seats=2)
    order, seat = seated_order(account, product)
    db.in_transaction(lambda s: paste_login_code(session=s, actor=ADMIN, account_id=account.id, code=" 482 913 "))
    assert PASTED not in everything(engine)
    [row] = audits("account.login_code_pasted")
    assert PASTED not in repr(row.details)

    def page():
        return db.in_transaction(lambda s: order_page(session=s, code=order.code, token=access_token(order.code)))

    shown = page().access
    assert shown is not None and shown.pasted is not None and shown.pasted.code == PASTED
    with db.read_session() as s:
        stored = s.get(ChatGPTAccount, account.id)
        at = stored.login_code_at
        assert pasted_code(stored, at + timedelta(minutes=PASTED_CODE_MINUTES, seconds=-1)) is not None
        assert pasted_code(stored, at + timedelta(minutes=PASTED_CODE_MINUTES)) is None

    def age(minutes: int) -> None:
        with db.write_session() as s:
            stored = s.get(ChatGPTAccount, account.id)
            stored.login_code_at = utcnow() - timedelta(minutes=minutes)
            s.add(stored)

    age(PASTED_CODE_MINUTES + 1)
    assert page().access.pasted is None  # gone after ten minutes
    age(1)
    db.in_transaction(lambda s: revoke_assignment(session=s, assignment_id=seat.id, actor=ADMIN, reason="refund"))
    assert page().access is None  # a revoked customer sees no access, and so no code


def test_a_bad_pasted_code_is_refused(engine) -> None:
    account = make_account(max_seats=2)
    invite = make_account(max_seats=2, delivery="INVITE")
    before = fingerprint(engine)
    with pytest.raises(ValidationFailed):
        db.in_transaction(lambda s: paste_login_code(session=s, actor=ADMIN, account_id=account.id, code="12 <b>"))
    with pytest.raises(ValidationFailed):  # an invitation's customers sign in with their own e-mail
        db.in_transaction(lambda s: paste_login_code(session=s, actor=ADMIN, account_id=invite.id, code=PASTED))
    with pytest.raises(ValidationFailed):
        store_secret(invite)
    assert fingerprint(engine) == before


@pytest.mark.parametrize("delivery", ["CREDENTIALS", "INVITE"])
def test_the_access_email_has_numbered_steps_and_the_chatgpt_link(engine, delivery: str) -> None:
    account = make_account(max_seats=2, delivery=delivery)
    order, _ = seated_order(account, make_product())
    with db.read_session() as s:
        mail = s.exec(
            select(EmailOutbox).where(EmailOutbox.order_id == order.id, EmailOutbox.kind == "access_ready")
        ).one()
    assert "Cara masuk" in mail.text and "1. " in mail.text and "4. " in mail.text
    assert "https://chatgpt.com" in mail.text and 'href="https://chatgpt.com"' in mail.html
    if delivery == "CREDENTIALS":
        assert account.email in mail.text and "kode verifikasi" in mail.text
    else:
        assert "Join workspace" in mail.text
