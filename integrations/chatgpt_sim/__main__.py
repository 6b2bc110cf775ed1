"""Run the ChatGPT workspace simulator on its own: python -m integrations.chatgpt_sim --port 9100

Workspaces are made through POST /_control/workspaces, or at start with --workspace ID:ACCESS_TOKEN:SEATS."""

from __future__ import annotations

import argparse
import sys

import uvicorn

from infra.settings import get_settings
from integrations.chatgpt_sim.app import create_chatgpt_sim_app
from integrations.chatgpt_sim.models import ChatGPTSimConfig
from integrations.chatgpt_sim.state import ChatGPTSim


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m integrations.chatgpt_sim", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9100)
    parser.add_argument("--list-lag", type=float, default=0.0, help="seconds before a new invite is listed")
    parser.add_argument("--slow", type=float, default=2.0, help="delay of a 'slow' fault, in seconds")
    parser.add_argument("--latency-ms", type=int, default=0, help="added to every service call")
    parser.add_argument("--rotate-session-tokens", action="store_true", help="each refresh issues a new sessionToken")
    parser.add_argument("--workspace", action="append", default=[], metavar="ID:ACCESS_TOKEN:SEATS")
    args = parser.parse_args(argv)
    if get_settings().is_production:
        print("the ChatGPT simulator refuses to run with APP_ENV=production", file=sys.stderr)
        return 2
    config = ChatGPTSimConfig(
        list_lag_s=args.list_lag,
        slow_s=args.slow,
        latency_ms=args.latency_ms,
        rotate_session_tokens=args.rotate_session_tokens,
    )
    app = create_chatgpt_sim_app(config)
    sim: ChatGPTSim = app.state.sim
    for spec in args.workspace:
        workspace_id, _, rest = spec.partition(":")
        token, _, seats = rest.rpartition(":")
        if not (workspace_id and token and seats.isdigit()):
            print(f"--workspace wants ID:ACCESS_TOKEN:SEATS, got {workspace_id!r}:…", file=sys.stderr)
            return 2
        sim.create_workspace(workspace_id, token, int(seats))
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", server_header=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
