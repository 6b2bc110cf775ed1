"""The admin JSON API of the original system, now behind bearer tokens. Every action goes through the
same domain function as the dashboard and is audited with the token's owner as the actor."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Body, Depends, Path, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from api.routing import Handler, JsonRoute, Refusal, refused
from api.schemas import Failure, IsoTime
from domain.admin.api_tokens import admin_for_token
from domain.admin.listing import MAX_PAGE, accounts_page, assignments_page, audit_page, orders_page
from domain.catalog.login_help import clean_totp_secret, store_totp_secret
from domain.catalog.pool import add_account, retire_account, suspend_account, unsuspend_account, update_account
from domain.seats.assignments import extend_assignment, revoke_assignment
from domain.shared.audit import admin_actor
from domain.shared.errors import Conflict, DomainError, IllegalTransition, NotFound, ValidationFailed
from domain.shared.models import AccountStatus, ChatGPTAccount, Driver
from infra import db

MAX_ID = 2**31 - 1  # ids are INTEGER columns: larger ones cannot exist, and PostgreSQL refuses to compare with them
RowId = Annotated[int, Path(ge=1, le=MAX_ID)]
FilterId = Annotated[int | None, Query(ge=1, le=MAX_ID)]
PageNo = Annotated[int, Query(ge=1, le=MAX_PAGE)]
PerPage = Annotated[int, Query(ge=1, le=200)]
T = TypeVar("T")
STATUS_FOR = {ValidationFailed: 422, Conflict: 409, IllegalTransition: 409, NotFound: 404}


class AdminFailure(BaseModel):
    """A domain refusal: what was wrong, and with which field when one was."""

    success: bool = False
    error: str
    message: str
    field: str | None = None


def require_admin_token(request: Request) -> str:
    """The audit actor of the active admin whose bearer token this is (the token's use is recorded);
    401 for a missing, unknown or revoked token and for a disabled admin's.

    Read from the request rather than through fastapi.security.HTTPBearer: that would put a security
    scheme in the OpenAPI document, and schemathesis then sends Authorization values of its own in place
    of the test's token (tests/reliability/test_hostile_input.py would fuzz less behind the token)."""
    header = request.headers.get("authorization", "")
    token = header[7:].strip() if header.lower().startswith("bearer ") else None

    def actor(session: Session) -> str | None:
        admin = admin_for_token(session=session, token=token)
        return admin_actor(admin.email) if admin else None

    found = db.in_transaction(actor) if token else None
    if found is None:
        raise refused(401, "a valid bearer token is required", headers={"WWW-Authenticate": "Bearer"})
    return found


class AdminRoute(JsonRoute):
    """FastAPI's 422 for a body it cannot read, without the values it quotes ("input"): a token sent as a number, or
    a body that is not an object, must not come back in the answer (nor in a proxy's log of it)."""

    def get_route_handler(self) -> Handler:
        handle = super().get_route_handler()

        async def handler(request: Request) -> Response:
            try:
                return await handle(request)
            except RequestValidationError as exc:
                errors = [{k: v for k, v in e.items() if k in ("type", "loc", "msg")} for e in exc.errors()]
                return JSONResponse({"detail": errors}, status_code=422)

        return handler


AdminActor = Annotated[str, Depends(require_admin_token)]
router = APIRouter(
    prefix="/api/admin",
    route_class=AdminRoute,
    responses={401: {"model": Failure, "description": "no valid bearer token"}},
)
# besides FastAPI's 422 for a body it cannot validate, a change the domain refuses is an AdminFailure (422 too)
CREATE_REFUSALS: dict[int | str, dict[str, Any]] = {
    409: {"model": AdminFailure, "description": "the email is already in the pool"},
    413: {"model": Failure, "description": "body larger than 16 KiB"},
}
CHANGE_REFUSALS: dict[int | str, dict[str, Any]] = {
    **CREATE_REFUSALS,
    404: {"model": AdminFailure, "description": "no such row"},
    409: {"model": AdminFailure, "description": "not possible in the row's state"},
}


def _refusal(exc: DomainError) -> Refusal:
    status = next((code for kind, code in STATUS_FOR.items() if isinstance(exc, kind)), 400)
    body: dict[str, Any] = {"success": False, "error": exc.code, "message": exc.message}
    if "field" in exc.context:
        body["field"] = exc.context["field"]
    return Refusal(status, body)


async def _write(work: Callable[[Session], T]) -> T:
    """`work(session)` in one write transaction; a domain refusal is the answer."""
    try:
        return await run_in_threadpool(db.in_transaction, work)
    except DomainError as exc:
        raise _refusal(exc) from None


async def _read(work: Callable[[Session], T]) -> T:
    def run() -> T:
        with db.read_session() as session:
            return work(session)

    return await run_in_threadpool(run)


class Row(BaseModel):
    """Read from a row's attributes (`Model.model_validate(row)`), inside its session."""

    model_config = ConfigDict(from_attributes=True)


class AccountOut(Row):
    """An account; its secrets only as whether one is stored (the password, the tokens are never answered)."""

    id: int
    email: str
    pool: str
    delivery: str
    status: str
    max_seats: int | None
    seats_used: int
    capacity: int
    note: str
    created_at: IsoTime
    driver: str
    workspace_id: str
    access_token_set: bool = Field(validation_alias="access_token_enc")
    session_token_set: bool = Field(validation_alias="session_token_enc")
    allow_list: list[str]
    # read-only: what the last look at the workspace (or the owner) found
    health: str
    health_changed_at: IsoTime | None
    last_sync_at: IsoTime | None
    last_error: str
    subscription_expires_at: IsoTime | None
    members_count: int | None
    invites_count: int | None
    strangers_count: int | None
    # what customers see as the workspace's name ("" = a neutral name), what it costs a month, when it renews
    display_name: str
    monthly_cost_idr: int | None
    retired_at: IsoTime | None
    has_totp: bool = Field(validation_alias="totp_secret_enc")  # a TOTP secret is stored (never answered)

    @field_validator("access_token_set", "session_token_set", "has_totp", mode="before")
    @classmethod
    def stored(cls, value: object) -> bool:
        return bool(value)


class AssignmentOut(Row):
    id: int
    order_id: int
    chatgpt_account_id: int
    customer_email: str
    status: str
    start_at: IsoTime
    end_at: IsoTime
    ended_at: IsoTime | None
    end_reason: str | None
    invite_state: str | None


class AuditOut(Row):
    id: int
    at: IsoTime
    actor: str
    action: str
    entity: str
    entity_id: int | None
    details: dict[str, Any]
    ip: str | None


class OrderOut(Row):
    order_id: str = Field(validation_alias="code")
    id: int
    email: str
    status: str
    amount: int = Field(validation_alias="amount_idr")
    provider: str | None
    reference: str | None = Field(validation_alias="provider_reference")
    payment_method: str | None
    created_at: IsoTime
    paid_at: IsoTime | None


class PageOut(Row):
    """One page of a table, newest first (read from domain.admin.listing.Page)."""

    success: bool = True
    total: int
    page: int
    per_page: int


class AccountsPage(PageOut):
    items: list[AccountOut] = Field(validation_alias="rows")


class AssignmentsPage(PageOut):
    items: list[AssignmentOut] = Field(validation_alias="rows")


class AuditPage(PageOut):
    items: list[AuditOut] = Field(validation_alias="rows")


class OrdersPage(PageOut):
    items: list[OrderOut] = Field(validation_alias="rows")


class AccountResult(BaseModel):
    success: bool = True
    account: AccountOut


class AssignmentResult(BaseModel):
    success: bool = True
    assignment: AssignmentOut


class AccountIn(BaseModel):
    email: str
    password: str = ""
    note: str = ""
    status: str = AccountStatus.AVAILABLE
    max_seats: int | None = None
    pool: str = "default"
    delivery: str = "CREDENTIALS"
    driver: str = Driver.MANUAL.value  # manual | chatgpt (an INVITE account's invites and removals by the shop)
    workspace_id: str = ""
    access_token: str = Field("", json_schema_extra={"writeOnly": True})  # stored encrypted, never answered
    session_token: str = Field("", json_schema_extra={"writeOnly": True})
    allow_list: list[str] = []
    display_name: str = ""
    monthly_cost_idr: int | str | None = None  # whole rupiah: 75000, or text such as "Rp 75.000"
    subscription_expires_at: str | None = None  # 2027-01-05 (midnight WIB) or an ISO time with its offset
    totp_secret: str = Field("", json_schema_extra={"writeOnly": True})  # base32; stored encrypted, never answered


class AccountChange(BaseModel):
    """Only the fields given change; an empty password or token keeps the stored one."""

    email: str | None = None
    password: str | None = None
    note: str | None = None
    status: str | None = None
    max_seats: int | None = None
    pool: str | None = None
    delivery: str | None = None
    driver: str | None = None
    workspace_id: str | None = None
    access_token: str | None = Field(None, json_schema_extra={"writeOnly": True})
    session_token: str | None = Field(None, json_schema_extra={"writeOnly": True})
    allow_list: list[str] | None = None
    display_name: str | None = None
    monthly_cost_idr: int | str | None = None  # null: not recorded
    subscription_expires_at: str | None = None  # null: not known (only a manual account's; a sync sets the others)
    totp_secret: str | None = Field(None, json_schema_extra={"writeOnly": True})  # "": cleared; null: kept


KEPT_WHEN_NULL = ("driver", "workspace_id", "access_token", "session_token", "allow_list")


class Extension(BaseModel):
    additional_days: int = Field(gt=0)
    amount_idr: int | None = Field(default=None, ge=0)  # what the customer paid for it, when they did
    method: str | None = Field(default=None, max_length=32)  # how: cash, transfer, qris, ewallet, other


class Revocation(BaseModel):
    reason: str = ""


@router.get("/chatgpt-accounts")
async def list_accounts(
    _admin: AdminActor,
    search: str = "",
    status: str = "",
    pool: str = "",
    health: str = "",
    page: PageNo = 1,
    per_page: PerPage = 50,
) -> AccountsPage:
    return await _read(
        lambda s: AccountsPage.model_validate(
            accounts_page(
                session=s, search=search, status=status, pool=pool, health=health, page=page, per_page=per_page
            )
        )
    )


@router.post("/chatgpt-accounts", status_code=201, responses=CREATE_REFUSALS)
async def create_account(actor: AdminActor, data: AccountIn) -> AccountResult:
    def work(session: Session) -> AccountResult:
        fields = data.model_dump(exclude={"status", "totp_secret"})
        clean_totp_secret(data.totp_secret)  # refused before anything is written
        account = add_account(session=session, actor=actor, **fields)
        assert account.id is not None  # flushed
        if data.totp_secret:
            store_totp_secret(session=session, account=account, actor=actor, secret=data.totp_secret)
        if data.status == AccountStatus.SUSPENDED:
            account = suspend_account(session=session, actor=actor, account_id=account.id, reason="created suspended")
        elif data.status not in (AccountStatus.AVAILABLE, ""):
            raise ValidationFailed("a new account is AVAILABLE or SUSPENDED", field="status")
        return AccountResult(account=AccountOut.model_validate(account))

    return await _write(work)


@router.put("/chatgpt-accounts/{account_id}", responses=CHANGE_REFUSALS)
async def change_account(
    actor: AdminActor, account_id: RowId, data: Annotated[AccountChange, Body(default_factory=AccountChange)]
) -> AccountResult:
    def work(session: Session) -> AccountResult:
        changes = data.model_dump(exclude={"status", "totp_secret"}, exclude_unset=True)
        clean_totp_secret(data.totp_secret)  # refused before anything is written
        for name in KEPT_WHEN_NULL:  # null: as if not given (an empty token keeps the stored one too)
            if changes.get(name, "") is None:
                del changes[name]
        account = (
            update_account(session=session, actor=actor, account_id=account_id, **changes)
            if changes
            else session.get(ChatGPTAccount, account_id)
        )
        if account is None:
            raise NotFound(f"unknown account {account_id}")
        if data.totp_secret is not None:
            store_totp_secret(session=session, account=account, actor=actor, secret=data.totp_secret)
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
        return AccountResult(account=AccountOut.model_validate(account))

    return await _write(work)


@router.get("/account-assignments")
async def list_assignments(
    _admin: AdminActor,
    status: str = "",
    user_id: str = "",
    email: str = "",
    account_id: FilterId = None,
    page: PageNo = 1,
    per_page: PerPage = 50,
) -> AssignmentsPage:
    return await _read(
        lambda s: AssignmentsPage.model_validate(
            assignments_page(
                session=s, status=status, email=email or user_id, account_id=account_id, page=page, per_page=per_page
            )
        )
    )


@router.post("/account-assignments/{assignment_id}/extend", responses=CHANGE_REFUSALS)
async def extend(actor: AdminActor, assignment_id: RowId, data: Extension) -> AssignmentResult:
    def work(session: Session) -> AssignmentResult:
        seat = extend_assignment(
            session=session,
            assignment_id=assignment_id,
            actor=actor,
            days=data.additional_days,
            amount_idr=data.amount_idr,
            method=data.method,
        )
        return AssignmentResult(assignment=AssignmentOut.model_validate(seat))

    return await _write(work)


@router.post("/account-assignments/{assignment_id}/revoke", responses=CHANGE_REFUSALS)
async def revoke(
    actor: AdminActor, assignment_id: RowId, data: Annotated[Revocation, Body(default_factory=Revocation)]
) -> AssignmentResult:
    def work(session: Session) -> AssignmentResult:
        seat = revoke_assignment(session=session, assignment_id=assignment_id, actor=actor, reason=data.reason)
        return AssignmentResult(assignment=AssignmentOut.model_validate(seat))

    return await _write(work)


@router.get("/audit-logs")
async def audit_logs(
    _admin: AdminActor,
    actor: str = "",
    action: str = "",
    entity: str = "",
    entity_id: FilterId = None,
    page: PageNo = 1,
    per_page: PerPage = 50,
) -> AuditPage:
    return await _read(
        lambda s: AuditPage.model_validate(
            audit_page(
                session=s, actor=actor, action=action, entity=entity, entity_id=entity_id, page=page, per_page=per_page
            )
        )
    )


@router.get("/orders")
async def orders(
    _admin: AdminActor, status: str = "", search: str = "", page: PageNo = 1, per_page: PerPage = 50
) -> OrdersPage:
    return await _read(
        lambda s: OrdersPage.model_validate(
            orders_page(session=s, status=status, search=search, page=page, per_page=per_page)
        )
    )
