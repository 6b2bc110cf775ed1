"""Admin accounts: argon2 hashes, same answer for unknown email and wrong password, lockout."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.admin.admins import MAX_FAILED_LOGINS, authenticate, bootstrap_admin, create_admin
from domain.shared.errors import Conflict, ValidationFailed
from domain.shared.models import AdminUser
from infra import db
from infra.types import utcnow

PASSWORD = "correct horse battery"


def _login(email: str, password: str):
    return db.in_transaction(lambda s: authenticate(session=s, email=email, password=password))


def test_password_is_hashed_with_argon2_and_login_works(engine) -> None:
    admin = db.in_transaction(lambda s: create_admin(session=s, email="Owner@Example.com", password=PASSWORD))
    assert admin.password_hash.startswith("$argon2") and PASSWORD not in admin.password_hash
    assert _login("owner@example.com", PASSWORD).id == admin.id
    assert _login("owner@example.com", "wrong password") is None
    assert _login("nobody@example.com", PASSWORD) is None


def test_five_failures_lock_the_account_for_fifteen_minutes(engine) -> None:
    admin = db.in_transaction(lambda s: create_admin(session=s, email="owner@example.com", password=PASSWORD))
    for _ in range(MAX_FAILED_LOGINS):
        assert _login("owner@example.com", "guess") is None
    assert _login("owner@example.com", PASSWORD) is None, "locked: even the right password is refused"
    with db.write_session() as s:
        row = s.get(AdminUser, admin.id)
        assert row.locked_until > utcnow() + timedelta(minutes=14)
        row.locked_until = utcnow() - timedelta(seconds=1)
    assert _login("owner@example.com", PASSWORD) is not None


def test_bootstrap_creates_the_first_admin_only(engine) -> None:
    assert db.in_transaction(lambda s: bootstrap_admin(session=s, email="", password="")) is None
    first = db.in_transaction(lambda s: bootstrap_admin(session=s, email="boss@example.com", password=PASSWORD))
    assert first is not None
    assert db.in_transaction(lambda s: bootstrap_admin(session=s, email="two@example.com", password=PASSWORD)) is None


def test_bad_admin_input(engine) -> None:
    with pytest.raises(ValidationFailed, match="at least"):
        db.in_transaction(lambda s: create_admin(session=s, email="a@example.com", password="short"))
    db.in_transaction(lambda s: create_admin(session=s, email="a@example.com", password=PASSWORD))
    with pytest.raises(Conflict):
        db.in_transaction(lambda s: create_admin(session=s, email="A@example.com", password=PASSWORD))
