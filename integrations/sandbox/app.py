"""The simulator's HTTP surface: Tripay's merchant API, Midtrans Snap + status, checkout pages with
Pay / Expire / Fail buttons, and a small control API for tests and benchmarks."""

from __future__ import annotations

import asyncio
import base64
import hmac
import json
import re
import time
from html import escape
from typing import Any
from urllib.parse import parse_qs

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from integrations.sandbox.state import (
    CHANNEL_BY_CODE,
    CHANNELS,
    CUSTOMER_FEE_PERCENT,
    CUSTOMER_FEES,
    MIDTRANS_STATUS,
    Deliverer,
    SandboxConfig,
    Transaction,
    customer_fee,
    merchant_fee,
    new_reference,
    pay_details,
)
from integrations.tripay import create_signature

ACTIONS = {"pay": "PAID", "expire": "EXPIRED", "fail": "FAILED", "refund": "REFUND"}


def _fail(message: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"success": False, "message": message}, status_code=status)


def _bracket_form(raw: bytes) -> dict[str, Any]:
    """Tripay's PHP-style form body (order_items[0][name]=…) as nested data."""
    data: dict[str, Any] = {}
    for key, values in parse_qs(raw.decode(), keep_blank_values=True).items():
        parts = re.findall(r"[^\[\]]+", key)
        target = data
        for part in parts[:-1]:
            target = target.setdefault(part, {})
        target[parts[-1]] = values[-1]
    if isinstance(data.get("order_items"), dict):
        data["order_items"] = [data["order_items"][k] for k in sorted(data["order_items"], key=int)]
    return data


def create_sandbox_app(config: SandboxConfig) -> FastAPI:
    app = FastAPI(title="AksesGPT payment sandbox", docs_url=None, redoc_url=None, openapi_url=None)
    txns: dict[str, Transaction] = {}
    by_order_id: dict[str, Transaction] = {}
    outage: dict[str, Any] = {"tripay": None, "midtrans": None}
    deliverer = Deliverer(config)
    app.state.config, app.state.transactions, app.state.deliverer = config, txns, deliverer

    async def simulate_outage(provider: str) -> Response | None:
        mode = outage.get(provider)
        if mode == "timeout":
            await asyncio.sleep(30)
        if isinstance(mode, int):
            return _fail("Sandbox simulated outage", mode)
        return None

    # --- Tripay merchant API -------------------------------------------------------------------
    tripay = APIRouter()

    def authorized(request: Request) -> bool:
        return hmac.compare_digest(request.headers.get("authorization", ""), f"Bearer {config.tripay_api_key}")

    @tripay.get("/merchant/payment-channel")
    async def channels(request: Request) -> Response:
        if (down := await simulate_outage("tripay")) or not authorized(request):
            return down or _fail("Invalid API Key", 401)
        data = [
            {
                "group": group,
                "code": code,
                "name": name,
                "type": kind,
                "fee_merchant": {"flat": flat, "percent": percent},
                "fee_customer": {"flat": CUSTOMER_FEES.get(code, 0), "percent": CUSTOMER_FEE_PERCENT.get(code, 0)},
                "total_fee": {"flat": flat + CUSTOMER_FEES.get(code, 0), "percent": f"{percent:.2f}"},
                "minimum_fee": None,
                "maximum_fee": None,
                "minimum_amount": low,
                "maximum_amount": high,
                "icon_url": "",
                "active": True,
            }
            for code, name, group, kind, flat, percent, low, high in CHANNELS
        ]
        return JSONResponse({"success": True, "message": "Success", "data": data})

    @tripay.get("/merchant/fee-calculator")
    async def fee_calculator(request: Request, amount: int, code: str = "") -> Response:
        if (down := await simulate_outage("tripay")) or not authorized(request):
            return down or _fail("Invalid API Key", 401)
        codes = [code] if code else list(CHANNEL_BY_CODE)
        data = [
            {
                "code": c,
                "name": CHANNEL_BY_CODE[c][1],
                "total_fee": {"merchant": merchant_fee(c, amount), "customer": customer_fee(c, amount)},
            }
            for c in codes
            if c in CHANNEL_BY_CODE
        ]
        return JSONResponse({"success": True, "message": "", "data": data})

    @tripay.post("/transaction/create")
    async def create(request: Request) -> Response:
        if (down := await simulate_outage("tripay")) or not authorized(request):
            return down or _fail("Invalid API Key", 401)
        raw = await request.body()
        try:
            body = (await request.json()) if "json" in request.headers.get("content-type", "") else _bracket_form(raw)
            amount, method, ref = int(body["amount"]), str(body["method"]), str(body["merchant_ref"])
        except (ValueError, KeyError, TypeError):
            return _fail("Invalid request body: method, merchant_ref and amount are required")
        if not hmac.compare_digest(
            str(body.get("signature", "")),
            create_signature(config.tripay_private_key, config.tripay_merchant_code, ref, amount),
        ):
            return _fail("Invalid signature")
        channel = CHANNEL_BY_CODE.get(method)
        if channel is None:
            return _fail(f"Payment channel {method} is not enabled")
        if not channel[6] <= amount <= channel[7]:
            return _fail(f"Amount must be between {channel[6]} and {channel[7]} for {method}")
        items = body.get("order_items") or []
        if items and sum(int(i["price"]) * int(i["quantity"]) for i in items) != amount:
            return _fail("Amount does not match the sum of order_items")
        if any(t.merchant_ref == ref and t.status == "UNPAID" for t in txns.values()):
            return _fail(f"Duplicate merchant_ref {ref}")
        reference = new_reference("tripay")
        pay_code, qr_string = pay_details(method, reference)
        txn = Transaction(
            provider="tripay",
            reference=reference,
            merchant_ref=ref,
            method=method,
            amount=amount,
            customer_name=str(body.get("customer_name", "")),
            customer_email=str(body.get("customer_email", "")),
            customer_phone=str(body.get("customer_phone", "")),
            callback_url=str(body.get("callback_url") or config.tripay_callback_url),
            return_url=str(body.get("return_url", "")),
            expired_time=int(body.get("expired_time") or time.time() + 86400),
            pay_code=pay_code,
            qr_string=qr_string,
            fee_merchant=merchant_fee(method, amount),
            fee_customer=customer_fee(method, amount),
        )
        txns[reference] = txn
        return JSONResponse({"success": True, "message": "", "data": txn.public(config.public_url)})

    @tripay.get("/transaction/detail")
    async def detail(request: Request, reference: str) -> Response:
        if (down := await simulate_outage("tripay")) or not authorized(request):
            return down or _fail("Invalid API Key", 401)
        txn = txns.get(reference)
        if txn is None or txn.provider != "tripay":
            return _fail("Transaction not found", 404)
        return JSONResponse({"success": True, "message": "", "data": txn.public(config.public_url)})

    @tripay.get("/transaction/check-status")
    async def check_status(request: Request, reference: str) -> Response:
        if not authorized(request):
            return _fail("Invalid API Key", 401)
        txn = txns.get(reference)
        if txn is None:
            return _fail("Transaction not found", 404)
        return JSONResponse({"success": True, "message": f"Status transaksi saat ini {txn.status}"})

    app.include_router(tripay, prefix="/api-sandbox")
    app.include_router(tripay, prefix="/api")

    # --- Midtrans Snap and status ----------------------------------------------------------------
    def midtrans_authorized(request: Request) -> bool:
        expected = "Basic " + base64.b64encode(f"{config.midtrans_server_key}:".encode()).decode()
        return bool(config.midtrans_server_key) and hmac.compare_digest(
            request.headers.get("authorization", ""), expected
        )

    @app.post("/snap/v1/transactions")
    async def snap_create(request: Request) -> Response:
        if (down := await simulate_outage("midtrans")) is not None:
            return down
        if not midtrans_authorized(request):
            return JSONResponse({"error_messages": ["Access denied, please check client or server key"]}, 401)
        try:
            body = await request.json()
            details = body["transaction_details"]
            order_id, gross = str(details["order_id"]), int(details["gross_amount"])
        except (ValueError, KeyError, TypeError):
            return JSONResponse({"error_messages": ["transaction_details.order_id is required"]}, 400)
        if gross <= 0:
            return JSONResponse({"error_messages": ["transaction_details.gross_amount must be greater than 0"]}, 400)
        items = body.get("item_details") or []
        if items and sum(int(i["price"]) * int(i["quantity"]) for i in items) != gross:
            return JSONResponse(
                {"error_messages": ["transaction_details.gross_amount is not equal to the sum of item_details"]}, 400
            )
        if order_id in by_order_id:
            return JSONResponse({"error_messages": ["transaction_details.order_id sudah digunakan"]}, 400)
        token = new_reference("midtrans")
        customer = body.get("customer_details") or {}
        notify = request.headers.get("x-override-notification") or config.midtrans_notification_url
        txn = Transaction(
            provider="midtrans",
            reference=token,
            merchant_ref=order_id,
            method="MIDTRANS",
            amount=gross,
            customer_name=str(customer.get("first_name", "")),
            customer_email=str(customer.get("email", "")),
            customer_phone=str(customer.get("phone", "")),
            callback_url=notify.split(",")[0].strip(),
            return_url=str((body.get("callbacks") or {}).get("finish", "")),
            expired_time=int(time.time() + 86400),
        )
        txns[token] = by_order_id[order_id] = txn
        return JSONResponse({"token": token, "redirect_url": f"{config.public_url}/snap/v4/redirection/{token}"}, 201)

    @app.get("/v2/{order_id}/status")
    async def snap_status(request: Request, order_id: str) -> Response:
        if (down := await simulate_outage("midtrans")) is not None:
            return down
        if not midtrans_authorized(request):
            return JSONResponse({"status_code": "401", "status_message": "Access denied"}, 401)
        txn = by_order_id.get(order_id)
        if txn is None or txn.status == "UNPAID":  # Snap: nothing until the customer acts
            return JSONResponse(
                {"status_code": "404", "status_message": "Transaction doesn't exist.", "id": order_id}, 404
            )
        body = json.loads(deliverer.midtrans_body(txn))
        body["status_message"] = "Success, transaction is found"
        return JSONResponse(body)

    # --- Checkout pages (what a customer sees) ---------------------------------------------------
    async def act(
        txn: Transaction,
        action: str,
        amount: int | None = None,
        copies: int = 1,
        forged: bool = False,
        deliver: bool = True,
    ) -> list[dict[str, Any]]:
        """Move a transaction to the action's status and deliver its callback (`copies` times).

        `forged` sends a wrongly signed callback and leaves the transaction as it was; `deliver=False`
        loses the callback on the way, so only a status query can tell."""
        status = ACTIONS[action]
        if forged:
            saved, txn.status = txn.status, status
            results = [await deliverer.deliver(txn, amount, forged=True) for _ in range(copies)]
            txn.status = saved
            return results
        txn.status = status
        if status == "PAID" and txn.paid_at is None:
            txn.paid_at = int(time.time())
        if not deliver:
            return []
        return [await deliverer.deliver(txn, amount) for _ in range(copies)]

    def page(txn: Transaction) -> HTMLResponse:
        rupiah = f"Rp {txn.amount + txn.fee_customer:,}".replace(",", ".")
        how = (f"<p>Kode bayar: <b id='pay-code'>{escape(txn.pay_code)}</b></p>" if txn.pay_code else "") + (
            f"<p>QR string:<br><code id='qr-string'>{escape(txn.qr_string)}</code></p>" if txn.qr_string else ""
        )
        buttons = (
            "".join(
                f"<form method='post' action='{escape(txn.reference)}/{a}'><button name='action' value='{a}' "
                f"style='padding:12px 20px;margin:6px;font-size:16px'>{label}</button></form>"
                for a, label in (("pay", "Bayar (Pay)"), ("expire", "Kedaluwarsa (Expire)"), ("fail", "Gagal (Fail)"))
            )
            if txn.status == "UNPAID"
            else f"<p>Status: <b>{escape(txn.status)}</b></p>"
        )
        back = f"<p><a href='{escape(txn.return_url)}'>Kembali ke toko</a></p>" if txn.return_url else ""
        return HTMLResponse(
            "<!doctype html><meta name='viewport' content='width=device-width, initial-scale=1'>"
            "<title>Sandbox checkout</title><body style='font-family:sans-serif;max-width:480px;margin:24px auto;"
            "padding:0 16px'><div style='background:#fef3c7;padding:8px 12px;border-radius:6px'>SANDBOX — "
            "simulasi pembayaran, tidak ada uang sungguhan</div>"
            f"<h2>{escape(txn.provider.title())} checkout</h2><p>Pesanan <b>{escape(txn.merchant_ref)}</b></p>"
            f"<p style='font-size:24px'><b>{rupiah}</b></p><p>Metode: {escape(txn.method)}</p>"
            f"{how}<div style='display:flex;flex-wrap:wrap'>{buttons}</div>{back}</body>"
        )

    async def checkout_action(reference: str, action: str) -> Response:
        txn = txns.get(reference)
        if txn is None or action not in ("pay", "expire", "fail"):
            return HTMLResponse("Transaksi tidak ditemukan", 404)
        if txn.status == "UNPAID":
            await act(txn, action)
        if txn.return_url:
            return RedirectResponse(txn.return_url, status_code=303)
        return page(txn)

    @app.get("/checkout/{reference}")
    async def checkout_page(reference: str) -> Response:
        txn = txns.get(reference)
        return page(txn) if txn else HTMLResponse("Transaksi tidak ditemukan", 404)

    @app.post("/checkout/{reference}/{action}")
    async def checkout_post(reference: str, action: str) -> Response:
        return await checkout_action(reference, action)

    @app.get("/snap/v4/redirection/{token}")
    async def snap_page(token: str) -> Response:
        txn = txns.get(token)
        return page(txn) if txn else HTMLResponse("Transaksi tidak ditemukan", 404)

    @app.post("/snap/v4/redirection/{token}/{action}")
    async def snap_post(token: str, action: str) -> Response:
        return await checkout_action(token, action)

    # --- Control API for tests and benchmarks ----------------------------------------------------
    @app.post("/_control/transactions/{reference}/{action}")
    async def control_action(request: Request, reference: str, action: str) -> Response:
        txn = txns.get(reference) or by_order_id.get(reference)
        if txn is None or action not in ACTIONS:
            return _fail("unknown transaction or action", 404)
        options = await request.json() if await request.body() else {}
        results = await act(
            txn,
            action,
            amount=options.get("amount"),
            copies=int(options.get("copies", 1)),
            forged=bool(options.get("forged", False)),
            deliver=bool(options.get("deliver", True)),
        )
        return JSONResponse({"success": True, "reference": txn.reference, "status": txn.status, "deliveries": results})

    @app.get("/_control/transactions")
    async def control_list() -> Response:
        return JSONResponse(
            [
                {
                    "provider": t.provider,
                    "reference": t.reference,
                    "merchant_ref": t.merchant_ref,
                    "status": t.status,
                    "amount": t.amount,
                    "deliveries": t.deliveries,
                }
                for t in txns.values()
            ]
        )

    @app.post("/_control/outage")
    async def control_outage(request: Request) -> Response:
        outage.update(await request.json())
        return JSONResponse({"success": True, "outage": outage})

    @app.get("/_control/health")
    async def control_health() -> Response:
        return JSONResponse({"success": True, "transactions": len(txns), "midtrans_statuses": sorted(MIDTRANS_STATUS)})

    return app
