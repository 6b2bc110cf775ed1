"""Two app processes run the release job at the same moment against one database: each expired seat
is released exactly once (advisory lock on PostgreSQL, SKIP LOCKED and the state check everywhere)."""

from __future__ import annotations

import subprocess
import sys
import time
from collections import Counter

import pytest
from sqlmodel import select

from domain.shared.models import AccountAssignment, AuditLog, ChatGPTAccount, EmailOutbox
from infra import db
from tests.helpers import invariants, make_account, make_order, make_product, pay
from tests.live import ROOT, base_env

RUNNER = """
import sys, time
from datetime import datetime, timedelta, timezone
from infra import db
from runtime.jobs import Job, release_expired, run_job
db.configure(sys.argv[1])
start_at, later = float(sys.argv[2]), datetime.now(timezone.utc) + timedelta(days=400)
time.sleep(max(0.0, start_at - time.time()))
for _ in range(5):
    print(run_job(Job("release_expired_assignments", 60, lambda: release_expired(now=later))), flush=True)
"""


@pytest.mark.slow
def test_two_processes_release_each_expired_seat_exactly_once(engine, db_url: str) -> None:
    product = make_product(duration_days=1)
    for _ in range(30):
        make_account(max_seats=10)
    seats = [pay(make_order(product)).assignment for _ in range(300)]
    start_at = f"{time.time() + 3:.3f}"
    runners = [
        subprocess.Popen(
            [sys.executable, "-c", RUNNER, db_url, start_at],
            cwd=ROOT,
            env=base_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [r.communicate(timeout=120) for r in runners]
    assert all(r.returncode == 0 for r in runners), outputs
    released = sum(
        int(line.split()[1]) for out, _ in outputs for line in out.splitlines() if line.startswith("released")
    )
    assert released == 300, outputs

    with db.read_session() as s:
        statuses = Counter(s.exec(select(AccountAssignment.status)))
        expiries = Counter(e.entity_id for e in s.exec(select(AuditLog).where(AuditLog.action == "assignment.expire")))
        ended_mails = Counter(m.order_id for m in s.exec(select(EmailOutbox).where(EmailOutbox.kind == "seat_ended")))
        used = sum(a.seats_used for a in s.exec(select(ChatGPTAccount)))
    assert statuses == {"EXPIRED": 300}
    assert len(expiries) == 300 and set(expiries.values()) == {1}, "each seat released once"
    assert len(ended_mails) == 300 and set(ended_mails.values()) == {1}, "each customer told once"
    assert used == 0 and len(seats) == 300
    assert invariants() == []
