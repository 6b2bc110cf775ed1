"""Finding one's order again by its code and the e-mail or WhatsApp number it was placed with: the link comes
back only when both match, and a wrong code and a wrong contact are the same None (nothing to enumerate)."""

from __future__ import annotations

import hmac

from sqlmodel import Session, select

from domain.shared.errors import ValidationFailed
from domain.shared.links import order_link
from domain.shared.models import Order
from domain.shared.validation import normalize_email, normalize_phone

MAX_CODE_LENGTH = 40


def contact_key(contact: str) -> tuple[str, str] | None:
    """("email", address) or ("phone", +62…) from what the customer typed (an e-mail, or a number as 0812-…,
    +62 …, 62…); None when it is neither."""
    text = (contact or "").strip()
    try:
        return ("email", normalize_email(text)) if "@" in text else ("phone", normalize_phone(text))
    except ValidationFailed:
        return None


def order_code(value: str) -> str:
    """The code as printed (AG-…), whatever the case and spaces it was typed with."""
    return "".join((value or "").split()).upper()[:MAX_CODE_LENGTH]


def find_order_link(*, session: Session, code: str, contact: str) -> str | None:
    """The order page's link when `code` names an order placed with `contact`; None otherwise, the same for an
    unknown code, a wrong contact and an unreadable one (the caller rate-limits the asking)."""
    wanted, key = order_code(code), contact_key(contact)
    if not wanted or key is None or not (wanted.isascii() and wanted.isprintable()):
        return None
    order = session.exec(select(Order).where(Order.code == wanted)).first()
    kind, value = key
    stored = "" if order is None else (order.email if kind == "email" else order.phone)
    matches = hmac.compare_digest(stored.encode(), value.encode())
    return order_link(wanted) if order is not None and matches else None
