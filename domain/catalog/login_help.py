"""Login help for a shared login: the account's TOTP secret (its current 6-digit code for the active customers),
or the latest verification code ChatGPT e-mailed, pasted by the owner and shown for PASTED_CODE_MINUTES."""

from __future__ import annotations

import binascii
import re
from base64 import b32decode
from dataclasses import dataclass
from datetime import datetime, timedelta

import pyotp
from sqlmodel import Session

from domain.shared.audit import audit_row
from domain.shared.crypto import decrypt_secret, encrypt_secret
from domain.shared.errors import NotFound, ValidationFailed
from domain.shared.models import ChatGPTAccount, Delivery
from infra.changes import announce
from infra.types import utcnow

PASTED_CODE_MINUTES = 10
TOTP_STEP = 30  # seconds a code stands (ChatGPT's authenticator codes: RFC 6238 defaults)
_PASTED = re.compile(r"[0-9A-Z]{4,12}")


@dataclass(frozen=True)
class LoginCode:
    """A code the customer types, and until when it stands."""

    code: str
    until: datetime


def clean_totp_secret(value: str | None) -> str:
    """The secret as the authenticator app takes it: base32, spaces and dashes dropped, upper case; '' clears."""
    secret = re.sub(r"[\s-]", "", value or "").upper().rstrip("=")
    if not secret:
        return ""
    if not 16 <= len(secret) <= 128 or not re.fullmatch(r"[A-Z2-7]+", secret):
        raise ValidationFailed(
            "Kunci TOTP harus base32 (huruf A–Z dan angka 2–7), 16–128 karakter", field="totp_secret"
        )
    try:
        b32decode(secret + "=" * (-len(secret) % 8))
    except (binascii.Error, ValueError):
        raise ValidationFailed("Kunci TOTP bukan base32 yang sah", field="totp_secret") from None
    return secret


def clean_pasted_code(value: str | None) -> str:
    """A verification code as ChatGPT e-mails it (usually 6 digits); '' clears."""
    code = re.sub(r"[\s-]", "", value or "").upper()
    if code and not _PASTED.fullmatch(code):
        raise ValidationFailed("Kode verifikasi: 4–12 huruf atau angka", field="login_code")
    return code


def _account(session: Session, account_id: int) -> ChatGPTAccount:
    account = session.get(ChatGPTAccount, account_id)
    if account is None:
        raise NotFound(f"unknown account {account_id}")
    return account


def store_totp_secret(
    *, session: Session, account: ChatGPTAccount, actor: str, secret: str | None, ip: str | None = None
) -> None:
    """Keep the account's TOTP secret encrypted ('' or None clears it); audited without the secret."""
    clean = clean_totp_secret(secret)
    if clean and account.delivery != Delivery.CREDENTIALS:
        raise ValidationFailed("Kunci TOTP hanya untuk akun login bersama (CREDENTIALS)", field="totp_secret")
    had = bool(account.totp_secret_enc)
    if not clean and not had:
        return
    account.totp_secret_enc = encrypt_secret(clean) if clean else ""
    session.add(account)
    action = "account.totp_set" if clean else "account.totp_cleared"
    audit_row(account, session=session, actor=actor, action=action, ip=ip, replaced=had and bool(clean))
    announce(session=session, topics=(f"account:{account.id}",))


def set_totp_secret(
    *, session: Session, actor: str, account_id: int, secret: str | None, ip: str | None = None
) -> ChatGPTAccount:
    """The admin's "store / clear the TOTP secret" on one account."""
    account = _account(session, account_id)
    store_totp_secret(session=session, account=account, actor=actor, secret=secret, ip=ip)
    return account


def paste_login_code(
    *, session: Session, actor: str, account_id: int, code: str | None, ip: str | None = None
) -> ChatGPTAccount:
    """The latest code ChatGPT e-mailed to the account, for its active customers during PASTED_CODE_MINUTES
    ('' takes it back); audited without the code."""
    account = _account(session, account_id)
    clean = clean_pasted_code(code)
    if clean and account.delivery != Delivery.CREDENTIALS:
        raise ValidationFailed("Kode verifikasi hanya untuk akun login bersama (CREDENTIALS)", field="login_code")
    if not clean and not account.login_code_enc:
        return account
    account.login_code_enc = encrypt_secret(clean) if clean else ""
    account.login_code_at = utcnow() if clean else None
    session.add(account)
    action = "account.login_code_pasted" if clean else "account.login_code_cleared"
    audit_row(account, session=session, actor=actor, action=action, ip=ip)
    announce(session=session, topics=(f"account:{account.id}",))
    return account


def pasted_code(account: ChatGPTAccount, now: datetime) -> LoginCode | None:
    """The pasted code while it stands (None after PASTED_CODE_MINUTES, or when there is none)."""
    if not account.login_code_enc or account.login_code_at is None:
        return None
    until = account.login_code_at + timedelta(minutes=PASTED_CODE_MINUTES)
    if now >= until:
        return None
    return LoginCode(code=decrypt_secret(account.login_code_enc), until=until)


def totp_code(account: ChatGPTAccount, now: datetime) -> LoginCode | None:
    """The account's authenticator code at `now` and the end of its step (None: no secret stored)."""
    if not account.totp_secret_enc:
        return None
    totp = pyotp.TOTP(decrypt_secret(account.totp_secret_enc), interval=TOTP_STEP)
    step_end = (int(now.timestamp()) // TOTP_STEP + 1) * TOTP_STEP
    return LoginCode(code=totp.at(now), until=datetime.fromtimestamp(step_end, tz=now.tzinfo))
