"""The order API of the original system, kept for bots and integrations:
POST /api/orders, GET /api/orders/{order_id}/status, GET /api/packages, GET /api/payment-channels;
and POST /api/orders/{order_id}/login-code (the seat holder's login code, issue #19)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from api.routing import Handler, JsonRoute, Refusal, refused
from api.schemas import Failure, IsoTime
from domain.catalog.products import catalogue
from domain.orders.customer_view import access_note, order_page
from domain.orders.login_code import NoLoginCode, TooManyReveals, reveal_login_code
from domain.orders.orders import view_order
from domain.orders.renewals import RenewalRefused
from domain.payments.checkout import OrderForm, OrderRefused, SoldOut, place_order
from domain.payments.gateway import GatewayError, GatewayRejected
from domain.payments.renewals import place_renewal
from domain.shared.errors import DomainError, NotFound
from domain.shared.models import Order
from infra import db
from infra.ratelimit import login_code_ip_limit, order_limit
from infra.types import utcnow

# domain field names -> the API's names
API_FIELDS = {
    "email": "customer_email",
    "name": "full_name",
    "phone": "phone_number",
    "product": "package_id",
    "locale": "locale",
    "method": "payment_method",
    "promo_code": "promo_code",
}


class OrderIn(BaseModel):
    customer_email: str = ""
    package_id: str = ""
    full_name: str = ""
    phone_number: str = ""
    payment_method: str = ""
    locale: str = "id"
    notify_whatsapp: bool | None = None  # order news on WhatsApp too; default: yes when a phone is given
    promo_code: str = ""


class FieldErrors(BaseModel):
    """An order refused for its input: a message per field (`body` when the body itself is unreadable)."""

    success: bool = False
    errors: dict[str, str]


class OrderPlaced(BaseModel):
    success: bool = True
    order_id: str
    reference: str | None
    provider: str | None
    status: str
    amount: int
    checkout_url: str | None
    pay_code: str | None
    qr_string: str | None
    payment_expires_at: IsoTime | None
    status_url: str
    discount: int = 0  # a promo code's discount, already taken off `amount`
    fee_customer: int | None = None  # the channel's fee on top of `amount` (Tripay's calculator), when any
    total: int | None = None  # what the customer pays: amount + fee_customer
    pay_instructions: list[dict[str, Any]] | None = None  # the gateway's steps for the channel, as text


class OrderState(BaseModel):
    order_id: str
    status: str
    package: str
    amount: int
    provider: str | None
    payment_method: str | None
    checkout_url: str | None
    payment_expires_at: IsoTime | None
    paid_at: IsoTime | None
    ends_at: IsoTime | None
    assignment_status: str | None
    # where the invitation of a workspace seat stands (TO_INVITE, INVITED, JOINED; TO_REMOVE, REMOVED once ended),
    # null for a shared login or no seat
    invite_state: str | None = None
    # the active seat's access in one sentence, in the order's language (a move, a workspace being replaced,
    # the invitation, a report being looked at); null without an active seat
    access_note: str | None = None


class Package(BaseModel):
    package_id: str
    name: str
    price: int
    duration_days: int
    description: str
    popular: bool
    available: bool


class Packages(BaseModel):
    success: bool = True
    packages: list[Package]


class Channel(BaseModel):
    code: str
    name: str
    group: str
    type: str
    fee_customer: int
    minimum_amount: int
    maximum_amount: int


class Channels(BaseModel):
    success: bool = True
    provider: str
    channels: list[Channel]


def _refused_input(errors: dict[str, str]) -> Refusal:
    return Refusal(400, {"success": False, "errors": {API_FIELDS.get(k, k): v for k, v in errors.items()}})


def _unreadable(exc: RequestValidationError) -> dict[str, str]:
    """FastAPI's validation errors of the body as the API's {field: message} (`body` for the body itself)."""
    errors = {}
    for error in exc.errors():
        loc = error["loc"]
        field = loc[1] if len(loc) > 1 and isinstance(loc[1], str) else "body"
        invalid_json = error["type"] == "json_invalid"
        errors[field] = f"Invalid JSON: {error['ctx']['error']}" if invalid_json else error["msg"]
    return errors


class OrderRoute(JsonRoute):
    """Input FastAPI cannot validate is answered as the original API answered it, 400
    {"success": false, "errors": {field: message}} (bots read it), not with FastAPI's 422."""

    def get_route_handler(self) -> Handler:
        handle = super().get_route_handler()

        async def handler(request: Request) -> Response:
            try:
                return await handle(request)
            except RequestValidationError as exc:
                return _refused_input(_unreadable(exc)).response()

        return handler


router = APIRouter(prefix="/api", route_class=OrderRoute)


def _client(request: Request) -> str:
    return request.client.host if request.client else "?"


async def within_order_limit(request: Request) -> None:
    if not order_limit.allow(_client(request)):
        raise refused(429, "too many orders from this address; wait a minute")


async def within_login_code_limit(request: Request) -> None:
    if not login_code_ip_limit.allow(_client(request)):
        raise refused(429, "too many login code requests from this address; wait 10 minutes")


@contextmanager
def _payment_refusals() -> Iterator[None]:
    """What placing an order or a renewal can refuse, answered alike: 400 with the field, or 503."""
    try:
        yield
    except OrderRefused as exc:
        raise _refused_input(exc.errors) from None
    except GatewayRejected as exc:
        raise _refused_input({"method": exc.message}) from None
    except GatewayError:
        raise refused(503, "payment gateway unavailable, please try again shortly") from None


def _place_order(request: Request, data: OrderIn) -> OrderPlaced:
    gateways = request.app.state.gateways
    form = OrderForm(
        product_slug=data.package_id,
        email=data.customer_email,
        name=data.full_name,
        phone=data.phone_number,
        method=data.payment_method,
        locale=data.locale,
        notify_whatsapp=data.notify_whatsapp,
        promo_code=data.promo_code,
    )
    with _payment_refusals():
        try:
            placed = place_order(form=form, gateways=gateways.chain, actor="api", ip=_client(request))
        except SoldOut as exc:
            raise refused(409, exc.message) from None
    return _answer(placed.order, placed.link)


@router.post(
    "/orders",
    status_code=201,
    dependencies=[Depends(within_order_limit)],
    responses={
        400: {"model": FieldErrors, "description": "the order's input is refused"},
        409: {"model": Failure, "description": "the package is sold out and stops selling until seats return"},
        413: {"model": Failure, "description": "body larger than 16 KiB"},
        429: {"model": Failure, "description": "too many orders from this address"},
        503: {"model": Failure, "description": "no payment gateway answers"},
    },
)
async def post_order(request: Request, data: OrderIn) -> OrderPlaced:
    return await run_in_threadpool(_place_order, request, data)


def _status(code: str, token: str | None) -> OrderState:
    with db.read_session() as session:
        page = order_page(session=session, code=code, token=token)
    view = page.view
    order, seat = view.order, view.assignment
    return OrderState(
        order_id=order.code,
        status=order.status,
        package=view.product_name,
        amount=order.amount_idr,
        provider=order.provider,
        payment_method=order.payment_method,
        checkout_url=order.checkout_url,
        payment_expires_at=order.payment_expires_at,
        paid_at=order.paid_at,
        ends_at=seat.end_at if seat else None,
        assignment_status=seat.status if seat else None,
        invite_state=seat.invite_state if seat else None,
        access_note=access_note(page, order.locale),
    )


@router.get("/orders/{order_id}/status", responses={404: {"model": Failure, "description": "no such order"}})
async def order_status(order_id: str, t: str | None = None) -> OrderState:
    try:
        return await run_in_threadpool(_status, order_id, t)
    except NotFound:
        raise refused(404, "order not found") from None


def _packages() -> Packages:
    with db.read_session() as session:
        items = catalogue(session=session)
    return Packages(
        packages=[
            Package(
                package_id=i.product.slug,
                name=i.product.name,
                price=i.product.price_idr,
                duration_days=i.product.duration_days,
                description=i.product.description,
                popular=i.product.is_popular,
                available=i.in_stock,
            )
            for i in items
        ]
    )


@router.get("/packages")
async def packages() -> Packages:
    return await run_in_threadpool(_packages)


@router.get("/payment-channels", responses={503: {"model": Failure, "description": "the gateway does not answer"}})
async def payment_channels(request: Request) -> Channels:
    gateway = request.app.state.gateways.primary
    try:
        channels = await run_in_threadpool(gateway.channels)
    except DomainError as exc:
        raise refused(503, exc.message) from None
    return Channels(
        provider=gateway.name,
        channels=[
            Channel(
                code=c.code,
                name=c.name,
                group=c.group,
                type=c.kind,
                fee_customer=c.fee_customer_idr,
                minimum_amount=c.minimum_amount,
                maximum_amount=c.maximum_amount,
            )
            for c in channels
        ],
    )


class LoginCodeOut(BaseModel):
    """The seat holder's current login code (issue #19) and until when it stands."""

    success: bool = True
    code: str
    valid_until: IsoTime
    expires_in: int  # seconds


def _login_code(code: str, token: str | None, ip: str | None) -> LoginCodeOut:
    with db.read_session() as session:  # a wrong link is answered without taking the database's write lock
        view_order(session=session, code=code, token=token)
    now = utcnow()
    login = db.in_transaction(lambda s: reveal_login_code(session=s, code=code, token=token, now=now, ip=ip))
    left = max(0, int((login.until - now).total_seconds()))
    return LoginCodeOut(code=login.code, valid_until=login.until, expires_in=left)


@router.post(
    "/orders/{order_id}/login-code",
    dependencies=[Depends(within_login_code_limit)],
    responses={
        404: {"model": Failure, "description": "no such order"},
        409: {"model": Failure, "description": "no active seat on a login with a TOTP secret"},
        429: {"model": Failure, "description": "too many reveals for this order, or from this address"},
    },
)
async def order_login_code(request: Request, order_id: str, t: str | None = None) -> LoginCodeOut:
    """The current 6-digit login code of the order's shared login, while its seat is active (audited, limited)."""
    try:
        return await run_in_threadpool(_login_code, order_id, t, _client(request))
    except NotFound:
        raise refused(404, "order not found") from None
    except NoLoginCode:
        raise refused(409, "no login code: the order has no active seat on a login with a TOTP secret") from None
    except TooManyReveals:
        raise refused(429, "too many login code requests for this order; wait 10 minutes") from None


def _answer(order: Order, link: str) -> OrderPlaced:
    """What POST /api/orders and a renewal answer: the new order, its payment and its page's link."""
    return OrderPlaced(
        order_id=order.code,
        reference=order.provider_reference,
        provider=order.provider,
        status=order.status,
        amount=order.amount_idr,
        checkout_url=order.checkout_url,
        pay_code=order.pay_code,
        qr_string=order.qr_string,
        payment_expires_at=order.payment_expires_at,
        status_url=link,
        discount=order.discount_idr,
        fee_customer=order.fee_customer_idr,
        total=order.amount_idr + (order.fee_customer_idr or 0),
        pay_instructions=order.pay_instructions,
    )


class RenewalIn(BaseModel):
    package_id: str = ""
    payment_method: str = ""


def _place_renewal(request: Request, code: str, token: str | None, data: RenewalIn) -> OrderPlaced:
    with _payment_refusals():
        try:
            placed = place_renewal(
                code=code,
                token=token,
                product_slug=data.package_id,
                method=data.payment_method,
                gateways=request.app.state.gateways.chain,
                actor="api",
                ip=_client(request),
            )
        except NotFound:
            raise refused(404, "order not found") from None
        except RenewalRefused as exc:
            raise refused(409, exc.message) from None
    return _answer(placed.order, placed.link)


@router.post(
    "/orders/{order_id}/renewals",
    status_code=201,
    dependencies=[Depends(within_order_limit)],
    responses={
        400: {"model": FieldErrors, "description": "no or an unknown payment method"},
        404: {"model": Failure, "description": "no such order (or a wrong token)"},
        409: {
            "model": Failure,
            "description": "the seat cannot be renewed (ended past the grace period, revoked, "
            "not served yet) or the package is of another pool",
        },
        413: {"model": Failure, "description": "body larger than 16 KiB"},
        429: {"model": Failure, "description": "too many orders from this address"},
        503: {"model": Failure, "description": "no payment gateway answers"},
    },
)
async def post_renewal(
    request: Request, order_id: str, data: RenewalIn | None = None, t: str | None = None
) -> OrderPlaced:
    """A new order renewing the seat of order `order_id` (t: its page's token), answered like POST /api/orders.
    The link is checked before the body's fields, so a wrong one is 404 whatever the body."""
    return await run_in_threadpool(_place_renewal, request, order_id, t, data or RenewalIn())
