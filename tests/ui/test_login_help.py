"""Login help on the order page (issue #19 item 1): a shared login's numbered steps, its current login code behind
a button for the seat holder only (gone once the seat is revoked), and the owner's pasted e-mail code."""

from __future__ import annotations

import asyncio
import re
import sys

import pyotp
from nicegui import ui
from nicegui.testing import User
from sqlmodel import select

from domain.catalog.login_help import paste_login_code, set_totp_secret
from domain.catalog.pool import list_accounts, retire_account
from domain.orders.login_code import REVEAL_WINDOW_SECONDS, REVEALS_PER_WINDOW, reveal_limit
from domain.orders.orders import create_order, record_payment
from domain.seats.assignments import revoke_assignment
from domain.shared.links import access_token
from domain.shared.models import AccountAssignment, AssignmentStatus, AuditLog, Order
from infra import db
from infra.types import utcnow
from pages.shop.login_help import AUTO_STEPS
from tests.helpers import ADMIN

EMAIL = "sari@example.com"
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def _one_shared_login() -> int:
    """Leave only one demo account that works by shared login; its id."""
    with db.write_session() as s:
        accounts = list_accounts(session=s)
        keep = next(a.id for a in accounts if a.delivery == "CREDENTIALS" and a.status == "AVAILABLE")
        for account in accounts:
            if account.id != keep and account.status != "RETIRED":
                retire_account(session=s, actor=ADMIN, account_id=account.id)
        return keep


def _paid_order(lang: str = "id") -> Order:
    def work(s):
        order, _ = create_order(
            session=s, product_slug="paket-30-hari", email=EMAIL, name="Sari", phone="081234567890", locale=lang
        )
        record_payment(session=s, order_id=order.id, amount_idr=order.amount_idr, actor="tripay_webhook")
        return order

    return db.in_transaction(work)


def _seat(order: Order) -> AccountAssignment:
    with db.read_session() as s:
        return s.exec(
            select(AccountAssignment).where(
                AccountAssignment.order_id == order.id, AccountAssignment.status == AssignmentStatus.ACTIVE
            )
        ).one()


def _link(order: Order, lang: str = "") -> str:
    return f"/order/{order.code}?t={access_token(order.code)}" + (f"&lang={lang}" if lang else "")


def _shown_code(user: User) -> str:
    [element] = user.find("login-code").elements
    assert isinstance(element, ui.html)
    match = re.search(r'data-testid="login-code-value">(\d+)<', element.content)
    assert match, element.content
    return match.group(1)


async def test_the_seat_holder_sees_steps_and_the_login_code_until_revoked(user: User) -> None:
    account_id = _one_shared_login()
    db.in_transaction(lambda s: set_totp_secret(session=s, actor=ADMIN, account_id=account_id, secret=SECRET))
    order = _paid_order()
    await user.open(_link(order))
    await user.should_see("Cara masuk")
    await user.should_see("Buka chatgpt.com dan tekan 'Log in'.")
    await user.should_see("Diminta kode verifikasi (6 angka)?")
    await user.should_see("Buka chatgpt.com")
    await user.should_not_see(marker="login-code")

    before = utcnow()
    user.find("show-login-code").click()
    await user.should_see(marker="login-code")
    after = utcnow()
    totp = pyotp.TOTP(SECRET)
    assert _shown_code(user) in {totp.at(before), totp.at(after)}
    await user.should_see("Kode berganti dalam")
    with db.read_session() as s:
        shown = s.exec(select(AuditLog).where(AuditLog.action == "order.login_code_shown")).all()
    assert [(a.entity_id, a.details["account"]) for a in shown] == [(order.id, account_id)]

    seat = _seat(order)
    db.in_transaction(lambda s: revoke_assignment(session=s, assignment_id=seat.id, actor=ADMIN, reason="refund"))
    await user.should_see(marker="ended")
    await user.should_not_see(marker="login-code")
    await user.should_not_see("Tampilkan kode login")


async def test_no_button_without_a_secret_and_the_pasted_code_shows_live(user: User) -> None:
    account_id = _one_shared_login()
    order = _paid_order("en")
    await user.open(_link(order, "en"))
    await user.should_see("How to get in")
    await user.should_see("The latest code appears on this page")
    await user.should_not_see("Show login code")
    await user.should_not_see(marker="pasted-code")

    db.in_transaction(lambda s: paste_login_code(session=s, actor=ADMIN, account_id=account_id, code="731 502"))
    await user.should_see(marker="pasted-code")  # live: the account's change reached the open page
    [element] = user.find("pasted-code").elements
    assert isinstance(element, ui.html) and ">731502<" in element.content and "Valid until" in element.content


async def test_another_order_on_the_same_account_gets_only_its_own_page(user: User) -> None:
    account_id = _one_shared_login()
    db.in_transaction(lambda s: set_totp_secret(session=s, actor=ADMIN, account_id=account_id, secret=SECRET))
    order = _paid_order()
    await user.open(f"/order/{order.code}?t=wrong")
    await user.should_not_see("Tampilkan kode login")
    await user.should_not_see(marker="login-code")


async def test_the_code_is_asked_for_again_at_each_step_then_hidden(user: User, monkeypatch) -> None:
    account_id = _one_shared_login()
    db.in_transaction(lambda s: set_totp_secret(session=s, actor=ADMIN, account_id=account_id, secret=SECRET))
    order = _paid_order()
    await user.open(_link(order))
    live_page = sys.modules["pages.shop.login_help"]  # the module the running app drew this page with
    monkeypatch.setattr(live_page, "seconds_left", lambda _deadline: 0)  # every step ends at once
    user.find("show-login-code").click()

    def shown() -> int:
        with db.read_session() as s:
            return len(s.exec(select(AuditLog).where(AuditLog.action == "order.login_code_shown")).all())

    def code_visible() -> bool:
        assert user.client is not None
        [element] = [e for e in user.client.elements.values() if "login-code" in e._markers]
        return element.visible

    for _ in range(200):
        if shown() == 1 + AUTO_STEPS and not code_visible():
            break
        await asyncio.sleep(0.05)
    assert shown() == 1 + AUTO_STEPS  # the press, then one server answer per step boundary: no secret in the page
    assert not code_visible()  # the last code hidden when its step ended
    await user.should_see("Tampilkan kode login")  # a press starts again


async def test_past_the_limit_the_page_says_so_plainly(user: User) -> None:
    account_id = _one_shared_login()
    db.in_transaction(lambda s: set_totp_secret(session=s, actor=ADMIN, account_id=account_id, secret=SECRET))
    order = _paid_order()
    await user.open(_link(order))
    reveal_limit.configure(limit=1, per_seconds=REVEAL_WINDOW_SECONDS)
    try:
        user.find("show-login-code").click()
        await user.should_see(marker="login-code")
        user.find("show-login-code").click()
        await user.should_see("Terlalu sering meminta kode. Coba lagi dalam 10 menit.")
    finally:
        reveal_limit.configure(limit=REVEALS_PER_WINDOW, per_seconds=REVEAL_WINDOW_SECONDS)
    await user.should_not_see(marker="login-code")  # the refused press shows no code
    with db.read_session() as s:
        assert len(s.exec(select(AuditLog).where(AuditLog.action == "order.login_code_shown")).all()) == 1
