"""Admin users: argon2 hashes through passlib, lockout after repeated failures, no timing oracle."""

from __future__ import annotations

from datetime import datetime, timedelta

from passlib.context import CryptContext
from sqlmodel import Session, func, select

from domain.shared.audit import SYSTEM, record_audit
from domain.shared.errors import Conflict, ValidationFailed
from domain.shared.models import AdminUser
from domain.shared.validation import normalize_email
from infra.types import utcnow

pwd_context = CryptContext(schemes=["argon2"], deprecated="auto")
MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
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
    record_audit(
        session=session,
        actor=actor,
        action="admin.create",
        entity="admin",
        entity_id=admin.id,
        after={"email": email, "role": role},
    )
    return admin


def admin_count(*, session: Session) -> int:
    return int(session.exec(select(func.count()).select_from(AdminUser)).one())


def authenticate(*, session: Session, email: str, password: str, ip: str | None = None) -> AdminUser | None:
    """The admin when email and password match and the account is not locked, else None.

    Unknown email and wrong password take the same path and the same time."""
    admin = session.exec(select(AdminUser).where(AdminUser.email == (email or "").strip().lower())).first()
    if admin is None:
        pwd_context.verify(password or "", _DUMMY_HASH)
        return None
    now = utcnow()
    ok, new_hash = pwd_context.verify_and_update(password or "", admin.password_hash)
    locked = admin.locked_until is not None and admin.locked_until > now
    if not ok or locked or not admin.is_active:
        if not ok:
            admin.failed_logins += 1
            if admin.failed_logins >= MAX_FAILED_LOGINS:
                admin.locked_until = now + LOCKOUT
                admin.failed_logins = 0
                record_audit(
                    session=session,
                    actor=f"admin:{admin.email}",
                    action="admin.locked",
                    entity="admin",
                    entity_id=admin.id,
                    ip=ip,
                    until=admin.locked_until.isoformat(),
                )
        session.add(admin)
        return None
    if new_hash:
        admin.password_hash = new_hash
    admin.failed_logins = 0
    admin.locked_until = None
    admin.last_login_at = now
    session.add(admin)
    record_audit(
        session=session, actor=f"admin:{admin.email}", action="admin.login", entity="admin", entity_id=admin.id, ip=ip
    )
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
    owner = _require_owner(session, actor_id)
    admin = session.get(AdminUser, admin_id)
    if admin is None:
        raise ValidationFailed(f"unknown admin {admin_id}")
    if admin.id == owner.id and not active:
        raise Conflict("you cannot disable your own account")
    before = admin.is_active
    admin.is_active = active
    session.add(admin)
    record_audit(
        session=session,
        actor=f"admin:{owner.email}",
        action="admin.enable" if active else "admin.disable",
        entity="admin",
        entity_id=admin.id,
        before={"is_active": before},
        after={"is_active": active},
    )
    return admin


def reset_admin_password(*, session: Session, actor_id: int, admin_id: int, password: str) -> AdminUser:
    owner = _require_owner(session, actor_id)
    admin = session.get(AdminUser, admin_id)
    if admin is None:
        raise ValidationFailed(f"unknown admin {admin_id}")
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise ValidationFailed(f"an admin password needs at least {MIN_PASSWORD_LENGTH} characters", field="password")
    admin.password_hash = pwd_context.hash(password)
    admin.failed_logins, admin.locked_until = 0, None
    session.add(admin)
    record_audit(
        session=session, actor=f"admin:{owner.email}", action="admin.reset_password", entity="admin", entity_id=admin.id
    )
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
    return admin
