"""Real servers on loopback that keep what the app sends them: SMTP (aiosmtpd), Telegram's Bot API and a
Fonnte-compatible WhatsApp gateway."""

from __future__ import annotations

import email
import email.header
import json
import threading
import time
from dataclasses import dataclass
from email.message import Message as MimeMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

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


@dataclass
class WhatsAppRequest:
    authorization: str
    form: dict[str, str]


class FonnteApi:
    """A Fonnte-compatible POST /send on loopback: records every request (header and form); `answer` chooses the
    reply: "ok" ({"status": true}), "refused" (200 with {"status": false}), "error" (500), "busy" (429),
    "slow" (answers after `delay` seconds)."""

    path = "/send"
    number_field = "target"

    def __init__(self, token: str = "") -> None:
        self.requests: list[WhatsAppRequest] = []
        self.accepted: list[WhatsAppRequest] = []  # the messages a phone would show
        self.answer = "ok"
        self.delay = 0.0
        self.token = token
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's hook name)
                length = int(self.headers.get("Content-Length") or 0)
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                request = WhatsAppRequest(self.headers.get("Authorization", ""), form)
                api.requests.append(request)
                if self.path != api.path:
                    self._answer(404, {"status": False, "reason": "not found"})
                elif api.answer == "slow":
                    time.sleep(api.delay)
                    self._answer(200, {"status": True})
                elif api.answer == "error":
                    self._answer(500, {"status": False, "reason": f"internal error for {request.authorization}"})
                elif api.answer == "busy":
                    self._answer(429, {"status": False, "reason": "rate limit"})
                elif api.answer == "refused" or (api.token and request.authorization != api.token):
                    self._answer(200, {"status": False, "reason": f"invalid token {request.authorization}"})
                else:
                    api.accepted.append(request)
                    number = request.form.get(api.number_field, "")
                    self._answer(200, {"status": True, "id": [len(api.accepted)], "target": [number]})

            def _answer(self, status: int, payload: dict) -> None:
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:  # the client gave up (a timeout test)
                    pass

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> FonnteApi:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def messages(self) -> list[str]:
        return [r.form.get("message", "") for r in self.requests]


class WablasApi(FonnteApi):
    """The same loopback gateway, speaking Wablas: POST /api/send-message with `phone` and `message`."""

    path = "/api/send-message"
    number_field = "phone"
