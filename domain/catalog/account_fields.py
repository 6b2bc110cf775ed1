"""The account's business fields beside its login: the name customers see, what the subscription costs each
month and when it renews. Checked here, kept by pool.py's add and update."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from typing import Any

from domain.shared.errors import ValidationFailed
from domain.shared.i18n import WIB
from domain.shared.validation import parse_rupiah, storable

DISPLAY_NAME_MAX = 120
_DAY_FIRST = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})")  # 05-01-2027, as the admin shows dates


def clean_display_name(value: Any) -> str:
    """The workspace name customers see: one line, 120 characters at most ('' means the neutral name)."""
    name = " ".join(str(value or "").split())
    if len(name) > DISPLAY_NAME_MAX:
        raise ValidationFailed(f"Nama untuk pelanggan paling banyak {DISPLAY_NAME_MAX} karakter", field="display_name")
    return storable(name, "display_name")


def parse_monthly_cost(value: Any) -> int | None:
    """The subscription's monthly cost in whole rupiah (75000, 75.000, Rp 75.000); empty: not recorded."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        return parse_rupiah(value, "monthly_cost_idr")
    except ValidationFailed:
        raise ValidationFailed(
            f"Biaya bulanan {str(value)[:40]!r} bukan jumlah rupiah bulat, contoh 75000 atau Rp 75.000",
            field="monthly_cost_idr",
        ) from None


def parse_renewal_date(value: Any) -> datetime | None:
    """The subscription's renewal date in UTC: a day (2027-01-05, 05-01-2027) is its midnight in WIB, an aware
    moment (ISO text or datetime) is kept; empty: not known."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    moment: datetime | None = value if isinstance(value, datetime) else None
    day: date | None = value if isinstance(value, date) and moment is None else None
    if moment is None and day is None:
        text = str(value).strip()
        match = _DAY_FIRST.fullmatch(text)
        try:
            if match:
                day = date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
            elif len(text) == 10:
                day = date.fromisoformat(text)
            else:
                moment = datetime.fromisoformat(text)
        except ValueError:
            raise ValidationFailed(
                f"Tanggal perpanjangan {text[:40]!r} tidak terbaca; tulis seperti 05-01-2027",
                field="subscription_expires_at",
            ) from None
    if moment is not None:
        if moment.tzinfo is None:
            raise ValidationFailed("Tanggal perpanjangan perlu zona waktu", field="subscription_expires_at")
        day_seen, result = moment.date(), moment.astimezone(UTC)
    else:
        assert day is not None
        day_seen, result = day, datetime.combine(day, time(0, 0), tzinfo=WIB).astimezone(UTC)
    if not 2000 <= day_seen.year <= 2100:
        raise ValidationFailed("Tanggal perpanjangan di luar jangkauan", field="subscription_expires_at")
    return result
