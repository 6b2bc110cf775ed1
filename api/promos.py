"""Promo codes for checkout: POST /api/promo-codes/check tells the new total, or why the code does not apply."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from api.routing import JsonRoute, refused
from api.schemas import Failure
from domain.payments.checkout import lowest_channel_minimum
from domain.payments.promos import PromoRefused, preview_promo
from domain.shared.errors import NotFound
from domain.shared.i18n import language
from infra import db
from infra.ratelimit import RateLimit

router = APIRouter(prefix="/api", route_class=JsonRoute)
# guessing codes costs a request each: a few dozen a minute is plenty for a customer typing one
check_limit = RateLimit("promo_check", limit=30, per_seconds=60)


class PromoCheckIn(BaseModel):
    code: str = ""
    package_id: str = ""
    email: str = ""  # accepted and ignored (see _check)
    locale: str = "id"


class PromoCheck(BaseModel):
    success: bool = True
    valid: bool
    code: str
    price: int = 0
    discount: int = 0
    total: int = 0
    # why the code does not apply, in the customer's language (empty when it applies)
    message: str = ""


async def within_check_limit(request: Request) -> None:
    if not check_limit.allow(request.client.host if request.client else "?"):
        raise refused(429, "too many promo code checks from this address; wait a minute")


def _check(request: Request, data: PromoCheckIn) -> PromoCheck:
    code = data.code.strip().upper()[:32]
    floor = lowest_channel_minimum(request.app.state.gateways.chain)
    try:
        with db.read_session() as session:
            # the per-customer limit is not previewed: a stranger must not learn which e-mail used which code
            # (POST /api/orders refuses the code with 400 promo_code when that customer has used it up)
            quote = preview_promo(session=session, code=code, product_slug=data.package_id, email="", floor_idr=floor)
    except PromoRefused as exc:
        return PromoCheck(valid=False, code=code, message=exc.text(language(data.locale)))
    except NotFound:
        raise refused(404, f"package {data.package_id!r} is not for sale") from None
    return PromoCheck(
        valid=True, code=quote.code, price=quote.price_idr, discount=quote.discount_idr, total=quote.total_idr
    )


@router.post(
    "/promo-codes/check",
    dependencies=[Depends(within_check_limit)],
    responses={
        404: {"model": Failure, "description": "no such package for sale"},
        429: {"model": Failure, "description": "too many checks from this address"},
    },
)
async def check_promo_code(request: Request, data: PromoCheckIn) -> PromoCheck:
    return await run_in_threadpool(_check, request, data)
