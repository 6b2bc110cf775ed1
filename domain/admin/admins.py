"""Admin users: argon2 hashes through passlib, no timing oracle, sign-in throttled per address and account with
growing waits (never a lock that ends the admin's own sessions), two-factor sign-in with TOTP and recovery codes,
and sessions that end when the password is reset or the admin signs out everywhere."""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import pyotp
from passlib.context import CryptContext
from sqlmodel import Session, func, select

from domain.shared.audit import SYSTEM, audit_row
from domain.shared.crypto import decrypt_secret, encrypt_secret
from domain.shared.errors import Conflict, DomainError, ValidationFailed
from domain.shared.models import AdminUser
from domain.shared.validation import normalize_email
from infra.ratelimit import Throttle
from infra.types import utcnow

pwd_context = CryptContext(schemes=["argon2"], deprecated="auto")
# failed sign-ins, counted per address and account (growing waits), per address (one source spraying many
# accounts) and per account (many sources): a stranger's guesses slow the stranger, not the admin elsewhere
SIGN_IN_PAIR = Throttle("signin-pair", [(5, 60), (10, 15 * 60), (20, 60 * 60)])
SIGN_IN_ADDRESS = Throttle("signin-address", [(20, 60), (60, 60 * 60)])
SIGN_IN_ACCOUNT = Throttle("signin-account", [(100, 60 * 60)])
MAX_FAILED_LOGINS = 5  # from one address, then it waits a minute; more failures wait longer
TOTP_ISSUER = "AksesGPT"
RECOVERY_CODES = 10
SESSION_MAX_AGE = timedelta(hours=12)  # a dashboard session signs in again after this long
MIN_PASSWORD_LENGTH = 10
_DUMMY_HASH = pwd_context.hash("not-a-real-password-only-for-timing")


def create_admin(*, session: Session, email: str, password: str, actor: str = SYSTEM, role: str = "owner") -> AdminUser:
    email = normalize_email(email)
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise ValidationFailed(f"an admin password needs at least {MIN_PASSWORD_LENGTH} characters", field="password")
    if session.exec(select(AdminUser).where(AdminUser.email == email)).first():
        raise Conflict(f"admin {email} already exists", field="email")
    admin = AdminUser(email=email, password_hash=pwd_context.hash(password), role=role)
    session.add(admin)
    session.flush()
    audit_row(admin, session=session, actor=actor, action="admin.create", after={"email": email, "role": role})
    return admin


def admin_count(*, session: Session) -> int:
    return int(session.exec(select(func.count()).select_from(AdminUser)).one())


class TooManyAttempts(DomainError):
    """Sign-in refused without checking the password: too many failures lately; try again after `retry_after` s."""

    code = "too_many_attempts"

    def __init__(self, retry_after: float) -> None:
        self.retry_after = max(1, math.ceil(retry_after))
        super().__init__(f"too many sign-in attempts: try again in {self.retry_after} s", retry_after=self.retry_after)


@dataclass(frozen=True)
class _Attempt:
    """Who tries to sign in from where, as the three throttles count it."""

    account: str
    address: str

    @classmethod
    def of(cls, email: str, ip: str | None) -> _Attempt:
        return cls((email or "").strip().lower()[:254], ip or "?")

    def _counts(self) -> tuple[tuple[Throttle, str], ...]:
        pair = f"{self.account}|{self.address}"
        return (SIGN_IN_PAIR, pair), (SIGN_IN_ADDRESS, self.address), (SIGN_IN_ACCOUNT, self.account)

    def check(self) -> None:
        """TooManyAttempts while any of the three must wait."""
        wait = max(throttle.wait(key) for throttle, key in self._counts())
        if wait > 0:
            raise TooManyAttempts(wait)

    def failed(self) -> None:
        for throttle, key in self._counts():
            throttle.fail(key)

    def succeeded(self) -> None:
        SIGN_IN_PAIR.clear(f"{self.account}|{self.address}")


def authenticate(*, session: Session, email: str, password: str, ip: str | None = None) -> AdminUser | None:
    """The admin when email and password match and the account is enabled, else None; TooManyAttempts (before
    any check) while this address or account must wait.

    Unknown email and wrong password take the same path and the same time, and count the same."""
    attempt = _Attempt.of(email, ip)
    attempt.check()
    admin = session.exec(select(AdminUser).where(AdminUser.email == attempt.account)).first()
    if admin is None:
        pwd_context.verify(password or "", _DUMMY_HASH)
        ok, new_hash = False, None
    else:
        ok, new_hash = pwd_context.verify_and_update(password or "", admin.password_hash)
    if not ok:
        attempt.failed()
        if admin is not None:
            admin.failed_logins += 1
            session.add(admin)
        return None
    assert admin is not None
    now = utcnow()
    if not admin.is_active or (admin.locked_until is not None and admin.locked_until > now):
        return None
    attempt.succeeded()
    if new_hash:
        admin.password_hash = new_hash
    admin.failed_logins = 0
    admin.last_login_at = now
    session.add(admin)
    audit_row(admin, session=session, actor=f"admin:{admin.email}", action="admin.login", ip=ip)
    return admin


def bootstrap_admin(*, session: Session, email: str, password: str) -> AdminUser | None:
    """Create the first admin from ADMIN_EMAIL/ADMIN_PASSWORD when none exists yet."""
    if not email or not password or admin_count(session=session):
        return None
    return create_admin(session=session, email=email, password=password)


def _require_owner(session: Session, actor_id: int) -> AdminUser:
    actor = session.get(AdminUser, actor_id)
    if actor is None or not actor.is_active or actor.role != "owner":
        raise Conflict("only an owner can manage admins")
    return actor


def set_admin_active(*, session: Session, actor_id: int, admin_id: int, active: bool) -> AdminUser:
    owner, admin = _require_owner(session, actor_id), _admin(session, admin_id)
    if admin.id == owner.id and not active:
        raise Conflict("you cannot disable your own account")
    before = admin.is_active
    admin.is_active = active
    session.add(admin)
    audit_row(
        admin,
        session=session,
        actor=f"admin:{owner.email}",
        action="admin.enable" if active else "admin.disable",
        before={"is_active": before},
        after={"is_active": active},
    )
    return admin


def reset_admin_password(*, session: Session, actor_id: int, admin_id: int, password: str) -> AdminUser:
    owner, admin = _require_owner(session, actor_id), _admin(session, admin_id)
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise ValidationFailed(f"an admin password needs at least {MIN_PASSWORD_LENGTH} characters", field="password")
    admin.password_hash = pwd_context.hash(password)
    admin.failed_logins, admin.locked_until = 0, None
    admin.sessions_valid_after = utcnow()  # whoever knew the old password is signed out everywhere
    session.add(admin)
    audit_row(admin, session=session, actor=f"admin:{owner.email}", action="admin.reset_password")
    return admin


def add_admin(*, session: Session, actor_id: int, email: str, password: str, role: str = "staff") -> AdminUser:
    owner = _require_owner(session, actor_id)
    if role not in ("owner", "staff"):
        raise ValidationFailed("role is owner or staff", field="role")
    return create_admin(session=session, email=email, password=password, actor=f"admin:{owner.email}", role=role)


def list_admins(*, session: Session) -> list[AdminUser]:
    return list(session.exec(select(AdminUser).order_by(AdminUser.email)))


def active_admin(
    *, session: Session, admin_id: int | None, signed_in_at: datetime | None = None, now: datetime | None = None
) -> AdminUser | None:
    """The admin behind a session, if the account still exists, is enabled and not locked out, and the
    session (when its start is given) is younger than SESSION_MAX_AGE."""
    now = now or utcnow()
    admin = session.get(AdminUser, admin_id) if admin_id is not None else None
    if admin is None or not admin.is_active:
        return None
    if admin.locked_until is not None and admin.locked_until > now:
        return None  # someone is guessing this account's password: its open sessions stop too
    if signed_in_at is not None and not timedelta(0) <= now - signed_in_at <= SESSION_MAX_AGE:
        return None
    if (
        signed_in_at is not None
        and admin.sessions_valid_after is not None
        and signed_in_at < admin.sessions_valid_after
    ):
        return None  # signed out everywhere, or the password was reset, after this session began
    return admin


def sign_out_everywhere(*, session: Session, admin_id: int, ip: str | None = None) -> AdminUser:
    """End every session of this admin, on every device (this one too)."""
    admin = _admin(session, admin_id)
    admin.sessions_valid_after = utcnow()
    session.add(admin)
    audit_row(admin, session=session, actor=f"admin:{admin.email}", action="admin.sign_out_everywhere", ip=ip)
    return admin


# --- two-factor sign-in ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Enrolment:
    secret: str  # base32, for typing into an app by hand
    uri: str  # otpauth://, for the QR code


def has_second_factor(admin: AdminUser) -> bool:
    return admin.totp_confirmed_at is not None and bool(admin.totp_secret_enc)


def new_enrolment(*, email: str) -> Enrolment:
    """A fresh TOTP secret for the admin's authenticator app; nothing is kept until confirm_totp sees its code."""
    secret = pyotp.random_base32()
    return Enrolment(secret=secret, uri=pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=TOTP_ISSUER))


def confirm_totp(*, session: Session, admin_id: int, secret: str, code: str, ip: str | None = None) -> list[str]:
    """Turn two-factor sign-in on with `secret` once `code` (from the app) matches it; returns the recovery codes,
    shown this once (only their hashes are kept)."""
    admin = _admin(session, admin_id)
    totp = pyotp.TOTP(secret)
    if not _code_matches(totp, code):
        raise ValidationFailed(
            "the code does not match: check the phone's clock and type the newest code", field="code"
        )
    codes = [f"{secrets.token_hex(2)}-{secrets.token_hex(2)}-{secrets.token_hex(2)}" for _ in range(RECOVERY_CODES)]
    admin.totp_secret_enc = encrypt_secret(secret)
    admin.totp_confirmed_at = utcnow()
    admin.totp_last_step = totp.timecode(utcnow())
    admin.recovery_codes = [_code_hash(c) for c in codes]
    session.add(admin)
    audit_row(admin, session=session, actor=f"admin:{admin.email}", action="admin.totp_on", ip=ip)
    return codes


def verify_second_factor(*, session: Session, admin_id: int, code: str, ip: str | None = None) -> bool:
    """Whether `code` is this admin's current TOTP code (each code works once) or an unused recovery code (used
    up now). Failures count against the same throttles as passwords."""
    admin = _admin(session, admin_id)
    attempt = _Attempt.of(admin.email, ip)
    attempt.check()
    typed = "".join((code or "").split()).lower()
    ok = False
    if has_second_factor(admin) and typed.isdigit():
        totp = pyotp.TOTP(decrypt_secret(admin.totp_secret_enc))
        step = totp.timecode(utcnow())
        for candidate in (step, step - 1):  # the current code, or the one that just ran out
            if candidate > admin.totp_last_step and hmac.compare_digest(totp.generate_otp(candidate), typed):
                admin.totp_last_step, ok = candidate, True
                break
    elif has_second_factor(admin) and _code_hash(typed) in admin.recovery_codes:
        admin.recovery_codes = [h for h in admin.recovery_codes if h != _code_hash(typed)]
        ok = True
        audit_row(
            admin,
            session=session,
            actor=f"admin:{admin.email}",
            action="admin.recovery_code_used",
            ip=ip,
            left=len(admin.recovery_codes),
        )
    if not ok:
        attempt.failed()
    session.add(admin)
    return ok


def turn_off_totp(*, session: Session, actor_id: int, admin_id: int, ip: str | None = None) -> AdminUser:
    """Two-factor sign-in off: by the admin, or by an owner for an admin who lost the phone and the codes."""
    actor = _admin(session, actor_id)
    if actor_id != admin_id:
        _require_owner(session, actor_id)
    admin = _admin(session, admin_id)
    admin.totp_secret_enc, admin.totp_confirmed_at, admin.recovery_codes = "", None, []
    session.add(admin)
    audit_row(admin, session=session, actor=f"admin:{actor.email}", action="admin.totp_off", ip=ip)
    return admin


def _admin(session: Session, admin_id: int) -> AdminUser:
    admin = session.get(AdminUser, admin_id)
    if admin is None:
        raise ValidationFailed(f"unknown admin {admin_id}")
    return admin


def _code_matches(totp: pyotp.TOTP, code: str) -> bool:
    typed = "".join((code or "").split())
    return typed.isdigit() and totp.verify(typed, for_time=utcnow(), valid_window=1)


def _code_hash(code: str) -> str:
    return hashlib.sha256(code.strip().lower().encode()).hexdigest()
