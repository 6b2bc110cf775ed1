"""Real servers on loopback that keep what the app sends them: SMTP (aiosmtpd) and Telegram's Bot API."""

from __future__ import annotations

import email
import email.header
import json
import threading
from dataclasses import dataclass
from email.message import Message as MimeMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller

from tests.live import free_port


class Inbox:
    """An SMTP server on loopback that keeps what it receives."""

    def __init__(self) -> None:
        self.messages: list[MimeMessage] = []
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        self.messages.append(email.message_from_bytes(envelope.original_content))
        return "250 OK"

    def text(self, message: MimeMessage) -> str:
        parts = [p.get_payload(decode=True).decode() for p in message.walk() if p.get_content_type() == "text/plain"]
        return "\n".join(parts)

    def subjects(self) -> list[str]:
        return [str(email.header.make_header(email.header.decode_header(m["Subject"]))) for m in self.messages]


@dataclass
class TelegramRequest:
    path: str
    body: dict


class TelegramApi:
    """Telegram's sendMessage on loopback: records every request; `outage = True` answers 502 the way a
    failing proxy in front of it would, echoing the request path (so redaction is put to the test)."""

    def __init__(self) -> None:
        self.requests: list[TelegramRequest] = []
        self.accepted: list[TelegramRequest] = []  # the messages a chat would show
        self.outage = False
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's hook name)
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                request = TelegramRequest(self.path, body)
                api.requests.append(request)
                if api.outage:
                    self._answer(502, {"ok": False, "description": f"Bad Gateway for {self.path}"})
                elif not self.path.endswith("/sendMessage"):
                    self._answer(404, {"ok": False, "description": "Not Found"})
                else:
                    api.accepted.append(request)
                    self._answer(200, {"ok": True, "result": {"message_id": len(api.accepted)}})

            def _answer(self, status: int, payload: dict) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:  # the request line carries the token: keep it quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> TelegramApi:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
