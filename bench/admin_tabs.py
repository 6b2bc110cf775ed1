"""SQL statements an idle admin tab costs: the overview (and the orders list) open in 1 and in 20 tabs, by push
against the old polling, in the same run.

    python bench/admin_tabs.py --old-root /tmp/aksesgpt-old [--tabs 1 20] [--seconds 60]

`--old-root` is a checkout of the commit before the change feed (2b774c5; `git worktree add /tmp/aksesgpt-old
2b774c5`). Each version runs its own main.py (SQLite, demo shop, scheduler off: only the pages read), started
through a wrapper that counts every statement the app sends to the database (an SQLAlchemy cursor event on every
engine), so both versions are counted the same way. One Chromium context signs the owner in and opens the tabs;
after 15 s to settle, the statements of `--seconds` seconds with nothing happening are counted.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import live_pages  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or ""
ADMIN = ("owner@bench.invalid", "bench-password-123")

# runs an app's main.py with every SQL statement counted into a file once a second
COUNTING = """
import runpy, sys, threading, time
from pathlib import Path
import sqlalchemy as sa
from sqlalchemy import event
root, out = Path(sys.argv[1]), Path(sys.argv[2])
sys.path.insert(0, str(root))
count = [0]
@event.listens_for(sa.engine.Engine, "after_cursor_execute")
def counted(*_args):
    count[0] += 1
def write():
    while True:
        out.with_suffix(".new").write_text(str(count[0]))
        out.with_suffix(".new").replace(out)  # (a rename: a reader never sees it half written)
        time.sleep(0.5)
threading.Thread(target=write, daemon=True).start()
sys.argv = [str(root / "main.py")]
runpy.run_path(str(root / "main.py"), run_name="__main__")
"""


def start_app(root: Path, folder: Path) -> tuple[subprocess.Popen[bytes], str, Path]:
    counter, script = folder / "statements", folder / "counting.py"
    script.write_text(COUNTING)
    process, base = live_pages.start_app(
        root,
        folder,
        command=[sys.executable, str(script), str(root), str(counter)],
        extra_env={"ADMIN_EMAIL": ADMIN[0], "ADMIN_PASSWORD": ADMIN[1]},
    )
    return process, base, counter


def statements(counter: Path) -> int:
    time.sleep(0.6)  # the file is written twice a second
    return int(counter.read_text() or 0)


def measure(root: Path, path: str, tabs: int, seconds: float) -> float:
    from playwright.sync_api import sync_playwright

    folder = Path(tempfile.mkdtemp(prefix="aksesgpt-bench-tabs-"))
    process, base, counter = start_app(root, folder)
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
            context = browser.new_context()
            page = context.new_page()
            page.goto(f"{base}/admin/login")
            page.get_by_label("E-mail").fill(ADMIN[0])
            page.get_by_label("Kata sandi").fill(ADMIN[1])
            page.get_by_role("button", name="Masuk").click()
            page.wait_for_url(f"{base}/admin")
            pages = [page] + [context.new_page() for _ in range(tabs - 1)]
            for tab in pages:
                tab.goto(f"{base}{path}")
            time.sleep(15)
            before = statements(counter)
            time.sleep(seconds)
            after = statements(counter)
            browser.close()
        return (after - before) * 60 / seconds
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--old-root", type=Path)
    parser.add_argument("--tabs", type=int, nargs="+", default=[1, 20])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--paths", nargs="+", default=["/admin", "/admin/orders"])
    args = parser.parse_args()
    versions = [("push (this checkout)", ROOT)] + ([("poll (old)", args.old_root)] if args.old_root else [])
    print("| version | page | tabs | SQL statements per minute, idle | per tab |")
    print("|---|---|---|---|---|")
    for path in args.paths:
        for name, root in versions:
            for tabs in args.tabs:
                per_minute = measure(root, path, tabs, args.seconds)
                print(f"| {name} | {path} | {tabs} | {per_minute:.0f} | {per_minute / tabs:.1f} |", flush=True)


if __name__ == "__main__":
    main()
