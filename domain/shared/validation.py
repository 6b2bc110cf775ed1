"""Checks and normalisations of customer and admin input, shared by every domain function."""

from __future__ import annotations

import re
import unicodedata

from domain.shared.errors import ValidationFailed

EMAIL_RE = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+$")
LOCALES = ("id", "en")


def normalize_email(value: str, field: str = "email") -> str:
    email = (value or "").strip().lower()
    if len(email) > 254 or not EMAIL_RE.fullmatch(email):
        raise ValidationFailed(f"{value!r} is not a valid email address", field=field)
    return email


def normalize_phone(value: str) -> str:
    """An Indonesian mobile number (08…, +62…, 62…) as E.164 (+628…)."""
    digits = re.sub(r"[\s\-().]", "", value or "")
    if digits.startswith("+"):
        digits = digits[1:]
    if digits.startswith("0"):
        digits = "62" + digits[1:]
    if not re.fullmatch(r"628\d{7,12}", digits):
        raise ValidationFailed(f"{value!r} is not an Indonesian mobile number (08…, +62…)", field="phone")
    return "+" + digits


def normalize_locale(value: str) -> str:
    locale = (value or "id").strip().lower()[:2]
    if locale not in LOCALES:
        raise ValidationFailed(f"language {value!r} is not offered (id or en)", field="locale")
    return locale


def storable(value: str, field: str, *, multiline: bool = False) -> str:
    """Refuse what a database cannot keep or a page should not show: lone surrogates (not UTF-8) and
    control characters (PostgreSQL refuses NUL); line breaks and tabs only where text may span lines."""
    for char in value:
        category = unicodedata.category(char)
        if category == "Cs" or (category == "Cc" and not (multiline and char in "\n\r\t")):
            raise ValidationFailed(f"{field} contains an unusable character (U+{ord(char):04X})", field=field)
    return value


def require_text(value: str | None, field: str, max_length: int, *, multiline: bool = False) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationFailed(f"{field} is required", field=field)
    if len(text) > max_length:
        raise ValidationFailed(f"{field} is longer than {max_length} characters", field=field)
    return storable(text, field, multiline=multiline)
