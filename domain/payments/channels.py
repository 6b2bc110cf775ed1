"""What a payment channel is called on the customer's screen, from its gateway code (BRIVA → "BRI Virtual
Account"), and whether it is paid at a shop's till (a payment code, not a virtual account number)."""

from __future__ import annotations

NAMES = {
    "QRIS": "QRIS",
    "QRISC": "QRIS",
    "QRIS2": "QRIS",
    "BRIVA": "BRI Virtual Account",
    "BNIVA": "BNI Virtual Account",
    "BCAVA": "BCA Virtual Account",
    "MANDIRIVA": "Mandiri Virtual Account",
    "PERMATAVA": "Permata Virtual Account",
    "BSIVA": "BSI Virtual Account",
    "CIMBVA": "CIMB Niaga Virtual Account",
    "MUAMALATVA": "Muamalat Virtual Account",
    "DANAMONVA": "Danamon Virtual Account",
    "OCBCVA": "OCBC NISP Virtual Account",
    "OVO": "OVO",
    "DANA": "DANA",
    "SHOPEEPAY": "ShopeePay",
    "ALFAMART": "Alfamart",
    "ALFAMIDI": "Alfamidi",
    "INDOMARET": "Indomaret",
    "MIDTRANS": "Midtrans",
}
RETAIL = frozenset({"ALFAMART", "ALFAMIDI", "INDOMARET"})


def channel_name(code: str | None) -> str:
    """The channel's name as customers know it; an unknown virtual account by its bank's code."""
    code = (code or "").upper()
    if code in NAMES:
        return NAMES[code]
    if code.endswith("VA") and len(code) > 2:
        return f"{code[:-2]} Virtual Account"
    return code.title()


def is_retail(code: str | None) -> bool:
    """Paid at an outlet's till with a payment code (not a virtual account number)."""
    return (code or "").upper() in RETAIL
