"""A server-side paginated table: the database returns one page, Quasar asks for the next.

Rows are dataclasses on the Python side; the table holds them as the plain dicts Quasar shows, and a row
a button sends back (an event's args) is read into its dataclass again with `row_of`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, fields
from datetime import datetime
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar

from nicegui import events, ui

from pages.admin.frame import Refused, fetch
from pages.admin.words import column_words, when

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

R = TypeVar("R")
D = TypeVar("D", bound="DataclassInstance")


@dataclass(frozen=True)
class Listing(Generic[R]):
    """One page of a table's rows and how many rows the filters match in all."""

    rows: list[R]
    total: int


Loader = Callable[[int, int], Listing[Any]]
# the selection checkboxes at a finger's size (a dense table's are 24 px), each with words for a screen reader
SELECT_ALL = (
    '<q-th auto-width><q-checkbox v-model="props.selected" aria-label="Pilih semua baris di halaman ini" '
    'style="min-width:44px;min-height:44px"/></q-th>'
)
SELECT_ROW = (
    '<q-td auto-width><q-checkbox v-model="props.selected" :aria-label="LABEL" '
    'style="min-width:44px;min-height:44px"/></q-td>'
)


def wib(moment: datetime | None) -> str:
    """The admin's one date format, '02 Des 2026 14.05 WIB' ('' for None)."""
    return when(moment)


def stored_id(value: int | None) -> int:
    """The id of a row read from the database (only a row not written yet has none)."""
    if value is None:
        raise ValueError("a row read from the database has an id")
    return value


def table_rows(rows: list[Any]) -> list[dict[str, Any]]:
    """Dataclass rows as the dicts a ui.table holds."""
    return [asdict(row) for row in rows]


def row_of(kind: type[D], args: Any) -> D:
    """The row a table event sent (its dict from the browser) as its dataclass; unknown keys are dropped."""
    values = args if isinstance(args, dict) else {}
    return kind(**{f.name: values.get(f.name) for f in fields(kind)})


def column(name: str, label: str, field: str | None = None, *, right: bool = False, align: str | None = "left") -> dict:
    """A Quasar table column: `name` shows `field` (the same by default) under `label`, aligned left or right."""
    spec: dict = {"name": name, "label": label, "field": field or name}
    if align is not None:
        spec["align"] = "right" if right else align
    return spec


class ServerTable:
    def __init__(
        self,
        columns: list[dict[str, Any]],
        load: Loader,
        *,
        first: Listing[Any] | None = None,
        per_page: int = 25,
        row_key: str = "id",
        mark: str = "",
        selection: Literal["multiple"] | None = None,
        row_label: str = "",
    ) -> None:
        """`first`: the first page, read by the page's route, so the table shows its rows in the page's HTML.
        `selection="multiple"`: a checkbox on each row (and one for the page's rows); the selection outlives the
        page shown, and `row_label` names the row field each row's checkbox is labelled with for screen readers."""
        self.load = load
        self.row_key = row_key
        self.table = ui.table(
            columns=column_words(columns),
            rows=table_rows(first.rows) if first else [],
            row_key=row_key,
            pagination={"rowsPerPage": per_page, "page": 1, "rowsNumber": first.total if first else 0},
            selection=selection,
        ).classes("w-full")
        self.table.props("flat bordered dense wrap-cells")
        if mark:
            self.table.mark(mark)
        self.table.on("request", self._on_request)
        if selection:
            label = f"'Pilih ' + props.row.{row_label}" if row_label else "'Pilih baris'"
            self.table.add_slot("header-selection", SELECT_ALL)
            self.table.add_slot("body-selection", SELECT_ROW.replace("LABEL", label))

    def selected_keys(self) -> list[Any]:
        """The keys of the rows selected, on any page, in the order they were selected."""
        return [row.get(self.row_key) for row in self.table.selected]

    def clear_selection(self) -> None:
        self.table.selected = []
        self.table.update()

    async def _on_request(self, event: events.GenericEventArguments) -> None:
        wanted = event.args.get("pagination", {})
        self.table.pagination.update(page=wanted.get("page", 1), rowsPerPage=wanted.get("rowsPerPage", 25))
        await self.refresh()

    async def refresh(self, first_page: bool = False) -> None:
        """Read the page shown again (a live refresh, a filter, the next page), for a still-valid session only."""
        pagination = self.table.pagination
        if first_page:
            pagination["page"] = 1
        per_page = pagination.get("rowsPerPage") or 25
        listing = await fetch(self.load, pagination.get("page", 1), per_page)
        if isinstance(listing, Refused):
            return
        pagination["rowsNumber"] = listing.total
        self.table.rows = table_rows(listing.rows)
        self.table.update()

    def on_row(self, event: str, kind: type[D], handler: Callable[[D], object]) -> None:
        """Call `handler` with the row (as `kind`) whose button or click emitted `event`."""
        self.table.on(event, lambda e: handler(row_of(kind, e.args)))

    def action_slot(self, column: str, buttons: list[tuple[str, str, str]]) -> None:
        """Buttons in `column`; each (event, icon, tooltip) emits `event` with the row."""
        html = "".join(
            f'<q-btn flat dense round size="sm" icon="{icon}" @click="$parent.$emit(\'{name}\', props.row)">'
            f"<q-tooltip>{tip}</q-tooltip></q-btn>"
            for name, icon, tip in buttons
        )
        self.table.add_slot(f"body-cell-{column}", f'<q-td :props="props">{html}</q-td>')
