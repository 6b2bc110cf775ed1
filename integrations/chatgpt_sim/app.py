"""The simulator's HTTP surface: ChatGPT's workspace endpoints under /backend-api, next-auth's /api/auth/session,
and the control API under /_control (control.py). Shapes and choices are listed in the package docstring."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from integrations.chatgpt_sim.control import control_router
from integrations.chatgpt_sim.models import UNPARSABLE, ChatGPTSimConfig, Fault, SimError
from integrations.chatgpt_sim.state import ChatGPTSim

SESSION_COOKIE = "__Secure-next-auth.session-token"
CHALLENGE_PAGE = """<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title>
<meta http-equiv="Content-Type" content="text/html; charset=UTF-8"><meta name="robots" content="noindex,nofollow">
</head><body><div class="main-wrapper" role="main"><div class="main-content">
<h1 class="zone-name-title h1">chatgpt.com</h1><h2 class="h2" id="challenge-running">Checking if the site connection
is secure</h2><noscript>Enable JavaScript and cookies to continue</noscript></div></div>
<script>window._cf_chl_opt={cType:'managed'};</script></body></html>"""


class _Answer(Exception):
    """A finished response raised from the common path of a service call (a fault answers before the handler)."""

    def __init__(self, response: Response) -> None:
        super().__init__("early answer")
        self.response = response


def _error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"detail": {"code": code, "message": message}}, status_code=status, headers=headers)


def _fault_response(fault: Fault) -> Response | None:
    if fault.mode == "500":
        return _error(500, "internal_error", "An unexpected error occurred")
    if fault.mode == "429":
        return _error(429, "rate_limit_exceeded", "Too many requests", {"Retry-After": "1"})
    if fault.mode == "cloudflare":
        headers = {"cf-mitigated": "challenge", "server": "cloudflare", "cf-ray": "8f00000000000000-SIN"}
        return HTMLResponse(CHALLENGE_PAGE, status_code=403, headers=headers)
    return None


def _bearer(request: Request) -> str:
    value = request.headers.get("authorization", "")
    return value[7:].strip() if value[:7].lower() == "bearer " else ""


def _page_args(request: Request, config: ChatGPTSimConfig) -> tuple[int, int, str]:
    try:
        offset = max(0, int(request.query_params.get("offset") or 0))
        limit = int(request.query_params.get("limit") or config.page_size_default)
    except ValueError as exc:
        raise SimError(400, "invalid_request", "offset and limit must be integers") from exc
    return offset, min(max(1, limit), config.page_size_max), request.query_params.get("query", "")


async def _json_body(request: Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError as exc:
        raise SimError(400, "invalid_request", "The request body is not valid JSON") from exc
    if not isinstance(body, dict):
        raise SimError(400, "invalid_request", "The request body must be a JSON object")
    return body


def create_chatgpt_sim_app(config: ChatGPTSimConfig | None = None) -> FastAPI:
    config = config or ChatGPTSimConfig()
    sim = ChatGPTSim(config)
    app = FastAPI(title="AksesGPT ChatGPT workspace simulator", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.config, app.state.sim = config, sim

    @app.exception_handler(SimError)
    async def sim_error(request: Request, exc: SimError) -> Response:
        return JSONResponse(exc.body(), status_code=exc.status)

    async def before(request: Request, endpoint: str, workspace_id: str, *, invite: bool = False) -> Fault | None:
        """What every service call goes through: counted, delayed, maybe failed, then authorized.
        Returns the ghost fault when this invite is to be swallowed; raises _Answer to answer at once.
        The request is read in full first: a slow call still acts after its delay when the client has died
        meanwhile (the crash between a call and its commit that the shop must survive)."""
        await request.body()
        sim.record_call(endpoint, workspace_id)
        if sim.latency_ms > 0:
            await asyncio.sleep(sim.latency_ms / 1000)
        fault = sim.take_fault(workspace_id, invite=invite)
        if fault is not None and fault.mode == "slow":
            await asyncio.sleep(fault.delay_s)
        elif fault is not None and (early := _fault_response(fault)) is not None:
            raise _Answer(early)
        sim.authorize(workspace_id, _bearer(request), request.headers.get("chatgpt-account-id", ""))
        return fault if fault is not None and fault.mode == "ghost" else None

    @app.exception_handler(_Answer)
    async def early_answer(request: Request, exc: _Answer) -> Response:
        return exc.response

    backend = APIRouter()

    @backend.post("/accounts/{workspace_id}/invites")
    async def invite(request: Request, workspace_id: str) -> Response:
        ghost = await before(request, "POST /backend-api/accounts/{workspace_id}/invites", workspace_id, invite=True)
        body = await _json_body(request)
        emails = body.get("email_addresses")
        if not isinstance(emails, list) or not emails or not all(isinstance(e, str) for e in emails):
            raise SimError(400, "invalid_request", "email_addresses must be a non-empty list of e-mail addresses")
        if ghost is not None:
            return JSONResponse({"account_invites": [], "errored_emails": []})
        return JSONResponse(sim.invite(workspace_id, emails, str(body.get("role") or "standard-user")))

    @backend.get("/accounts/{workspace_id}/invites")
    async def list_invites(request: Request, workspace_id: str) -> Response:
        await before(request, "GET /backend-api/accounts/{workspace_id}/invites", workspace_id)
        return JSONResponse(sim.list_invites(workspace_id, *_page_args(request, config)))

    @backend.delete("/accounts/{workspace_id}/invites")
    async def cancel_invite(request: Request, workspace_id: str) -> Response:
        await before(request, "DELETE /backend-api/accounts/{workspace_id}/invites", workspace_id)
        email = (await _json_body(request)).get("email_address")
        if not isinstance(email, str) or not email.strip():
            raise SimError(400, "invalid_request", "email_address is required")
        sim.cancel_invite(workspace_id, email=email)
        return JSONResponse({"success": True})

    @backend.delete("/accounts/{workspace_id}/invites/{invite_id}")
    async def cancel_invite_by_id(request: Request, workspace_id: str, invite_id: str) -> Response:
        await before(request, "DELETE /backend-api/accounts/{workspace_id}/invites/{invite_id}", workspace_id)
        sim.cancel_invite(workspace_id, invite_id=invite_id)
        return JSONResponse({"success": True})

    @backend.get("/accounts/{workspace_id}/users")
    async def list_members(request: Request, workspace_id: str) -> Response:
        await before(request, "GET /backend-api/accounts/{workspace_id}/users", workspace_id)
        return JSONResponse(sim.list_members(workspace_id, *_page_args(request, config)))

    @backend.delete("/accounts/{workspace_id}/users/{user_id}")
    async def remove_member(request: Request, workspace_id: str, user_id: str) -> Response:
        await before(request, "DELETE /backend-api/accounts/{workspace_id}/users/{user_id}", workspace_id)
        sim.remove_member(workspace_id, user_id)
        return JSONResponse({"success": True})

    @backend.get("/accounts/check/v4-2023-04-27")
    async def check(request: Request) -> Response:
        # the header names the workspace; without it, the workspace whose token this is (as a peer calls it)
        workspace_id = request.headers.get("chatgpt-account-id", "") or sim.workspace_of_token(_bearer(request))
        if not workspace_id:
            sim.record_call("GET /backend-api/accounts/check/v4-2023-04-27", "")
            raise SimError(401, "invalid_token", UNPARSABLE)
        await before(request, "GET /backend-api/accounts/check/v4-2023-04-27", workspace_id)
        return JSONResponse(sim.check(workspace_id))

    @app.get(f"{config.base_path}/api/auth/session")
    async def session(request: Request) -> Response:
        token = request.cookies.get(SESSION_COOKIE, "")
        workspace_id = sim.workspace_of_session(token)
        sim.record_call("GET /api/auth/session", workspace_id)
        if sim.latency_ms > 0:
            await asyncio.sleep(sim.latency_ms / 1000)
        fault = sim.take_fault(workspace_id, invite=False)
        if fault is not None and fault.mode == "slow":
            await asyncio.sleep(fault.delay_s)
        elif fault is not None and (early := _fault_response(fault)) is not None:
            return early
        answer = sim.refresh_session(token)
        response = JSONResponse(answer)
        if answer and answer["sessionToken"] != token:  # rotated, as next-auth does with Set-Cookie
            response.set_cookie(SESSION_COOKIE, answer["sessionToken"], httponly=True, secure=True, samesite="lax")
        return response

    app.include_router(backend, prefix=f"{config.base_path}/backend-api")
    app.include_router(control_router(sim), prefix=f"{config.base_path}/_control")
    return app
