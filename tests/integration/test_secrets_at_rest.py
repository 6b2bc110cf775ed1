"""Account passwords are stored only encrypted, and can be rotated to a new key."""

from __future__ import annotations

import os
import secrets

import sqlalchemy as sa
from cryptography.fernet import Fernet
from sqlmodel import SQLModel, select

from domain.admin.listing import outbox_message
from domain.catalog.pool import reveal_password
from domain.notify.mail import SECRET_MASK
from domain.shared import crypto
from domain.shared.models import EmailOutbox
from infra import db
from infra.settings import get_settings
from infra.types import utcnow
from runtime.backup import backup
from runtime.delivery import deliver_outbox
from tests.helpers import ADMIN, checked_out, make_account, make_product, pay, smtp_sender

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


def _raw_sqlite(url: str) -> bytes:
    path = sa.engine.make_url(url).database or ""
    return b"".join(open(p, "rb").read() for p in (path, path + "-wal") if os.path.exists(p))


def test_no_account_password_in_the_outbox_the_database_or_a_backup(engine, backend, db_url, inbox, tmp_path) -> None:
    """Finding 1: an access e-mail is stored with the password masked and encrypted beside it, put in only as
    it leaves, and forgotten once sent; the admin's preview shows the mask."""
    secret = f"Outbox-Pw-{secrets.token_hex(6)}"
    make_account(max_seats=3, password=secret)
    order = checked_out(make_product())
    pay(order)
    mail = db.in_transaction(lambda s: s.exec(select(EmailOutbox).where(EmailOutbox.kind == "access_ready")).one())
    assert secret not in mail.text + mail.html and SECRET_MASK in mail.text and mail.secret_enc

    sender = smtp_sender(inbox.port)
    assert deliver_outbox(sender=sender).sent == 2  # how to pay, and the access
    access = next(m for m in inbox.messages if inbox.text(m).count(secret))
    assert secret in inbox.text(access) and SECRET_MASK not in inbox.text(access), "the customer gets the password"
    with db.read_session() as s:
        sent = s.get(EmailOutbox, mail.id)
        preview = outbox_message(session=s, mail_id=mail.id)
    assert sent is not None and sent.status == "SENT" and sent.secret_enc is None
    assert preview is not None and secret not in preview.text + preview.html

    copy = backup(db_url, tmp_path / "backup.db")
    if backend == "sqlite":
        engine.dispose()
        assert secret.encode() not in _raw_sqlite(db_url)
        assert secret.encode() not in copy.read_bytes()
    else:
        with engine.connect() as conn:
            tables = [t.name for t in SQLModel.metadata.sorted_tables]
            dump = [conn.execute(sa.text(f'SELECT row_to_json(t)::text FROM "{n}" t')).scalars().all() for n in tables]
        assert not any(secret in row for rows in dump for row in rows)
        assert secret.encode() not in copy.read_bytes()


def test_the_upgrade_scrubs_access_emails_sent_before_it(backend, fresh_url) -> None:
    """E-mails sent by earlier versions kept the password in their bodies: upgrading to 0006 drops those bodies."""
    db.upgrade_database(fresh_url, "0005")
    engine = db.make_engine(fresh_url)
    with engine.begin() as conn:
        for status, kind, body in (
            ("SENT", "access_ready", f"Kata sandi: {PLAINTEXT}"),
            ("PENDING", "order_created", "Bayar sebelum 14.00"),
            ("SENT", "order_created", "Bayar sebelum 14.00"),
        ):
            conn.execute(
                sa.text(
                    "INSERT INTO email_outbox (created_at, updated_at, status, attempts, next_attempt_at, "
                    '"to", kind, subject, html, text) VALUES (:now, :now, :status, 1, :now, :to, :kind, :s, :b, :b)'
                ),
                {"now": utcnow(), "status": status, "to": "a@example.com", "kind": kind, "s": "x", "b": body},
            )
    engine.dispose()
    db.upgrade_database(fresh_url)
    engine = db.make_engine(fresh_url)
    with engine.connect() as conn:
        bodies = dict(conn.execute(sa.text("SELECT kind || ':' || status, text FROM email_outbox")).all())
    engine.dispose()
    assert PLAINTEXT not in bodies["access_ready:SENT"]
    assert bodies["order_created:SENT"] == bodies["order_created:PENDING"] == "Bayar sebelum 14.00"  # kept
    if backend == "sqlite":  # overwritten, not left in a free page
        assert PLAINTEXT.encode() not in _raw_sqlite(fresh_url)
