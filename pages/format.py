"""Presentation helpers shared by the shop and the admin: rupiah and WIB."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

WIB = ZoneInfo("Asia/Jakarta")


def format_idr(amount: int) -> str:
    """25000 -> 'Rp 25.000' (Indonesian thousands separator, no decimals)."""
    return "Rp " + f"{amount:,}".replace(",", ".")


def format_wib(moment: datetime) -> str:
    return moment.astimezone(WIB).strftime("%d-%m-%Y %H:%M WIB")
