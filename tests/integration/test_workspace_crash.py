"""kill -9 a worker process while its invitation call is in flight (the workspace acts, the worker never records
it): after the lease, the next worker looks before acting, finds the invitation, and sends none of its own
(issue #16: exactly one effect per intent, with a crash between the HTTP call and the commit)."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlmodel import select

from domain.catalog.pool import add_account
from domain.shared.models import AccountAssignment, InviteState, TaskStatus, WorkspaceAttempt, WorkspaceTask
from infra import db
from tests.chatgpt_sim_server import chatgpt_sim_server
from tests.helpers import ADMIN, make_order, make_product, pay

ROOT = Path(__file__).resolve().parents[2]


def _worker(db_url: str, sim_url: str, lease_s: int) -> subprocess.Popen:
    env = os.environ | {
        "CHATGPT_API_BASE": f"{sim_url}/backend-api",
        "CHATGPT_AUTH_BASE": sim_url,
        "CHATGPT_RETRY_BASE_S": "0.01",
        "CHATGPT_TIMEOUT_S": "30",
        "WORKSPACE_CONFIRM_POLL_S": "0",
        "WORKSPACE_TASK_LEASE_S": str(lease_s),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "tests.workspace_worker", db_url], cwd=ROOT, env=env, stdout=subprocess.DEVNULL
    )


def _task() -> WorkspaceTask:
    with db.read_session() as s:
        return s.exec(select(WorkspaceTask)).one()


def _wait(predicate, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_kill_9_between_the_invite_call_and_its_commit_still_gives_one_invite(engine, db_url) -> None:
    with chatgpt_sim_server(list_lag_s=0) as sim:
        workspace_id, token = f"ws-{secrets.token_hex(4)}", f"at-{secrets.token_hex(8)}"
        sim.create_workspace(workspace_id, token, 5)
        with db.write_session() as s:
            add_account(
                session=s,
                actor=ADMIN,
                email="owner@example.com",
                delivery="INVITE",
                driver="chatgpt",
                workspace_id=workspace_id,
                access_token=token,
                max_seats=5,
            )
        sim.fault(workspace_id, "slow", count=1, delay_s=1.5)  # the invitation is made 1.5 s after the call arrives
        order = make_order(make_product())
        pay(order)

        first = _worker(db_url, sim.url, lease_s=4)
        try:
            assert _wait(lambda: _task().attempts == 1, 20), "the first worker never claimed the task"
            time.sleep(0.5)  # its invite call is now waiting in the simulator
            os.kill(first.pid, signal.SIGKILL)
            first.wait(10)
        finally:
            if first.poll() is None:
                first.kill()
        assert _wait(lambda: sim.workspace(workspace_id)["invites"] == [order.email], 10)  # the workspace acted
        assert _task().status == TaskStatus.PENDING  # and the shop never heard

        second = _worker(db_url, sim.url, lease_s=4)
        try:
            assert _wait(lambda: _task().status == TaskStatus.DONE, 30), "the task did not converge"
        finally:
            second.send_signal(signal.SIGKILL)
            second.wait(10)
        assert sim.workspace(workspace_id)["invites_sent"] == 1
        with db.read_session() as s:
            seat = s.exec(select(AccountAssignment)).one()
            calls = [(a.action, a.outcome) for a in s.exec(select(WorkspaceAttempt))]
        assert seat.invite_state == InviteState.INVITED
        assert calls == [("look", "ok")]  # the second worker found it; no second invite call
