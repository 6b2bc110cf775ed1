"""Security headers on every page the browsers load: no framing (clickjacking), no MIME sniffing, no order link
(whose token is a key) in the Referer sent to other sites, and HSTS when the shop is served over HTTPS."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# NiceGUI renders with Vue's runtime compiler and inline scripts, so script-src stays open; what a CSP can still
# forbid without breaking it is framing, a foreign <base>, plugins and forms posting elsewhere
CSP = "frame-ancestors 'none'; base-uri 'self'; object-src 'none'; form-action 'self'"
HSTS = "max-age=31536000; includeSubDomains"


class SecurityHeaders:
    def __init__(self, app: ASGIApp, *, https: bool) -> None:
        self.app = app
        self.headers = [
            (b"content-security-policy", CSP.encode()),
            (b"x-frame-options", b"DENY"),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"same-origin"),
            (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
        ] + ([(b"strict-transport-security", HSTS.encode())] if https else [])

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [
                    header for header in self.headers if header[0] not in present
                ]
            await send(message)

        await self.app(scope, receive, with_headers)
