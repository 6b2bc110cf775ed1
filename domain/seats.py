"""Seat accounting on one account: the single place that changes `seats_used` and the status it implies."""

from __future__ import annotations

from domain.errors import Conflict
from domain.models import AccountStatus, ChatGPTAccount


def sync_status(account: ChatGPTAccount) -> None:
    """ASSIGNED exactly when full, AVAILABLE otherwise; SUSPENDED and RETIRED are left alone."""
    if account.status in (AccountStatus.SUSPENDED, AccountStatus.RETIRED):
        return
    account.status = AccountStatus.ASSIGNED if account.seats_used >= account.capacity else AccountStatus.AVAILABLE


def take_seat(account: ChatGPTAccount) -> None:
    if account.status != AccountStatus.AVAILABLE or account.seats_used >= account.capacity:
        raise Conflict(f"account {account.id} has no free seat")
    account.seats_used += 1
    sync_status(account)


def free_seat(account: ChatGPTAccount) -> None:
    if account.seats_used <= 0:
        raise Conflict(f"account {account.id} has no used seat to free")
    account.seats_used -= 1
    sync_status(account)
