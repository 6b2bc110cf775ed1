"""Backups and restores: SQLite's online backup API (safe while the shop runs), pg_dump/pg_restore for
PostgreSQL (a consistent snapshot, also while the shop runs)."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path
from urllib.parse import parse_qs

import sqlalchemy as sa

from domain.shared.errors import DomainError


class BackupFailed(DomainError):
    code = "backup_failed"


def _libpq(url: str) -> tuple[str, list[str]]:
    """A libpq connection string for the pg_* tools, and the -n option when the URL pins a schema."""
    parsed = sa.engine.make_url(url)
    options = parse_qs(f"options={parsed.query.get('options', '')}")["options"][0] if parsed.query else ""
    schema = options.split("search_path=", 1)[1].split()[0] if "search_path=" in options else ""
    plain = parsed.set(drivername="postgresql", query={})
    return plain.render_as_string(hide_password=False), (["-n", schema] if schema else [])


def backup(url: str, target: Path) -> Path:
    """Write a consistent copy of the database to `target` (a file)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if url.startswith("sqlite"):
        source = sqlite3.connect(sa.engine.make_url(url).database or "")
        copy = sqlite3.connect(target)
        try:
            with copy:
                source.backup(copy)  # page by page, while other connections keep writing
        finally:
            copy.close()
            source.close()
        return target
    if not shutil.which("pg_dump"):
        raise BackupFailed("pg_dump is not installed (Debian: apt-get install postgresql-client)")
    dsn, schema = _libpq(url)
    result = subprocess.run(
        ["pg_dump", "--format=custom", "--no-owner", *schema, "--file", str(target), dsn],
        capture_output=True,
        text=True,
    )
    if result.returncode:
        raise BackupFailed(f"pg_dump failed: {result.stderr.strip()[:500]}")
    return target


def restore(url: str, source: Path) -> None:
    """Replace the database's contents with a backup (stop the app first)."""
    if not source.exists():
        raise BackupFailed(f"no backup at {source}")
    if url.startswith("sqlite"):
        backup(f"sqlite:///{source}", Path(sa.engine.make_url(url).database or ""))
        return
    if not shutil.which("pg_restore"):
        raise BackupFailed("pg_restore is not installed (Debian: apt-get install postgresql-client)")
    dsn, _ = _libpq(url)
    result = subprocess.run(
        ["pg_restore", "--clean", "--if-exists", "--no-owner", "--exit-on-error", "-d", dsn, str(source)],
        capture_output=True,
        text=True,
    )
    if result.returncode:
        raise BackupFailed(f"pg_restore failed: {result.stderr.strip()[:500]}")
