"""The simulator's transactions and how it delivers signed callbacks (with Tripay's retry rule)."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from integrations.midtrans import notification_signature
from integrations.tripay import CALLBACK_EVENT, callback_signature

log = logging.getLogger("aksesgpt.sandbox")

# (code, name, group, type, flat fee, percent fee, min amount, max amount)
CHANNELS = [
    ("QRIS", "QRIS (semua e-wallet & m-banking)", "QRIS", "direct", 750, 0.70, 1_000, 5_000_000),
    ("BRIVA", "BRI Virtual Account", "Virtual Account", "direct", 4_250, 0, 10_000, 10_000_000),
    ("BNIVA", "BNI Virtual Account", "Virtual Account", "direct", 4_250, 0, 10_000, 10_000_000),
    ("BCAVA", "BCA Virtual Account", "Virtual Account", "direct", 5_500, 0, 10_000, 10_000_000),
    ("MANDIRIVA", "Mandiri Virtual Account", "Virtual Account", "direct", 4_250, 0, 10_000, 10_000_000),
    ("OVO", "OVO", "E-Wallet", "redirect", 0, 3.0, 1_000, 10_000_000),
    ("DANA", "DANA", "E-Wallet", "redirect", 0, 3.0, 1_000, 10_000_000),
    ("SHOPEEPAY", "ShopeePay", "E-Wallet", "redirect", 0, 3.0, 1_000, 10_000_000),
    ("ALFAMART", "Alfamart", "Convenience Store", "direct", 3_500, 0, 10_000, 2_500_000),
    ("INDOMARET", "Indomaret", "Convenience Store", "direct", 3_500, 0, 10_000, 2_500_000),
]
CHANNEL_BY_CODE = {c[0]: c for c in CHANNELS}
# what the customer pays on top, as a merchant who passes the bank's and the outlet's flat fee on configures it
# (QRIS and e-wallets: the merchant pays all)
CUSTOMER_FEES = {
    "BRIVA": 2_500,
    "BNIVA": 2_500,
    "BCAVA": 3_000,
    "MANDIRIVA": 2_500,
    "ALFAMART": 2_500,
    "INDOMARET": 2_500,
}
MIDTRANS_STATUS = {
    "PAID": ("settlement", "200"),
    "EXPIRED": ("expire", "407"),
    "FAILED": ("deny", "202"),
    "REFUND": ("refund", "200"),
    "UNPAID": ("pending", "201"),
}


CUSTOMER_FEE_PERCENT = {"SHOPEEPAY": 1.5}  # a fee share that grows with the amount, as merchants set for e-wallets


def customer_fee(code: str, amount: int) -> int:
    """What Tripay's fee calculator says the customer pays for `amount` on channel `code`: a flat part, and a
    percentage rounded up to a whole rupiah."""
    if code not in CHANNEL_BY_CODE:
        return 0
    percent = CUSTOMER_FEE_PERCENT.get(code, 0)
    return CUSTOMER_FEES.get(code, 0) + (-(-amount * int(percent * 100) // 10_000) if percent else 0)


def merchant_fee(code: str, amount: int) -> int:
    _, _, _, _, flat, percent, _, _ = CHANNEL_BY_CODE[code]
    fee = flat + -(-amount * percent // 100)  # percentages round up to a whole rupiah
    return max(int(fee), 1_000) if percent and not flat else int(fee)


@dataclass
class SandboxConfig:
    tripay_merchant_code: str
    tripay_api_key: str
    tripay_private_key: str
    midtrans_server_key: str = ""
    tripay_callback_url: str = ""  # the merchant's default callback URL
    midtrans_notification_url: str = ""
    public_url: str = "http://127.0.0.1:9000"  # where the simulator's checkout pages are reached
    retry_interval: float = 120.0  # Tripay: every 2 minutes
    max_retries: int = 3


@dataclass
class Transaction:
    provider: str
    reference: str
    merchant_ref: str
    method: str
    amount: int
    customer_name: str
    customer_email: str
    customer_phone: str
    callback_url: str
    return_url: str
    expired_time: int
    status: str = "UNPAID"
    paid_at: int | None = None
    pay_code: str | None = None
    qr_string: str | None = None
    fee_merchant: int = 0
    fee_customer: int = 0  # on top of `amount` (the order's price): the customer pays amount + fee_customer
    created_at: float = field(default_factory=time.time)
    deliveries: list[dict[str, Any]] = field(default_factory=list)

    def public(self, public_url: str) -> dict[str, Any]:
        """The transaction as Tripay's create/detail endpoints describe it."""
        code = CHANNEL_BY_CODE.get(self.method)
        checkout_url = f"{public_url}/checkout/{self.reference}"
        return {
            "reference": self.reference,
            "merchant_ref": self.merchant_ref,
            "payment_selection_type": "static",
            "payment_method": self.method,
            "payment_name": code[1] if code else self.method,
            "customer_name": self.customer_name,
            "customer_email": self.customer_email,
            "customer_phone": self.customer_phone,
            "callback_url": self.callback_url,
            "return_url": self.return_url,
            "amount": self.amount + self.fee_customer,
            "fee_merchant": self.fee_merchant,
            "fee_customer": self.fee_customer,
            "total_fee": self.fee_merchant + self.fee_customer,
            "amount_received": self.amount - self.fee_merchant,
            "pay_code": self.pay_code,
            "pay_url": checkout_url if code and code[3] == "redirect" else None,
            "checkout_url": checkout_url,
            "status": self.status,
            "expired_time": self.expired_time,
            "paid_at": str(self.paid_at) if self.paid_at else None,
            "qr_string": self.qr_string,
            "qr_url": None,
            "order_items": [],
            "instructions": instructions(self),
        }


def instructions(txn: Transaction) -> list[dict[str, Any]]:
    """Payment steps per channel as Tripay's transaction answer words them: a title per way to pay, steps with the
    pay code and the total in <b> tags (a shop must show them as text)."""
    channel = CHANNEL_BY_CODE.get(txn.method)
    name = channel[1] if channel else txn.method
    total = f"Rp {txn.amount + txn.fee_customer:,}".replace(",", ".")
    code = f"<b>{txn.pay_code}</b>"
    if txn.method == "QRIS":
        return [
            {
                "title": "Pembayaran via QRIS",
                "steps": [
                    "Buka aplikasi e-wallet atau m-banking yang mendukung QRIS.",
                    "Pindai kode QR yang tampil, atau pilih <i>unggah dari galeri</i> bila QR tersimpan di ponsel.",
                    f"Pastikan nama merchant dan jumlah <b>{total}</b>, lalu konfirmasi pembayaran.",
                    "Transaksi selesai, simpan bukti pembayaran Anda.",
                ],
            }
        ]
    if txn.pay_code and txn.method.endswith("VA"):
        bank = txn.method.removesuffix("VA")
        return [
            {
                "title": f"Mobile Banking {bank}",
                "steps": [
                    f"Masuk ke aplikasi mobile banking {bank}.",
                    "Pilih menu <b>Transfer</b> lalu <b>Virtual Account</b>.",
                    f"Masukkan nomor virtual account {code}.",
                    f"Pastikan nama tagihan dan total {total}, lalu konfirmasi dengan PIN.",
                ],
            },
            {
                "title": f"ATM {bank}",
                "steps": [
                    "Masukkan kartu ATM dan PIN.",
                    "Pilih <b>Transaksi Lain</b> &gt; <b>Pembayaran</b> &gt; <b>Virtual Account</b>.",
                    f"Masukkan nomor virtual account {code} lalu tekan Benar.",
                    f"Periksa total {total} dan selesaikan transaksi.",
                ],
            },
        ]
    if txn.pay_code:
        return [
            {
                "title": f"Pembayaran di {name}",
                "steps": [
                    f"Datang ke gerai {name} terdekat.",
                    'Katakan ke kasir ingin melakukan pembayaran "<b>Tripay</b>".',
                    f"Sebutkan kode pembayaran {code}.",
                    f"Bayar sejumlah {total} dan simpan struk sebagai bukti.",
                ],
            }
        ]
    return [{"title": "Bayar lewat aplikasi", "steps": ["Tekan tombol bayar dan ikuti langkah di aplikasi."]}]


def new_reference(provider: str) -> str:
    if provider == "tripay":
        return "DEV-T" + "".join(secrets.choice("0123456789") for _ in range(11)) + secrets.token_hex(2).upper()
    return secrets.token_hex(16)


def pay_details(method: str, reference: str) -> tuple[str | None, str | None]:
    """A pay code (VA number / retail code) or a QR string, deterministic per reference."""
    digits = str(int(hashlib.sha256(reference.encode()).hexdigest(), 16))[:12]
    if method == "QRIS":
        return None, f"00020101021226610016ID.CO.SANDBOX.WWW0118{digits}5204599953033605802ID5908AKSESGPT6304SBOX"
    if method.endswith("VA") or method in ("ALFAMART", "INDOMARET"):
        return ("8808" if method.endswith("VA") else "TP") + digits, None
    return None, None


class Deliverer:
    """Sends the callbacks, signs exactly the bytes it sends, retries like the real gateways."""

    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.tasks: set[asyncio.Task[None]] = set()
        self._clients: dict[asyncio.AbstractEventLoop, httpx.AsyncClient] = {}

    @property
    def client(self) -> httpx.AsyncClient:
        # one client per event loop for every delivery: a fresh one builds an SSL context each time, and a
        # retry storm of those (hundreds of callbacks re-sent while the app is down) starved the event loop
        loop = asyncio.get_running_loop()
        if loop not in self._clients:
            self._clients[loop] = httpx.AsyncClient(timeout=15, limits=httpx.Limits(max_connections=64))
        return self._clients[loop]

    def tripay_body(self, txn: Transaction, amount: int | None = None) -> bytes:
        code = CHANNEL_BY_CODE.get(txn.method)
        # a test's `amount` is what reached the merchant's price, like txn.amount: the customer's fee comes on top
        total = (txn.amount if amount is None else amount) + txn.fee_customer
        body = {
            "reference": txn.reference,
            "merchant_ref": txn.merchant_ref,
            "payment_method": code[1] if code else txn.method,
            "payment_method_code": txn.method,
            "total_amount": total,
            "fee_merchant": txn.fee_merchant,
            "fee_customer": txn.fee_customer,
            "total_fee": txn.fee_merchant + txn.fee_customer,
            "amount_received": total - txn.fee_customer - txn.fee_merchant,
            "is_closed_payment": 1,
            "status": txn.status,
            "paid_at": txn.paid_at,
            "note": None,
        }
        return json.dumps(body, separators=(",", ":")).encode()

    def midtrans_body(self, txn: Transaction, amount: int | None = None) -> bytes:
        transaction_status, status_code = MIDTRANS_STATUS[txn.status]
        gross = f"{(txn.amount if amount is None else amount)}.00"
        body = {
            "transaction_time": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(txn.created_at + 7 * 3600)),
            "transaction_status": transaction_status,
            "transaction_id": txn.reference,
            "status_message": "midtrans payment notification",
            "status_code": status_code,
            "signature_key": notification_signature(
                txn.merchant_ref, status_code, gross, self.config.midtrans_server_key
            ),
            "payment_type": "qris",
            "order_id": txn.merchant_ref,
            "merchant_id": "G-SANDBOX",
            "gross_amount": gross,
            "fraud_status": "accept",
            "currency": "IDR",
        }
        if txn.paid_at:
            body["settlement_time"] = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(txn.paid_at + 7 * 3600))
        return json.dumps(body).encode()

    def request(self, txn: Transaction, amount: int | None = None, forged: bool = False) -> tuple[bytes, dict]:
        if txn.provider == "tripay":
            raw = self.tripay_body(txn, amount)
            key = "forged-key" if forged else self.config.tripay_private_key
            return raw, {
                "Content-Type": "application/json",
                "X-Callback-Event": CALLBACK_EVENT,
                "X-Callback-Signature": callback_signature(key, raw),
            }
        raw = self.midtrans_body(txn, amount)
        if forged:
            raw = raw.replace(b'"signature_key": "', b'"signature_key": "00')
        return raw, {"Content-Type": "application/json", "Accept": "application/json"}

    async def send_once(self, txn: Transaction, raw: bytes, headers: dict) -> dict[str, Any]:
        started = time.perf_counter()
        try:
            response = await self.client.post(txn.callback_url, content=raw, headers=headers)
            try:
                reply = response.json()
            except ValueError:
                reply = None
            ok = (
                (isinstance(reply, dict) and reply.get("success") is True)
                if txn.provider == "tripay"
                else (200 <= response.status_code < 300)
            )
            result = {"status_code": response.status_code, "ok": ok, "reply": reply}
        except httpx.HTTPError as exc:
            result = {"status_code": None, "ok": False, "error": type(exc).__name__}
        result |= {"status": txn.status, "ms": round((time.perf_counter() - started) * 1000, 1)}
        txn.deliveries.append(result)
        log.info(
            "sandbox callback provider=%s ref=%s status=%s ok=%s", txn.provider, txn.reference, txn.status, result["ok"]
        )
        return result

    async def deliver(self, txn: Transaction, amount: int | None = None, forged: bool = False) -> dict[str, Any]:
        """Send now; when not acknowledged, retry in the background up to `max_retries` times."""
        if not txn.callback_url:
            return {"ok": False, "error": "no callback URL configured"}
        raw, headers = self.request(txn, amount, forged)
        first = await self.send_once(txn, raw, headers)
        if not first["ok"] and not forged and self.config.max_retries > 0:
            task = asyncio.create_task(self._retry(txn, raw, headers))
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)
        return first

    async def _retry(self, txn: Transaction, raw: bytes, headers: dict) -> None:
        for _ in range(self.config.max_retries):
            await asyncio.sleep(self.config.retry_interval)
            if (await self.send_once(txn, raw, headers))["ok"]:
                return
