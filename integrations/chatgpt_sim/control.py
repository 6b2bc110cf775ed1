"""The control API tests and benchmarks drive: make workspaces, act as customers and owners, inject faults."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from integrations.chatgpt_sim.state import ChatGPTSim


class NewWorkspace(BaseModel):  # unknown fields are ignored (pydantic's default)
    workspace_id: str = Field(min_length=1, max_length=200)
    access_token: str = Field(min_length=1)
    seats: int = Field(ge=0)
    session_token: str = ""
    list_lag_s: float | None = Field(default=None, ge=0)
    owner_email: str = ""
    expires_at: datetime | None = None
    name: str = ""


class EmailBody(BaseModel):
    email: str = Field(min_length=3)


class FaultBody(BaseModel):
    workspace_id: str
    mode: Literal["ghost", "slow", "500", "429", "cloudflare"]
    count: int = Field(default=1, ge=0)  # 0 clears the workspace's queued faults
    delay_s: float | None = Field(default=None, ge=0)


class LatencyBody(BaseModel):
    latency_ms: int = Field(ge=0)


def control_router(sim: ChatGPTSim) -> APIRouter:
    router = APIRouter()

    @router.post("/workspaces", status_code=201)
    async def create_workspace(body: NewWorkspace) -> dict[str, Any]:
        expires_at = body.expires_at
        if expires_at is not None and expires_at.tzinfo is None:
            expires_at = expires_at.replace(tzinfo=UTC)
        return sim.create_workspace(
            body.workspace_id,
            body.access_token,
            body.seats,
            session_token=body.session_token,
            list_lag_s=body.list_lag_s,
            owner_email=body.owner_email,
            expires_at=expires_at,
            name=body.name,
        )

    @router.get("/workspaces/{workspace_id}")
    async def workspace(workspace_id: str) -> dict[str, Any]:
        return sim.view(workspace_id)

    @router.post("/workspaces/{workspace_id}/accept")
    async def accept(workspace_id: str, body: EmailBody) -> dict[str, Any]:
        return sim.accept(workspace_id, body.email)

    @router.post("/workspaces/{workspace_id}/add_member")
    async def add_member(workspace_id: str, body: EmailBody) -> dict[str, Any]:
        return sim.add_member(workspace_id, body.email)

    @router.post("/workspaces/{workspace_id}/deactivate")
    async def deactivate(workspace_id: str) -> dict[str, Any]:
        return sim.update(workspace_id, status="deactivated")

    @router.post("/workspaces/{workspace_id}/expire_token")
    async def expire_token(workspace_id: str) -> dict[str, Any]:
        return sim.expire_tokens(workspace_id)

    @router.post("/workspaces/{workspace_id}/end_subscription")
    async def end_subscription(workspace_id: str) -> dict[str, Any]:
        return sim.update(workspace_id, subscription_active=False, expires_at=datetime.now(UTC))

    @router.post("/faults")
    async def faults(body: FaultBody) -> dict[str, Any]:
        queued = sim.add_fault(body.workspace_id, body.mode, body.count, body.delay_s)
        return {"workspace_id": body.workspace_id, "faults": queued}

    @router.post("/latency")
    async def latency(body: LatencyBody) -> dict[str, Any]:
        with sim.lock:
            sim.latency_ms = body.latency_ms
        return {"latency_ms": body.latency_ms}

    @router.post("/reset")
    async def reset() -> dict[str, Any]:
        sim.reset()
        return {"success": True}

    @router.get("/stats")
    async def stats() -> dict[str, Any]:
        return sim.stats()

    @router.get("/health")
    async def health() -> JSONResponse:
        return JSONResponse({"success": True, "workspaces": len(sim.workspaces)})

    return router
