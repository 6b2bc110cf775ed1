"""The operator CLI, run as a real subprocess against this test's database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _cli(db_url: str, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"}
    environment |= {"DATABASE_URL": db_url} | (env or {})
    return subprocess.run(
        [sys.executable, "cli.py", *args], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )


def test_migrate_import_create_admin_and_check(db_url: str, tmp_path: Path) -> None:
    assert _cli(db_url, "migrate").returncode == 0
    csv_file = tmp_path / "accounts.csv"
    csv_file.write_text(
        "email,password,pool,delivery,max_seats,note\n"
        "one@example.com,pw-one,default,CREDENTIALS,,\n"
        "broken,pw,default,CREDENTIALS,,\n"
    )
    preview = _cli(db_url, "import-accounts", str(csv_file), "--dry-run")
    assert "would import 1 account(s), 1 row(s) with errors" in preview.stdout
    assert "line 3: broken: 'broken' is not a valid email address" in preview.stdout
    imported = _cli(db_url, "import-accounts", str(csv_file))
    assert imported.returncode == 1 and "imported 1 account(s)" in imported.stdout
    assert "pw-one" not in imported.stdout + imported.stderr

    created = _cli(
        db_url,
        "create-admin",
        "boss@example.com",
        "--password-from-env",
        env={"ADMIN_PASSWORD": "a long enough password"},
    )
    assert created.returncode == 0, created.stderr
    again = _cli(
        db_url,
        "create-admin",
        "boss@example.com",
        "--password-from-env",
        env={"ADMIN_PASSWORD": "a long enough password"},
    )
    assert again.returncode == 1 and "already exists" in again.stderr

    check = _cli(db_url, "check")
    assert check.returncode == 0 and "invariants hold" in check.stdout


def test_first_development_start_creates_a_demo_admin_in_a_new_data_folder(db_url: str, tmp_path: Path) -> None:
    """Found while benchmarking: the demo admin's note was written into a folder that did not exist."""
    data = tmp_path / "fresh" / "data"
    script = "import main"
    environment = {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"}
    environment |= {"DATABASE_URL": db_url, "DATA_DIR": str(data), "DEMO_DATA": "1", "SCHEDULER_ENABLED": "0"}
    environment.pop("ADMIN_EMAIL", None)
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    note = (data / "demo-admin.txt").read_text().split()
    assert note[0] == "admin@demo.aksesgpt.invalid" and len(note[1]) >= 10
    assert note[1] not in result.stdout + result.stderr, "the password never reaches the log"


def test_turn_off_two_factor_for_an_admin_who_lost_the_phone(db_url: str) -> None:
    from domain.admin.admins import confirm_totp, create_admin, has_second_factor, new_enrolment
    from domain.shared.models import AdminUser
    from infra import db

    assert _cli(db_url, "migrate").returncode == 0
    engine = db.configure(db_url)
    try:
        admin = db.in_transaction(lambda s: create_admin(session=s, email="boss@example.com", password="x" * 12))
        enrolment = new_enrolment(email=admin.email)
        code = __import__("pyotp").TOTP(enrolment.secret).now()
        db.in_transaction(lambda s: confirm_totp(session=s, admin_id=admin.id, secret=enrolment.secret, code=code))
        off = _cli(db_url, "turn-off-2fa", "Boss@example.com")
        assert off.returncode == 0 and "turned off for boss@example.com" in off.stdout, off.stderr
        with db.read_session() as s:
            assert not has_second_factor(s.get(AdminUser, admin.id))
        assert _cli(db_url, "turn-off-2fa", "nobody@example.com").returncode == 1
    finally:
        engine.dispose()
