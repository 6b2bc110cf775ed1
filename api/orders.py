"""The order API of the original system, kept for bots and integrations:
POST /api/orders, GET /api/orders/{order_id}/status, GET /api/packages, GET /api/payment-channels."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError
from starlette.concurrency import run_in_threadpool

from api.body import json_body, read_body, too_large
from domain.catalog.products import catalogue
from domain.orders.orders import view_order
from domain.payments.checkout import OrderForm, OrderRefused, place_order
from domain.payments.gateway import GatewayError, GatewayRejected
from domain.shared.errors import DomainError, NotFound
from infra import db
from infra.ratelimit import RateLimit

router = APIRouter(prefix="/api")
order_limit = RateLimit(limit=10, per_seconds=60)
# domain field names -> the API's names
API_FIELDS = {
    "email": "customer_email",
    "name": "full_name",
    "phone": "phone_number",
    "product": "package_id",
    "locale": "locale",
    "method": "payment_method",
}


class OrderIn(BaseModel):
    customer_email: str = ""
    package_id: str = ""
    full_name: str = ""
    phone_number: str = ""
    payment_method: str = ""
    locale: str = "id"


def _client(request: Request) -> str:
    return request.client.host if request.client else "?"


def _errors(errors: dict[str, str], status: int = 400) -> JSONResponse:
    return JSONResponse(
        {"success": False, "errors": {API_FIELDS.get(k, k): v for k, v in errors.items()}}, status_code=status
    )


def _place_order(request: Request, data: OrderIn) -> JSONResponse:
    settings, gateways = request.app.state.settings, request.app.state.gateways
    form = OrderForm(
        product_slug=data.package_id,
        email=data.customer_email,
        name=data.full_name,
        phone=data.phone_number,
        method=data.payment_method,
        locale=data.locale,
    )
    try:
        placed = place_order(
            form=form,
            gateways=gateways.chain,
            actor="api",
            ip=_client(request),
            window=timedelta(minutes=settings.PAYMENT_WINDOW_MINUTES),
        )
    except OrderRefused as exc:
        return _errors(exc.errors)
    except GatewayRejected as exc:
        return _errors({"method": exc.message})
    except GatewayError:
        return JSONResponse(
            {"success": False, "message": "payment gateway unavailable, please try again shortly"}, status_code=503
        )
    order = placed.order
    return JSONResponse(
        {
            "success": True,
            "order_id": order.code,
            "reference": order.provider_reference,
            "provider": order.provider,
            "status": order.status,
            "amount": order.amount_idr,
            "checkout_url": order.checkout_url,
            "pay_code": order.pay_code,
            "qr_string": order.qr_string,
            "payment_expires_at": order.payment_expires_at.isoformat() if order.payment_expires_at else None,
            "status_url": placed.link,
        },
        status_code=201,
    )


@router.post("/orders", openapi_extra=json_body(OrderIn))
async def post_order(request: Request) -> JSONResponse:
    if not order_limit.allow(_client(request)):
        return JSONResponse(
            {"success": False, "message": "too many orders from this address; wait a minute"}, status_code=429
        )
    raw = await read_body(request)
    if raw is None:
        return too_large()
    try:
        data = OrderIn.model_validate_json(raw)
    except ValidationError as exc:
        return _errors({str(e["loc"][0]) if e["loc"] else "body": e["msg"] for e in exc.errors()})
    return await run_in_threadpool(_place_order, request, data)


def _status(code: str, token: str | None) -> dict[str, Any]:
    with db.read_session() as session:
        view = view_order(session=session, code=code, token=token)
    order, seat = view.order, view.assignment
    return {
        "order_id": order.code,
        "status": order.status,
        "package": view.product_name,
        "amount": order.amount_idr,
        "provider": order.provider,
        "payment_method": order.payment_method,
        "checkout_url": order.checkout_url,
        "payment_expires_at": order.payment_expires_at.isoformat() if order.payment_expires_at else None,
        "paid_at": order.paid_at.isoformat() if order.paid_at else None,
        "ends_at": seat.end_at.isoformat() if seat else None,
        "assignment_status": seat.status if seat else None,
    }


@router.get("/orders/{order_id}/status")
async def order_status(order_id: str, t: str | None = None) -> JSONResponse:
    try:
        return JSONResponse(await run_in_threadpool(_status, order_id, t))
    except NotFound:
        return JSONResponse({"success": False, "message": "order not found"}, status_code=404)


def _packages() -> list[dict[str, Any]]:
    with db.read_session() as session:
        items = catalogue(session=session)
    return [
        {
            "package_id": i.product.slug,
            "name": i.product.name,
            "price": i.product.price_idr,
            "duration_days": i.product.duration_days,
            "description": i.product.description,
            "popular": i.product.is_popular,
            "available": i.in_stock,
        }
        for i in items
    ]


@router.get("/packages")
async def packages() -> JSONResponse:
    return JSONResponse({"success": True, "packages": await run_in_threadpool(_packages)})


@router.get("/payment-channels")
async def payment_channels(request: Request) -> JSONResponse:
    gateway = request.app.state.gateways.primary
    try:
        channels = await run_in_threadpool(gateway.channels)
    except DomainError as exc:
        return JSONResponse({"success": False, "message": exc.message}, status_code=503)
    return JSONResponse(
        {
            "success": True,
            "provider": gateway.name,
            "channels": [
                {
                    "code": c.code,
                    "name": c.name,
                    "group": c.group,
                    "type": c.kind,
                    "fee_customer": c.fee_customer_idr,
                    "minimum_amount": c.minimum_amount,
                    "maximum_amount": c.maximum_amount,
                }
                for c in channels
            ],
        }
    )
