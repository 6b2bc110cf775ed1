"""Start the real app and the payment simulator as subprocesses on loopback, as a user would."""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def base_env(**extra: str) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST" and not k.startswith(("TRIPAY_", "MIDTRANS_"))
    }
    env.update(
        {
            "APP_ENV": "development",
            "SCHEDULER_ENABLED": "0",
            "DEMO_DATA": "0",
            "PYTHONUNBUFFERED": "1",
            "ORDER_RATE_LIMIT_PER_MINUTE": "100000",
        }
    )
    env.update(extra)
    return env


@dataclass
class Process:
    name: str
    popen: subprocess.Popen
    log: Path
    args: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    ready_url: str = ""

    def crash(self) -> None:
        """kill -9 this process (by its id): no shutdown hook runs, open transactions die with it."""
        os.kill(self.popen.pid, signal.SIGKILL)
        self.popen.wait(timeout=10)

    def stop(self, grace: float = 10) -> None:
        if self.popen.poll() is None:
            self.popen.terminate()  # only the process we started, by its id
            try:
                self.popen.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(timeout=5)

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


def start(
    name: str, args: list[str], env: dict[str, str], ready_url: str, log_dir: Path, timeout: float = 40
) -> Process:
    log = log_dir / f"{name}.log"
    handle = log.open("ab")
    popen = subprocess.Popen([sys.executable, *args], cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT)
    process = Process(name, popen, log, args, env, ready_url)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if popen.poll() is not None:
            raise RuntimeError(f"{name} exited with {popen.returncode}:\n{process.output()[-3000:]}")
        try:
            if httpx.get(ready_url, timeout=1).status_code < 500:
                return process
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    process.stop()
    raise RuntimeError(f"{name} did not answer {ready_url} within {timeout}s:\n{process.output()[-3000:]}")


@dataclass
class Stack:
    """The app and the simulator, sharing one database with the test."""

    db_url: str
    app_url: str
    sandbox_url: str
    credentials: dict[str, str]
    processes: list[Process] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    log_dir: Path | None = None

    def stop(self) -> None:
        for process in reversed(self.processes):
            # the simulator keeps nothing worth a graceful stop, and its "timeout" outage holds an answer back for
            # 30 s, which uvicorn would wait for (the gateway-outage tests' teardown took 10 s)
            process.stop(grace=1 if process.name == "sandbox" else 10)

    def process(self, name: str) -> Process:
        return next(p for p in self.processes if p.name == name)

    def restart(self, name: str, **env: str) -> Process:
        """Start a stopped (or crashed) process again with the same arguments, on the same port."""
        old = self.process(name)
        old.stop()
        new = start(name, old.args, old.env | env, old.ready_url, old.log.parent)
        self.processes[self.processes.index(old)] = new
        return new

    def control(self, reference: str, action: str, **options: object) -> dict:
        response = httpx.post(
            f"{self.sandbox_url}/_control/transactions/{reference}/{action}", json=options, timeout=30
        )
        response.raise_for_status()
        return response.json()

    def add_app(self, name: str, **extra_env: str) -> tuple[str, Process]:
        """Another app process on the same database and simulator (a scale-out instance)."""
        assert self.log_dir is not None
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        env = {**self.env, "PORT": str(port), "BASE_URL": url, "DATA_DIR": str(self.log_dir / f"data-{name}")}
        process = start(name, ["main.py"], {**env, **extra_env}, f"{url}/healthz", self.log_dir)
        self.processes.append(process)
        return url, process

    def outage(self, **providers: object) -> None:
        httpx.post(f"{self.sandbox_url}/_control/outage", json=providers, timeout=10).raise_for_status()


def start_stack(
    db_url: str,
    log_dir: Path,
    *,
    midtrans: bool = True,
    retry_interval: float = 0.3,
    max_retries: int = 3,
    extra_env: dict[str, str] | None = None,
) -> Stack:
    app_port, sandbox_port = free_port(), free_port()
    app_url, sandbox_url = f"http://127.0.0.1:{app_port}", f"http://127.0.0.1:{sandbox_port}"
    credentials = {
        "TRIPAY_MERCHANT_CODE": "T0001",
        "TRIPAY_API_KEY": "DEV-" + secrets.token_hex(8),
        "TRIPAY_PRIVATE_KEY": secrets.token_hex(16),
        "TRIPAY_BASE_URL": f"{sandbox_url}/api-sandbox/",
        "TRIPAY_CALLBACK_URL": f"{app_url}/callback/tripay",
    }
    if midtrans:
        credentials |= {
            "MIDTRANS_SERVER_KEY": "SB-Mid-server-" + secrets.token_hex(8),
            "MIDTRANS_SNAP_URL": sandbox_url,
            "MIDTRANS_API_URL": sandbox_url,
        }
    stack = Stack(db_url=db_url, app_url=app_url, sandbox_url=sandbox_url, credentials=credentials, log_dir=log_dir)
    data_dir = log_dir / "data"
    shutil.rmtree(data_dir, ignore_errors=True)
    from infra.settings import get_settings

    secrets_of_test = {"ENCRYPTION_KEY": get_settings().ENCRYPTION_KEY, "STORAGE_SECRET": get_settings().STORAGE_SECRET}
    env = base_env(
        **credentials,
        **secrets_of_test,
        DATABASE_URL=db_url,
        PORT=str(app_port),
        HOST="127.0.0.1",
        BASE_URL=app_url,
        DATA_DIR=str(data_dir),
        **(extra_env or {}),
    )
    stack.env = env
    try:
        stack.processes.append(
            start(
                "sandbox",
                [
                    "-m",
                    "integrations.sandbox",
                    *("--port", str(sandbox_port), "--retry-interval", str(retry_interval)),
                    *("--max-retries", str(max_retries)),
                ],
                env,
                f"{sandbox_url}/_control/health",
                log_dir,
            )
        )
        stack.processes.append(start("app", ["main.py"], env, f"{app_url}/healthz", log_dir))
    except Exception:
        stack.stop()
        raise
    return stack


NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else "")


def start_nginx(folder: Path, backends: list[str], name: str = "nginx") -> tuple[str, Process]:
    """nginx on loopback serving the shipped deploy/nginx/aksesgpt-locations.conf in front of `backends`
    (the production file's upstreams: pages sticky, callbacks and APIs round robin)."""
    folder = folder / name
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    servers = "".join(f"        server {b.removeprefix('http://')};\n" for b in backends)
    kinds = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    temp = "".join(f"    {kind}_temp_path {folder / kind};\n" for kind in kinds)
    config = folder / "nginx.conf"
    config.write_text(
        f"""user root;
worker_processes 1;
pid {folder / "nginx.pid"};
error_log {folder / "error.log"} warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
{temp}
    map $http_upgrade $connection_upgrade {{
        default upgrade;
        ''      close;
    }}
    upstream aksesgpt_sticky {{
        ip_hash;
{servers}    }}
    upstream aksesgpt_any {{
{servers}    }}
    server {{
        listen 127.0.0.1:{port};
        include {ROOT / "deploy" / "nginx" / "aksesgpt-locations.conf"};
    }}
}}
"""
    )
    url = f"http://127.0.0.1:{port}"
    log = folder / "stdout.log"
    popen = subprocess.Popen(
        [NGINX, "-c", str(config), "-p", str(folder), "-g", "daemon off;"],
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    process = Process(name, popen, folder / "error.log")
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if popen.poll() is not None:
            break
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return url, process
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    process.stop()
    raise RuntimeError(f"nginx did not start:\n{process.output()[-3000:]}")
