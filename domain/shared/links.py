"""The customer's order link: its secret is derived from the order code and STORAGE_SECRET, so a lost
link can be e-mailed again without storing it; only its hash is kept (rotating the secret ends old links)."""

from __future__ import annotations

import base64
import hashlib
import hmac

from infra import settings as config


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_hash_matches(token_hash: str, token: str | None) -> bool:
    """Whether `token` is the order link's secret whose hash is stored (compared in constant time)."""
    return bool(token) and hmac.compare_digest(token_hash, hash_token(token or ""))


def access_token(code: str) -> str:
    key = f"order-link:{config.get_settings().STORAGE_SECRET}".encode()
    digest = hmac.new(key, code.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")[:32]


def order_link(code: str) -> str:
    return f"{config.get_settings().public_url}/order/{code}?t={access_token(code)}"


def shop_link(path: str = "/") -> str:
    return f"{config.get_settings().public_url}{path}"
