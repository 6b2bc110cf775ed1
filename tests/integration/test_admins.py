"""Admin accounts: argon2 hashes, same answer for unknown email and wrong password, throttled sign-in,
sessions that end, two-factor sign-in."""

from __future__ import annotations

from datetime import timedelta

import pyotp
import pytest

from domain.admin.admins import (
    MAX_FAILED_LOGINS,
    SIGN_IN_PAIR,
    TooManyAttempts,
    active_admin,
    authenticate,
    bootstrap_admin,
    confirm_totp,
    create_admin,
    has_second_factor,
    new_enrolment,
    reset_admin_password,
    sign_out_everywhere,
    verify_second_factor,
)
from domain.shared.errors import Conflict, ValidationFailed
from domain.shared.models import AdminUser
from infra import db, ratelimit
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


def _login_from(ip: str, email: str, password: str):
    return db.in_transaction(lambda s: authenticate(session=s, email=email, password=password, ip=ip))


def test_guesses_slow_the_guesser_not_the_admin(engine) -> None:
    """Trust #6: five wrong passwords locked the account for 15 minutes, ended its sessions and refused the right
    password, from any address. Now the guessing address waits longer and longer; the admin signs in elsewhere
    and keeps the sessions it has."""
    admin = db.in_transaction(lambda s: create_admin(session=s, email="owner@example.com", password=PASSWORD))
    signed_in = utcnow()
    for _ in range(MAX_FAILED_LOGINS):
        assert _login_from("198.51.100.7", "owner@example.com", "guess") is None
    with pytest.raises(TooManyAttempts) as waited:
        _login_from("198.51.100.7", "owner@example.com", PASSWORD)
    assert 1 <= waited.value.retry_after <= 60
    assert _login_from("203.0.113.20", "owner@example.com", PASSWORD).id == admin.id, "the admin, elsewhere"
    with db.read_session() as s:
        assert active_admin(session=s, admin_id=admin.id, signed_in_at=signed_in) is not None, "sessions go on"


def test_waits_grow_and_unknown_accounts_count_the_same(engine) -> None:
    for _ in range(MAX_FAILED_LOGINS):
        assert _login_from("198.51.100.8", "nobody@example.com", "guess") is None
    with pytest.raises(TooManyAttempts) as first:
        _login_from("198.51.100.8", "nobody@example.com", "guess")
    key = "nobody@example.com|198.51.100.8"
    SIGN_IN_PAIR.clear(key)  # as if ten failures had filled the quarter-hour tier, the minute's long gone
    quarter_hour = SIGN_IN_PAIR.items[1]
    for _ in range(quarter_hour.amount):
        ratelimit._counter.limiter.hit(quarter_hour, SIGN_IN_PAIR.name, key)
    with pytest.raises(TooManyAttempts) as later:
        _login_from("198.51.100.8", "nobody@example.com", "guess")
    assert first.value.retry_after <= 60 < later.value.retry_after <= 15 * 60


def test_one_address_spraying_many_accounts_is_slowed(engine) -> None:
    for n in range(20):
        assert _login_from("198.51.100.9", f"user{n}@example.com", "guess") is None
    with pytest.raises(TooManyAttempts):
        _login_from("198.51.100.9", "someone-else@example.com", "guess")


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


def test_a_password_reset_and_signing_out_everywhere_end_open_sessions(engine) -> None:
    """Trust #4: a password reset left the admin's other sessions alive; there was no "sign out everywhere"."""
    owner = db.in_transaction(lambda s: create_admin(session=s, email="owner@example.com", password=PASSWORD))
    staff = db.in_transaction(
        lambda s: create_admin(session=s, email="staff@example.com", password=PASSWORD, role="staff")
    )
    before = utcnow() - timedelta(seconds=1)

    def alive(admin_id: int, since) -> bool:
        with db.read_session() as s:
            return active_admin(session=s, admin_id=admin_id, signed_in_at=since) is not None

    assert alive(staff.id, before)
    db.in_transaction(
        lambda s: reset_admin_password(session=s, actor_id=owner.id, admin_id=staff.id, password="N3w-pass-2026")
    )
    assert not alive(staff.id, before), "the session from before the reset is over"
    assert alive(staff.id, utcnow()), "a sign-in after it works"
    assert alive(owner.id, before)
    db.in_transaction(lambda s: sign_out_everywhere(session=s, admin_id=owner.id))
    assert not alive(owner.id, before)


def test_two_factor_sign_in_with_totp_and_recovery_codes(engine, monkeypatch) -> None:
    """Trust #6: TOTP for admins: enrol with the app's first code, then every code works once; a recovery code
    works once; wrong codes count against the same throttle as passwords."""
    admin = db.in_transaction(lambda s: create_admin(session=s, email="owner@example.com", password=PASSWORD))
    enrolment = new_enrolment(email=admin.email)
    assert enrolment.uri.startswith("otpauth://totp/") and "AksesGPT" in enrolment.uri
    totp = pyotp.TOTP(enrolment.secret)
    with pytest.raises(ValidationFailed):
        db.in_transaction(lambda s: confirm_totp(session=s, admin_id=admin.id, secret=enrolment.secret, code="000000"))
    codes = db.in_transaction(
        lambda s: confirm_totp(session=s, admin_id=admin.id, secret=enrolment.secret, code=totp.now())
    )
    assert len(codes) == 10 and len(set(codes)) == 10
    with db.read_session() as s:
        stored = s.get(AdminUser, admin.id)
        assert has_second_factor(stored)
        assert enrolment.secret not in stored.totp_secret_enc and not set(codes) & set(stored.recovery_codes)

    def second(code: str, ip: str = "203.0.113.5") -> bool:
        return db.in_transaction(lambda s: verify_second_factor(session=s, admin_id=admin.id, code=code, ip=ip))

    assert not second(totp.now()), "the code that confirmed enrolment is used up"
    later = utcnow() + timedelta(seconds=30)
    next_code = totp.at(later)
    monkeypatch.setattr("domain.admin.admins.utcnow", lambda: later)  # the next 30 s step
    assert second(next_code)
    assert not second(next_code), "a code works once"
    assert second(codes[0].upper()) and not second(codes[0]), "a recovery code works once, in any case"
    for _ in range(MAX_FAILED_LOGINS):
        assert not second("123456", ip="198.51.100.77")
    with pytest.raises(TooManyAttempts):
        second(codes[1], ip="198.51.100.77")
