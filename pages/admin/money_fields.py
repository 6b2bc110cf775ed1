"""The fields a dialog uses to record money: an amount in rupiah (75000, 75.000 or Rp 75.000), how it was paid,
and a WIB date and time; each read back with a message in the admin's language when it cannot be used."""

from __future__ import annotations

from datetime import datetime

from nicegui import ui

from domain.shared.errors import ValidationFailed
from domain.shared.i18n import WIB, format_idr
from domain.shared.validation import parse_rupiah
from infra.types import utcnow
from pages.admin.lang import say

AMOUNT_ERROR = "Jumlah tidak valid: tulis angka rupiah, misalnya 75000 atau 75.000."
MOMENT_ERROR = "Tanggal atau jam tidak valid, atau masih di masa depan."
AMOUNT_ERROR_EN = "Invalid amount: write rupiah digits, e.g. 75000 or 75.000."
MOMENT_ERROR_EN = "Invalid date or time, or still in the future."


class Unusable(Exception):
    """A field the admin must correct; its message is already in the admin's language."""


class AmountField:
    def __init__(self, label: str, default: int | None, mark: str, *, allow_zero: bool = False) -> None:
        self.allow_zero = allow_zero
        self.input = (
            ui.input(label, value=format_idr(default) if default is not None else "")
            .props("inputmode=numeric outlined dense")
            .classes("w-full")
            .mark(mark)
        )

    def read(self) -> int:
        text = (self.input.value or "").strip()
        if self.allow_zero and text in ("0", "Rp 0", "Rp0"):
            return 0
        try:
            return parse_rupiah(text, "amount_idr")
        except ValidationFailed:
            raise Unusable(say(AMOUNT_ERROR, AMOUNT_ERROR_EN)) from None


METHODS_EN = {
    "Tunai": "Cash",
    "Transfer bank": "Bank transfer",
    "Lainnya": "Other",
    "Lewat gateway": "Through the gateway",
    "Lewat gateway (terlihat di dashboard gateway)": "Through the gateway (seen in its dashboard)",
}


def method_select(methods: dict[str, str], value: str, mark: str, label: str = "") -> ui.select:
    label = label or say("Metode", "Method")
    methods = {key: say(words, METHODS_EN.get(words, words)) for key, words in methods.items()}
    return ui.select(methods, value=value, label=label).props("outlined dense").classes("w-full").mark(mark)


class MomentField:
    """A WIB date and time (now by default), read as an aware UTC moment, never in the future."""

    def __init__(self, label: str, mark: str) -> None:
        now = utcnow().astimezone(WIB)
        with ui.row().classes("w-full gap-2 no-wrap"):
            self.day = ui.input(label + say(" (tanggal WIB)", " (WIB date)"), value=f"{now:%Y-%m-%d}").props(
                "type=date outlined dense"
            )
            self.day.classes("flex-1").mark(f"{mark}-date")
            self.time = ui.input(say("Jam", "Time"), value=f"{now:%H:%M}").props("type=time outlined dense")
            self.time.classes("w-28").mark(f"{mark}-time")

    def read(self) -> datetime:
        try:
            local = datetime.strptime(f"{self.day.value} {self.time.value}", "%Y-%m-%d %H:%M").replace(tzinfo=WIB)
        except ValueError:
            raise Unusable(say(MOMENT_ERROR, MOMENT_ERROR_EN)) from None
        if local > utcnow():
            raise Unusable(say(MOMENT_ERROR, MOMENT_ERROR_EN))
        return local
