"""Account passwords encrypted at rest with Fernet; MultiFernet so keys can be rotated."""

from __future__ import annotations

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from domain.shared.errors import DomainError
from infra import settings as config


class DecryptionFailed(DomainError):
    code = "decryption_failed"


@lru_cache(maxsize=8)
def _cipher(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise DomainError("no ENCRYPTION_KEY configured")
    return MultiFernet([Fernet(k.encode()) for k in keys])


def _keys() -> tuple[str, ...]:
    return tuple(config.get_settings().encryption_keys)


def encrypt_secret(plaintext: str) -> str:
    """Encrypt with the newest key."""
    return _cipher(_keys()).encrypt(plaintext.encode()).decode()


def decrypt_secret(token: str) -> str:
    """Decrypt with whichever configured key made the token."""
    if not token:
        return ""
    try:
        return _cipher(_keys()).decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise DecryptionFailed("stored secret cannot be decrypted with the configured ENCRYPTION_KEY") from exc


def rotate_secret(token: str) -> str:
    """Re-encrypt a token under the newest key (after ENCRYPTION_KEY gained a new first key)."""
    return _cipher(_keys()).rotate(token.encode()).decode()
