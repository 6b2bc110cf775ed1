"""What start-up does before serving: logging, engine, `alembic upgrade head`, first admin, demo data."""

from __future__ import annotations

import logging
import os
import secrets

from domain.admin.admins import admin_count, bootstrap_admin, create_admin
from domain.admin.api_tokens import bootstrap_token
from infra import db
from infra.settings import Settings
from runtime.seed import seed_demo_data

log = logging.getLogger("aksesgpt.startup")
DEMO_ADMIN = "admin@demo.aksesgpt.invalid"


def keep_files_private() -> None:
    """Files this process creates (database, WAL, backups, logs, NiceGUI's storage) are its user's alone:
    they hold customers' data and encrypted secrets."""
    os.umask(0o077)


def warn_about_settings(settings: Settings) -> None:
    if bool(settings.TELEGRAM_BOT_TOKEN.strip()) != bool(settings.TELEGRAM_CHAT_ID.strip()):
        log.warning("Telegram alerts need both TELEGRAM_BOT_TOKEN and TELEGRAM_CHAT_ID; alerts go by e-mail only")
    provider = settings.WHATSAPP_PROVIDER.strip().lower()
    if provider and not settings.whatsapp_configured:
        log.warning("WhatsApp is off: WHATSAPP_PROVIDER must be fonnte or wablas, and WHATSAPP_TOKEN set")
    if not settings.SMTP_HOST:
        if settings.is_production:
            log.warning("SMTP_HOST is not set: e-mails stay PENDING in the outbox until it is")
        else:
            log.info("no SMTP_HOST: e-mails are logged here and kept in the outbox (admin > outbox)")


def prepare_database(settings: Settings) -> None:
    """Point the app at its database, migrate it to head, create the first admin, seed a dev shop."""
    db.configure(settings.database_url)
    db.upgrade_database(settings.database_url)
    with db.write_session() as session:
        admin = bootstrap_admin(session=session, email=settings.ADMIN_EMAIL, password=settings.ADMIN_PASSWORD)
        if admin is not None:
            log.info("admin created email=%s", admin.email)
        if bootstrap_token(session=session, value=settings.ADMIN_API_TOKEN):
            log.info("ADMIN_API_TOKEN registered for the first owner")
        if settings.DEMO_DATA and not settings.is_production and seed_demo_data(session=session):
            log.info("demo data seeded: 3 packages, 4 [DEMO] accounts (DEMO_DATA=0 turns this off)")
            if not admin_count(session=session):
                # a newcomer can open /admin at once; the password goes to a file, never to the log
                password = secrets.token_urlsafe(12)
                create_admin(session=session, email=DEMO_ADMIN, password=password)
                note = settings.DATA_DIR / "demo-admin.txt"
                note.parent.mkdir(parents=True, exist_ok=True)
                note.touch(mode=0o600)
                note.write_text(f"{DEMO_ADMIN}\n{password}\n")
                log.info("demo admin %s created; its password is in %s", DEMO_ADMIN, note)
