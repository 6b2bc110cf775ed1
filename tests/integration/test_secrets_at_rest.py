"""Account passwords are stored only encrypted, and can be rotated to a new key."""

from __future__ import annotations

import sqlalchemy as sa
from cryptography.fernet import Fernet

from domain.catalog.pool import reveal_password
from domain.shared import crypto
from infra import db
from infra.settings import get_settings
from tests.helpers import ADMIN, make_account

PLAINTEXT = "Sup3r-Secret-ChatGPT-Pw!"


def test_password_never_appears_in_the_database(engine, backend, db_url) -> None:
    account = make_account(max_seats=3, password=PLAINTEXT)
    if backend == "sqlite":
        engine.dispose()  # flush the WAL into the file, then read its raw bytes
        path = sa.engine.make_url(db_url).database
        with sa.create_engine(db_url).connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        raw = open(path, "rb").read() + (
            open(path + "-wal", "rb").read() if __import__("os").path.exists(path + "-wal") else b""
        )
        assert PLAINTEXT.encode() not in raw
    else:
        with engine.connect() as conn:
            dump = conn.execute(sa.text("SELECT row_to_json(t)::text FROM chatgpt_accounts t")).scalars().all()
            audit = conn.execute(sa.text("SELECT details::text FROM audit_logs")).scalars().all()
        assert dump and not any(PLAINTEXT in row for row in dump + audit)

    assert db.in_transaction(lambda s: reveal_password(session=s, actor=ADMIN, account_id=account.id)) == PLAINTEXT


def test_key_rotation_keeps_old_secrets_readable(engine, monkeypatch) -> None:
    token = crypto.encrypt_secret(PLAINTEXT)
    settings = get_settings()
    new_key = Fernet.generate_key().decode()
    monkeypatch.setattr(settings, "ENCRYPTION_KEY", f"{new_key},{settings.ENCRYPTION_KEY}")
    assert crypto.decrypt_secret(token) == PLAINTEXT
    rotated = crypto.rotate_secret(token)
    assert Fernet(new_key.encode()).decrypt(rotated.encode()).decode() == PLAINTEXT


def test_editing_an_account_keeps_or_replaces_its_password(engine) -> None:
    from domain.catalog.pool import update_account

    account = make_account(max_seats=2, password=PLAINTEXT)
    db.in_transaction(lambda s: update_account(session=s, actor=ADMIN, account_id=account.id, note="moved desk"))
    assert db.in_transaction(lambda s: reveal_password(session=s, actor=ADMIN, account_id=account.id)) == PLAINTEXT
    db.in_transaction(lambda s: update_account(session=s, actor=ADMIN, account_id=account.id, password="New-Pw-2026"))
    assert db.in_transaction(lambda s: reveal_password(session=s, actor=ADMIN, account_id=account.id)) == "New-Pw-2026"
