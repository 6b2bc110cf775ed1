"""Operator commands: migrate, create an admin, import accounts from CSV, seed demo data, check invariants.

python cli.py migrate
python cli.py create-admin owner@example.com          (asks for the password)
python cli.py import-accounts accounts.csv [--dry-run]
python cli.py seed-demo
python cli.py check
python cli.py turn-off-2fa owner@example.com     (an admin who lost the phone and the recovery codes)
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path

from sqlmodel import Session, select

from domain.admin.admins import create_admin, turn_off_totp
from domain.admin.invariants import check_invariants
from domain.catalog.pool import import_accounts_csv
from domain.shared.errors import DomainError
from domain.shared.models import AdminUser
from infra import db
from infra.settings import get_settings
from runtime.backup import backup, restore
from runtime.seed import seed_demo_data
from runtime.startup import keep_files_private


def _migrate(_args: argparse.Namespace) -> int:
    url = get_settings().database_url
    db.upgrade_database(url)
    print("database at head")
    return 0


def _create_admin(args: argparse.Namespace) -> int:
    password = os.environ.get("ADMIN_PASSWORD") if args.password_from_env else None
    if password is None:
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Repeat: "):
            print("passwords differ; nothing created", file=sys.stderr)
            return 1
    admin = db.in_transaction(lambda s: create_admin(session=s, email=args.email, password=password, actor="cli"))
    print(f"admin {admin.email} created")
    return 0


def _turn_off_2fa(args: argparse.Namespace) -> int:
    """For an admin who lost the phone and the recovery codes: two-factor sign-in off (they turn it on again)."""

    def work(s: Session) -> str:
        admin = s.exec(select(AdminUser).where(AdminUser.email == args.email.strip().lower())).first()
        if admin is None or admin.id is None:
            raise DomainError(f"no admin {args.email}")
        turn_off_totp(session=s, actor_id=admin.id, admin_id=admin.id)
        return admin.email

    print(f"two-factor sign-in turned off for {db.in_transaction(work)}; they can turn it on again")
    return 0


def _import_accounts(args: argparse.Namespace) -> int:
    text = Path(args.file).read_text(encoding="utf-8")
    report = db.in_transaction(lambda s: import_accounts_csv(session=s, actor="cli", text=text, dry_run=args.dry_run))
    for row in report.rows:
        print(f"line {row.line}: {row.email or '?'}: {'ok' if row.error is None else row.error}")
    verb = "would import" if args.dry_run else "imported"
    print(f"{verb} {len(report.ok)} account(s), {len(report.errors)} row(s) with errors")
    return 1 if report.errors else 0


def _seed(_args: argparse.Namespace) -> int:
    seeded = db.in_transaction(lambda s: seed_demo_data(session=s))
    print("demo data seeded" if seeded else "packages exist already; nothing seeded")
    return 0


def _check(_args: argparse.Namespace) -> int:
    with db.read_session() as session:
        problems = check_invariants(session=session)
    for problem in problems:
        print(problem)
    print("invariants hold" if not problems else f"{len(problems)} violation(s)")
    return 1 if problems else 0


def _backup(args: argparse.Namespace) -> int:
    path = backup(get_settings().database_url, Path(args.file))
    print(f"backup written to {path}")
    return 0


def _restore(args: argparse.Namespace) -> int:
    restore(get_settings().database_url, Path(args.file))
    print(f"restored from {args.file}; run 'python cli.py migrate' if the backup is older than this release")
    return 0


def main(argv: list[str] | None = None) -> int:
    keep_files_private()  # backups and the database it may create
    parser = argparse.ArgumentParser(
        prog="cli.py", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate", help="alembic upgrade head").set_defaults(run=_migrate)
    admin = commands.add_parser("create-admin", help="create an admin user")
    admin.add_argument("email")
    admin.add_argument("--password-from-env", action="store_true", help="read ADMIN_PASSWORD instead of prompting")
    admin.set_defaults(run=_create_admin)
    off = commands.add_parser("turn-off-2fa", help="turn two-factor sign-in off for an admin who lost the phone")
    off.add_argument("email")
    off.set_defaults(run=_turn_off_2fa)
    accounts = commands.add_parser(
        "import-accounts", help="import accounts: email,password,pool,delivery,max_seats,note"
    )
    accounts.add_argument("file")
    accounts.add_argument("--dry-run", action="store_true", help="check every row, import nothing")
    accounts.set_defaults(run=_import_accounts)
    commands.add_parser("seed-demo", help="seed demo packages and accounts into an empty shop").set_defaults(run=_seed)
    commands.add_parser("check", help="list violations of the invariants").set_defaults(run=_check)
    for name, run, text in (
        ("backup", _backup, "write a consistent backup while the shop runs"),
        ("restore", _restore, "replace the database with a backup (stop the app first)"),
    ):
        command = commands.add_parser(name, help=text)
        command.add_argument("file")
        command.set_defaults(run=run)
    args = parser.parse_args(argv)
    if args.command not in ("migrate", "backup", "restore"):
        db.configure(get_settings().database_url)
        db.upgrade_database(get_settings().database_url)
    try:
        return int(args.run(args))
    except DomainError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
