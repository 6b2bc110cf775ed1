"""The admin JSON API of the original system, now behind bearer tokens. Every action goes through the
same domain function as the dashboard and is audited with the token's owner as the actor."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from api.body import json_body, read_body, too_large
from domain.admin.api_tokens import admin_for_token
from domain.admin.listing import MAX_PAGE, accounts_page, assignments_page, audit_page, orders_page
from domain.catalog.pool import add_account, retire_account, suspend_account, unsuspend_account, update_account
from domain.seats.assignments import extend_assignment, revoke_assignment
from domain.shared.audit import admin_actor
from domain.shared.errors import Conflict, DomainError, IllegalTransition, NotFound, ValidationFailed
from domain.shared.models import AccountAssignment, AccountStatus, AuditLog, ChatGPTAccount, Order
from infra import db

router = APIRouter(prefix="/api/admin")
MAX_ID = 2**31 - 1  # ids are INTEGER columns: larger ones cannot exist, and PostgreSQL refuses to compare with them
RowId = Annotated[int, Path(ge=1, le=MAX_ID)]
FilterId = Annotated[int | None, Query(ge=1, le=MAX_ID)]
PageNo = Annotated[int, Query(ge=1, le=MAX_PAGE)]
PerPage = Annotated[int, Query(ge=1, le=200)]
T = TypeVar("T")
STATUS_FOR = {ValidationFailed: 422, Conflict: 409, IllegalTransition: 409, NotFound: 404}


def _error(exc: DomainError) -> JSONResponse:
    status = next((code for kind, code in STATUS_FOR.items() if isinstance(exc, kind)), 400)
    body: dict[str, Any] = {"success": False, "error": exc.code, "message": exc.message}
    if "field" in exc.context:
        body["field"] = exc.context["field"]
    return JSONResponse(body, status_code=status)


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    return header[7:].strip() if header.lower().startswith("bearer ") else None


async def _as_admin(request: Request, work: Callable[[Session, str], Any], status: int = 200) -> JSONResponse:
    """Authenticate the bearer token and run `work(session, actor)` in one write transaction."""
    token = _bearer(request)

    def run() -> Any:
        def inside(session: Session) -> Any:
            admin = admin_for_token(session=session, token=token)
            if admin is None:
                raise PermissionError
            return work(session, admin_actor(admin.email))

        return db.in_transaction(inside)

    try:
        result = await run_in_threadpool(run)
    except PermissionError:
        return JSONResponse(
            {"success": False, "message": "a valid bearer token is required"},
            status_code=401,
            headers={"WWW-Authenticate": "Bearer"},
        )
    except DomainError as exc:
        return _error(exc)
    return JSONResponse(result, status_code=status)


def _body(model: type[BaseModel], raw: bytes) -> BaseModel:
    try:
        return model.model_validate_json(raw or b"{}")
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ValidationFailed(
            f"{'.'.join(str(p) for p in first['loc']) or 'body'}: {first['msg']}",
            field=str(first["loc"][0]) if first["loc"] else "body",
        ) from None


def account_json(a: ChatGPTAccount) -> dict[str, Any]:
    return {
        "id": a.id,
        "email": a.email,
        "pool": a.pool,
        "delivery": a.delivery,
        "status": a.status,
        "max_seats": a.max_seats,
        "seats_used": a.seats_used,
        "capacity": a.capacity,
        "note": a.note,
        "created_at": a.created_at.isoformat(),
    }


def assignment_json(a: AccountAssignment) -> dict[str, Any]:
    return {
        "id": a.id,
        "order_id": a.order_id,
        "chatgpt_account_id": a.chatgpt_account_id,
        "customer_email": a.customer_email,
        "status": a.status,
        "start_at": a.start_at.isoformat(),
        "end_at": a.end_at.isoformat(),
        "ended_at": a.ended_at.isoformat() if a.ended_at else None,
        "end_reason": a.end_reason,
        "invite_state": a.invite_state,
    }


def _paged(page: Any, convert: Callable[[Any], dict[str, Any]]) -> dict[str, Any]:
    return {
        "success": True,
        "total": page.total,
        "page": page.page,
        "per_page": page.per_page,
        "items": [convert(row) for row in page.rows],
    }


class AccountIn(BaseModel):
    email: str
    password: str = ""
    note: str = ""
    status: str = AccountStatus.AVAILABLE
    max_seats: int | None = None
    pool: str = "default"
    delivery: str = "CREDENTIALS"


class AccountChange(BaseModel):
    email: str | None = None
    password: str | None = None
    note: str | None = None
    status: str | None = None
    max_seats: int | None = None
    pool: str | None = None
    delivery: str | None = None


class Extension(BaseModel):
    additional_days: int


class Revocation(BaseModel):
    reason: str = ""


@router.get("/chatgpt-accounts")
async def list_accounts(
    request: Request, search: str = "", status: str = "", pool: str = "", page: PageNo = 1, per_page: PerPage = 50
) -> JSONResponse:
    return await _as_admin(
        request,
        lambda s, _: _paged(
            accounts_page(session=s, search=search, status=status, pool=pool, page=page, per_page=per_page),
            account_json,
        ),
    )


@router.post("/chatgpt-accounts", openapi_extra=json_body(AccountIn))
async def create_account(request: Request) -> JSONResponse:
    raw = await read_body(request)
    if raw is None:
        return too_large()

    def work(session: Session, actor: str) -> dict[str, Any]:
        data = _body(AccountIn, raw)
        fields = data.model_dump(exclude={"status"})
        account = add_account(session=session, actor=actor, **fields)
        if data.status == AccountStatus.SUSPENDED:
            account = suspend_account(session=session, actor=actor, account_id=account.id, reason="created suspended")  # type: ignore[arg-type]
        elif data.status not in (AccountStatus.AVAILABLE, ""):
            raise ValidationFailed("a new account is AVAILABLE or SUSPENDED", field="status")
        return {"success": True, "account": account_json(account)}

    return await _as_admin(request, work, status=201)


@router.put("/chatgpt-accounts/{account_id}", openapi_extra=json_body(AccountChange))
async def change_account(request: Request, account_id: RowId) -> JSONResponse:
    raw = await read_body(request)
    if raw is None:
        return too_large()

    def work(session: Session, actor: str) -> dict[str, Any]:
        data = _body(AccountChange, raw)
        changes = {k: v for k, v in data.model_dump(exclude={"status"}, exclude_unset=True).items()}
        account = (
            update_account(session=session, actor=actor, account_id=account_id, **changes)
            if changes
            else session.get(ChatGPTAccount, account_id)
        )
        if account is None:
            raise NotFound(f"unknown account {account_id}")
        wanted = data.status
        if wanted and wanted != account.status:
            if wanted == AccountStatus.SUSPENDED:
                account = suspend_account(session=session, actor=actor, account_id=account_id)
            elif wanted == AccountStatus.RETIRED:
                account = retire_account(session=session, actor=actor, account_id=account_id)
            elif wanted in (AccountStatus.AVAILABLE, AccountStatus.ASSIGNED):
                account = unsuspend_account(session=session, actor=actor, account_id=account_id)
            else:
                raise ValidationFailed(f"unknown status {wanted!r}", field="status")
        return {"success": True, "account": account_json(account)}

    return await _as_admin(request, work)


@router.get("/account-assignments")
async def list_assignments(
    request: Request,
    status: str = "",
    user_id: str = "",
    email: str = "",
    account_id: FilterId = None,
    page: PageNo = 1,
    per_page: PerPage = 50,
) -> JSONResponse:
    return await _as_admin(
        request,
        lambda s, _: _paged(
            assignments_page(
                session=s, status=status, email=email or user_id, account_id=account_id, page=page, per_page=per_page
            ),
            assignment_json,
        ),
    )


@router.post("/account-assignments/{assignment_id}/extend", openapi_extra=json_body(Extension))
async def extend(request: Request, assignment_id: RowId) -> JSONResponse:
    raw = await read_body(request)
    if raw is None:
        return too_large()

    def work(session: Session, actor: str) -> dict[str, Any]:
        data = _body(Extension, raw)
        if data.additional_days <= 0:
            raise ValidationFailed("additional_days must be greater than 0", field="additional_days")
        seat = extend_assignment(session=session, assignment_id=assignment_id, actor=actor, days=data.additional_days)
        return {"success": True, "assignment": assignment_json(seat)}

    return await _as_admin(request, work)


@router.post("/account-assignments/{assignment_id}/revoke", openapi_extra=json_body(Revocation))
async def revoke(request: Request, assignment_id: RowId) -> JSONResponse:
    raw = await read_body(request)
    if raw is None:
        return too_large()

    def work(session: Session, actor: str) -> dict[str, Any]:
        data = _body(Revocation, raw)
        seat = revoke_assignment(session=session, assignment_id=assignment_id, actor=actor, reason=data.reason)
        return {"success": True, "assignment": assignment_json(seat)}

    return await _as_admin(request, work)


def audit_json(e: AuditLog) -> dict[str, Any]:
    return {
        "id": e.id,
        "at": e.at.isoformat(),
        "actor": e.actor,
        "action": e.action,
        "entity": e.entity,
        "entity_id": e.entity_id,
        "details": e.details,
        "ip": e.ip,
    }


def order_json(o: Order) -> dict[str, Any]:
    return {
        "order_id": o.code,
        "id": o.id,
        "email": o.email,
        "status": o.status,
        "amount": o.amount_idr,
        "provider": o.provider,
        "reference": o.provider_reference,
        "payment_method": o.payment_method,
        "created_at": o.created_at.isoformat(),
        "paid_at": o.paid_at.isoformat() if o.paid_at else None,
    }


@router.get("/audit-logs")
async def audit_logs(
    request: Request,
    actor: str = "",
    action: str = "",
    entity: str = "",
    entity_id: FilterId = None,
    page: PageNo = 1,
    per_page: PerPage = 50,
) -> JSONResponse:
    return await _as_admin(
        request,
        lambda s, _: _paged(
            audit_page(
                session=s, actor=actor, action=action, entity=entity, entity_id=entity_id, page=page, per_page=per_page
            ),
            audit_json,
        ),
    )


@router.get("/orders")
async def orders(
    request: Request, status: str = "", search: str = "", page: PageNo = 1, per_page: PerPage = 50
) -> JSONResponse:
    return await _as_admin(
        request,
        lambda s, _: _paged(
            orders_page(session=s, status=status, search=search, page=page, per_page=per_page), order_json
        ),
    )
