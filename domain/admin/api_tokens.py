"""Bearer tokens for the admin JSON API: issued to an admin, kept only as a hash, revocable."""

from __future__ import annotations

import secrets

from sqlmodel import Session, col, select

from domain.admin.admins import admin_count
from domain.shared.audit import record_audit
from domain.shared.errors import NotFound, ValidationFailed
from domain.shared.links import hash_token
from domain.shared.models import AdminApiToken, AdminUser
from infra.types import utcnow


def issue_token(*, session: Session, admin_id: int, name: str, actor: str, value: str | None = None) -> str:
    """A new token for `admin_id`; the plain value is returned once and never stored."""
    if not name.strip():
        raise ValidationFailed("a token needs a name (what uses it)", field="name")
    if session.get(AdminUser, admin_id) is None:
        raise NotFound(f"unknown admin {admin_id}")
    token = value or "agt_" + secrets.token_urlsafe(32)
    row = AdminApiToken(admin_id=admin_id, name=name.strip()[:80], token_hash=hash_token(token))
    session.add(row)
    session.flush()
    record_audit(
        session=session,
        actor=actor,
        action="admin.token_issue",
        entity="admin",
        entity_id=admin_id,
        token_id=row.id,
        name=row.name,
    )
    return token


def revoke_token(*, session: Session, token_id: int, actor: str) -> None:
    row = session.get(AdminApiToken, token_id)
    if row is None:
        raise NotFound(f"unknown token {token_id}")
    row.revoked_at = row.revoked_at or utcnow()
    session.add(row)
    record_audit(
        session=session,
        actor=actor,
        action="admin.token_revoke",
        entity="admin",
        entity_id=row.admin_id,
        token_id=row.id,
    )


def admin_for_token(*, session: Session, token: str | None) -> AdminUser | None:
    """The active admin a bearer token belongs to, or None."""
    if not token:
        return None
    row = session.exec(
        select(AdminApiToken).where(
            AdminApiToken.token_hash == hash_token(token), col(AdminApiToken.revoked_at).is_(None)
        )
    ).first()
    if row is None:
        return None
    admin = session.get(AdminUser, row.admin_id)
    if admin is None or not admin.is_active:
        return None
    row.last_used_at = utcnow()
    session.add(row)
    return admin


def tokens_of(*, session: Session, admin_id: int) -> list[AdminApiToken]:
    return list(
        session.exec(
            select(AdminApiToken).where(AdminApiToken.admin_id == admin_id).order_by(col(AdminApiToken.id).desc())
        )
    )


def bootstrap_token(*, session: Session, value: str) -> bool:
    """ADMIN_API_TOKEN: make the given value a token of the first owner, once."""
    if not value or not admin_count(session=session):
        return False
    if session.exec(select(AdminApiToken).where(AdminApiToken.token_hash == hash_token(value))).first():
        return False
    owner = session.exec(select(AdminUser).where(AdminUser.role == "owner").order_by(col(AdminUser.id))).first()
    if owner is None:
        return False
    issue_token(session=session, admin_id=owner.id, name="ADMIN_API_TOKEN", actor="system", value=value)  # type: ignore[arg-type]
    return True
