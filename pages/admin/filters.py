"""Filters read from a page's address (a link, a bookmark, a typed URL): one the domain cannot use is dropped and
the page says so above its table, instead of failing with a 500."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from nicegui import ui

from domain.admin.listing import MAX_ROW_ID, filter_choice, filter_id
from domain.shared.errors import ValidationFailed
from pages.admin.lang import say

SHOWN = 40  # characters of an ignored value repeated in its note


@dataclass
class AddressFilters:
    notes: list[str] = field(default_factory=list)

    def _ignored(self, name: str, value: str, why: str) -> None:
        shown = value if len(value) <= SHOWN else value[:SHOWN] + "…"
        self.notes.append(say(f"Filter {name}={shown!r} diabaikan: {why}.", f"Filter {name}={shown!r} ignored: {why}."))

    def choice(self, name: str, value: str, choices: Iterable[str]) -> str:
        """`value` when it is one of `choices`, else "" (every row) and a note."""
        try:
            return filter_choice(value, choices, name)
        except ValidationFailed:
            self._ignored(name, value, say("nilainya tidak dikenal", "unknown value"))
            return ""

    def row_id(self, name: str, value: str) -> int | None:
        """The id `value` names, else None (every row) and a note."""
        try:
            return filter_id(value, name)
        except ValidationFailed:
            self._ignored(
                name,
                value,
                say(
                    f"bukan ID yang valid (bilangan bulat 1–{MAX_ROW_ID})",
                    f"not a valid ID (a whole number 1–{MAX_ROW_ID})",
                ),
            )
            return None

    def show(self) -> None:
        for note in self.notes:
            ui.label(note).classes("text-sm text-orange-900 bg-orange-50 rounded px-2 py-1").mark("filter-ignored")
