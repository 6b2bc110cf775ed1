"""The owner's side of login help (issue #19 item 1): a shared login's TOTP secret through the account form (kept
encrypted, never sent back to the browser, clearable; a bad one refused), and the pasted e-mail code."""

from __future__ import annotations

import json

import pyotp
import pytest
from nicegui.testing import User
from sqlmodel import select

from domain.admin.admins import create_admin
from domain.catalog.login_help import totp_code
from domain.catalog.pool import add_account
from domain.shared.crypto import decrypt_secret
from domain.shared.models import AuditLog, ChatGPTAccount
from infra import db
from infra.types import utcnow
from tests.helpers import ADMIN
from tests.ui.test_admin import EMAIL, PASSWORD, _login
from tests.ui.test_admin_numbers import click_for_message

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


@pytest.fixture
def owner(engine):
    return db.in_transaction(lambda s: create_admin(session=s, email=EMAIL, password=PASSWORD))


@pytest.fixture
def shared_login(engine) -> int:
    account = db.in_transaction(
        lambda s: add_account(session=s, actor=ADMIN, email="shared@example.com", password="pw-1234567", max_seats=3)
    )
    return account.id


def _stored(account_id: int) -> ChatGPTAccount:
    with db.read_session() as s:
        account = s.get(ChatGPTAccount, account_id)
        assert account is not None
        return account


def _everything_sent(user: User) -> str:
    assert user.client is not None
    return "\n".join(
        json.dumps(e._props, default=str) + str(getattr(e, "text", "")) + str(getattr(e, "value", ""))
        for e in user.client.elements.values()
    )


async def test_the_totp_secret_is_stored_through_the_form_and_never_shown_again(
    user: User, owner, shared_login: int
) -> None:
    await _login(user)
    await user.open(f"/admin/accounts/{shared_login}")
    await user.should_see("Kunci TOTP belum ada")
    user.find("edit-account").click()
    user.find("acc-totp").type("not base32!")
    assert "base32" in await click_for_message(user, "acc-save")
    assert _stored(shared_login).totp_secret_enc == ""  # refused: nothing saved

    user.find("acc-totp").clear().type(SECRET.lower())
    assert await click_for_message(user, "acc-save") == "Akun disimpan"
    now = utcnow()
    assert totp_code(_stored(shared_login), now).code == pyotp.TOTP(SECRET).at(now)  # type: ignore[union-attr]
    assert SECRET not in _stored(shared_login).totp_secret_enc
    assert decrypt_secret(_stored(shared_login).totp_secret_enc) == SECRET

    await user.open(f"/admin/accounts/{shared_login}")
    await user.should_see("Kunci TOTP tersimpan")
    user.find("edit-account").click()
    await user.should_see(marker="acc-totp-saved")
    assert SECRET not in _everything_sent(user) and SECRET.lower() not in _everything_sent(user)
    user.find("acc-totp-clear").click()
    assert await click_for_message(user, "acc-save") == "Akun disimpan"
    assert _stored(shared_login).totp_secret_enc == ""
    with db.read_session() as s:
        actions = [a.action for a in s.exec(select(AuditLog).where(AuditLog.entity_id == shared_login))]
        details = repr([a.details for a in s.exec(select(AuditLog))])
    assert "account.totp_set" in actions and "account.totp_cleared" in actions and SECRET not in details


async def test_the_owner_pastes_the_latest_verification_code(user: User, owner, shared_login: int) -> None:
    await _login(user)
    await user.open(f"/admin/accounts/{shared_login}")
    await user.should_see("Belum ada kode verifikasi yang ditempel.")
    user.find("paste-code").click()
    user.find("paste-code-input").type("12 <x>")
    assert "Kode verifikasi" in await click_for_message(user, "paste-code-save")
    assert _stored(shared_login).login_code_enc == ""
    user.find("paste-code-input").clear().type("482913")
    assert await click_for_message(user, "paste-code-save") == "Kode terkirim ke halaman pesanan pelanggan aktif"
    stored = _stored(shared_login)
    assert decrypt_secret(stored.login_code_enc) == "482913" and stored.login_code_at is not None
    await user.should_see("terlihat pelanggan aktif sampai")
    with db.read_session() as s:
        [pasted] = s.exec(select(AuditLog).where(AuditLog.action == "account.login_code_pasted")).all()
    assert "482913" not in repr(pasted.details)
