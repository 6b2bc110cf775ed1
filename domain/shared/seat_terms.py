"""How a seat is described to people, the same on every page and in every message."""

from __future__ import annotations

from datetime import datetime


def days_left(end_at: datetime, now: datetime) -> int:
    """Whole days until `end_at`, a started day counting as a day (never below zero)."""
    left = end_at - now
    return max(0, left.days + (1 if left.seconds else 0))


def workspace_name(*, note: str, email: str) -> str:
    """The name an INVITE account's workspace is shown under: its note (without the demo marker), else the
    domain of its e-mail address."""
    return note.removeprefix("[DEMO]").strip() or email.split("@")[-1]
