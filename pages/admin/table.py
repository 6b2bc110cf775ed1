"""A server-side paginated table: the database returns one page, Quasar asks for the next."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nicegui import events, run, ui

from domain.shared.i18n import WIB

Loader = Callable[[int, int], tuple[list[dict[str, Any]], int]]


def wib(moment: Any) -> str:
    return moment.astimezone(WIB).strftime("%d-%m-%Y %H:%M") if moment else ""


class ServerTable:
    def __init__(
        self, columns: list[dict[str, Any]], load: Loader, *, per_page: int = 25, row_key: str = "id", mark: str = ""
    ) -> None:
        self.load = load
        self.table = ui.table(
            columns=columns, rows=[], row_key=row_key, pagination={"rowsPerPage": per_page, "page": 1, "rowsNumber": 0}
        ).classes("w-full")
        self.table.props("flat bordered dense wrap-cells")
        if mark:
            self.table.mark(mark)
        self.table.on("request", self._on_request)

    async def _on_request(self, event: events.GenericEventArguments) -> None:
        wanted = event.args.get("pagination", {})
        self.table.pagination.update(page=wanted.get("page", 1), rowsPerPage=wanted.get("rowsPerPage", 25))
        await self.refresh()

    async def refresh(self, first_page: bool = False) -> None:
        pagination = self.table.pagination
        if first_page:
            pagination["page"] = 1
        per_page = pagination.get("rowsPerPage") or 25
        rows, total = await run.io_bound(self.load, pagination.get("page", 1), per_page)
        pagination["rowsNumber"] = total
        self.table.rows = rows
        self.table.update()

    def action_slot(self, column: str, buttons: list[tuple[str, str, str]]) -> None:
        """Buttons in `column`; each (event, icon, tooltip) emits `event` with the row."""
        html = "".join(
            f'<q-btn flat dense round size="sm" icon="{icon}" @click="$parent.$emit(\'{name}\', props.row)">'
            f"<q-tooltip>{tip}</q-tooltip></q-btn>"
            for name, icon, tip in buttons
        )
        self.table.add_slot(f"body-cell-{column}", f'<q-td :props="props">{html}</q-td>')
