"""How a seat is described to people, the same on every page and in every message."""

from __future__ import annotations

from datetime import datetime


def days_left(end_at: datetime, now: datetime) -> int:
    """Whole days until `end_at`, a started day counting as a day (never below zero)."""
    left = end_at - now
    return max(0, left.days + (1 if left.seconds else 0))


NEUTRAL_WORKSPACE = "Workspace ChatGPT"


def workspace_name(*, display_name: str) -> str:
    """The name customers see for an INVITE account's workspace: the owner's display name, else a neutral one
    (never the account's note, which is private to the admins, nor its e-mail)."""
    return (display_name or "").strip() or NEUTRAL_WORKSPACE
