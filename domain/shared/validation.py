"""Checks and normalisations of customer and admin input, shared by every domain function.

E-mail addresses are checked by `email-validator` (syntax only: never DNS, the shop also runs offline) and
phone numbers by `phonenumbers` (the `phonenumberslite` distribution: its metadata, no geocoder or carrier data).

Special-use domains: email-validator refuses the IANA special-use names (arpa, invalid, local, localhost, onion,
test) as not deliverable. The shop's own demo data uses `.invalid` on purpose (the demo admin
admin@demo.aksesgpt.invalid, the [DEMO] pool accounts demo-N@demo.aksesgpt.invalid, the bench's
…@bench.invalid), so `.invalid` is taken off email-validator's list below (its documented, process-wide
SPECIAL_USE_DOMAIN_NAMES setting); the others stay refused. The tests use example.com, which email-validator
accepts without the deliverability check. `globally_deliverable` stays on: a domain without a dot or a
top-level domain ending in a digit is refused."""

from __future__ import annotations

import re
import unicodedata

import email_validator
import phonenumbers
from email_validator import EmailNotValidError, validate_email

from domain.shared.errors import ValidationFailed

LOCALES = ("id", "en")
EMAIL_MAX_LENGTH = 254  # the email columns (orders, accounts, admins, assignments) hold 254 characters
ALLOWED_SPECIAL_USE_DOMAINS = ("invalid",)
email_validator.SPECIAL_USE_DOMAIN_NAMES = [
    name for name in email_validator.SPECIAL_USE_DOMAIN_NAMES if name not in ALLOWED_SPECIAL_USE_DOMAINS
]
PHONE_REGION = "ID"


def normalize_email(value: str, field: str = "email") -> str:
    """A trimmed, lower-cased address that email-validator accepts (internationalised local parts too, such as
    andré@contoh.id); an internationalised domain is kept in its ASCII (IDNA) form, as before."""
    email = (value or "").strip().lower()
    try:
        checked = validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        raise ValidationFailed(f"{value!r} is not a valid email address", field=field) from None
    email = f"{checked.local_part}@{checked.ascii_domain}"
    if len(email) > EMAIL_MAX_LENGTH:
        raise ValidationFailed(f"{value!r} is not a valid email address", field=field)
    return email


def normalize_phone(value: str) -> str:
    """An Indonesian mobile number (08…, +628…, 628…; spaces, dashes, dots and brackets allowed) as E.164
    (+628…): phonenumbers must find it valid, Indonesian and of the MOBILE type (not a landline, not 0800)."""
    digits = re.sub(r"[\s\-().]", "", value or "")
    if digits.startswith("+"):
        digits = digits[1:]
    if digits.startswith("0"):
        digits = "62" + digits[1:]
    number = None
    if re.fullmatch(r"62[0-9]{1,15}", digits):
        try:
            number = phonenumbers.parse("+" + digits)
        except phonenumbers.NumberParseException:
            number = None
    if (
        number is None
        or not phonenumbers.is_valid_number(number)
        or phonenumbers.region_code_for_number(number) != PHONE_REGION
        or phonenumbers.number_type(number) != phonenumbers.PhoneNumberType.MOBILE
    ):
        raise ValidationFailed(f"{value!r} is not an Indonesian mobile number (08…, +62…)", field="phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


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


_RUPIAH = re.compile(r"(?:rp\.?\s*)?(\d{1,3}(?:\.\d{3})+|\d+)(?:,-|,00)?", re.IGNORECASE)
MAX_RUPIAH = 1_000_000_000  # a seat package never costs a billion rupiah: more is a typo


def parse_rupiah(value: str | int, field: str = "price_idr") -> int:
    """A whole rupiah amount as Indonesians write it: 75000, 75.000, Rp 75.000 or Rp75.000,-. Refuses what it
    cannot read exactly (75,5; 7.50; 75.00.0; an empty box) instead of truncating it."""
    if isinstance(value, int) and not isinstance(value, bool):
        amount = value
    else:
        text = str(value).strip().replace(" ", "").replace("\u00a0", "")
        match = _RUPIAH.fullmatch(text)
        if match is None:
            raise ValidationFailed(
                f"{field} must be a whole rupiah amount such as 75000 or 75.000", field=field, value=str(value)
            )
        amount = int(match.group(1).replace(".", ""))
    if not 0 < amount <= MAX_RUPIAH:
        raise ValidationFailed(f"{field} must be between 1 and {MAX_RUPIAH} rupiah", field=field)
    return amount


def parse_whole_number(value: str | int | float, field: str, *, minimum: int, maximum: int) -> int:
    """A whole number within [minimum, maximum], refused (never clamped or truncated) when it is not one."""
    if isinstance(value, bool):
        raise ValidationFailed(f"{field} must be a whole number", field=field)
    if isinstance(value, float):
        if not value.is_integer():
            raise ValidationFailed(f"{field} must be a whole number", field=field)
        value = int(value)
    text = str(value).strip()
    if not re.fullmatch(r"-?\d+", text):
        raise ValidationFailed(f"{field} must be a whole number", field=field)
    number = int(text)
    if not minimum <= number <= maximum:
        raise ValidationFailed(f"{field} must be between {minimum} and {maximum}", field=field)
    return number


def unstorable(*values: object) -> bool:
    """Whether a value holds what no database keeps: NUL (PostgreSQL refuses it) or a lone surrogate (not
    encodable). Whatever carries one is malformed (a 400 or a 404), never a query that fails with a 500."""
    return any("\x00" in str(v) or any("\ud800" <= c <= "\udfff" for c in str(v)) for v in values)
