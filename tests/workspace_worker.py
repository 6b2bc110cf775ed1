"""A process that runs the app's workspace job in a loop, for tests that kill it (python -m tests.workspace_worker
DATABASE_URL); the ChatGPT settings come from the environment like the app's."""

from __future__ import annotations

import sys
import time

from infra import db
from infra.settings import get_settings
from integrations.workspaces import build_workspace_driver
from runtime.workspaces import WorkspaceWorker


def main(url: str) -> None:
    db.configure(url)
    worker = WorkspaceWorker(build_workspace_driver(get_settings()))
    print("worker ready", flush=True)
    while True:
        worker.run_tasks()
        time.sleep(0.1)


if __name__ == "__main__":
    main(sys.argv[1])
