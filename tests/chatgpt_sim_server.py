"""The ChatGPT workspace simulator as a real HTTP server on loopback, in a thread of the test process.

    with running_chatgpt_sim(list_lag_s=0) as url:      # any ChatGPTSimConfig field
        httpx.post(f"{url}/_control/workspaces", json={"workspace_id": "ws-1", "access_token": "at-1", "seats": 5})
        monkeypatch.setenv("CHATGPT_API_BASE", f"{url}/backend-api")
        monkeypatch.setenv("CHATGPT_AUTH_BASE", url)

`ChatGPTSimServer` is the same with the app's state at hand (`server.sim`) and a few control shortcuts."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import uvicorn

from integrations.chatgpt_sim import ChatGPTSim, ChatGPTSimConfig, create_chatgpt_sim_app


class ChatGPTSimServer:
    def __init__(self, **config: Any) -> None:
        self.app = create_chatgpt_sim_app(ChatGPTSimConfig(**config))
        self.sim: ChatGPTSim = self.app.state.sim
        self._socket = socket.socket()
        self._socket.bind(("127.0.0.1", 0))  # bound before uvicorn starts: no race for the port
        self.url = f"http://127.0.0.1:{self._socket.getsockname()[1]}{self.sim.config.base_path}"
        self.server = uvicorn.Server(uvicorn.Config(self.app, log_level="warning", lifespan="off", server_header=False))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self._socket]}, daemon=True)
        self.client = httpx.Client(base_url=self.url, timeout=10)  # one client: a new one costs ~50 ms of TLS set-up

    @property
    def api_base(self) -> str:
        return f"{self.url}/backend-api"

    def start(self) -> ChatGPTSimServer:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the ChatGPT simulator did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self._socket.close()
        self.client.close()

    def control(self, method: str, path: str, **json: Any) -> dict[str, Any]:
        response = self.client.request(method, f"/_control{path}", json=json or None)
        response.raise_for_status()
        return response.json()

    def create_workspace(self, workspace_id: str, access_token: str, seats: int, **extra: Any) -> dict[str, Any]:
        body = {"workspace_id": workspace_id, "access_token": access_token, "seats": seats, **extra}
        return self.control("POST", "/workspaces", **body)

    def workspace(self, workspace_id: str) -> dict[str, Any]:
        return self.control("GET", f"/workspaces/{workspace_id}")

    def fault(self, workspace_id: str, mode: str, count: int = 1, **extra: Any) -> dict[str, Any]:
        return self.control("POST", "/faults", workspace_id=workspace_id, mode=mode, count=count, **extra)


@contextmanager
def chatgpt_sim_server(**config: Any) -> Iterator[ChatGPTSimServer]:
    server = ChatGPTSimServer(**config).start()
    try:
        yield server
    finally:
        server.stop()


@contextmanager
def running_chatgpt_sim(**config: Any) -> Iterator[str]:
    """The simulator's base URL (CHATGPT_AUTH_BASE; CHATGPT_API_BASE is this plus /backend-api) while it runs."""
    with chatgpt_sim_server(**config) as server:
        yield server.url
