"""A server-side paginated table: the database returns one page, Quasar asks for the next.

Rows are dataclasses on the Python side; the table holds them as the plain dicts Quasar shows, and a row
a button sends back (an event's args) is read into its dataclass again with `row_of`."""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields
from datetime import datetime
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar

from nicegui import events, ui

from pages.admin.frame import Refused, fetch
from pages.admin.words import action_label, column_words, say, when

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
def select_all() -> str:
    """The header's checkbox (every row of the page shown), named in the admin's language."""
    name = say("Pilih semua baris di halaman ini", "Select every row on this page")
    return (
        f'<q-th auto-width><q-checkbox v-model="props.selected" aria-label="{name}" '
        'style="min-width:44px;min-height:44px"/></q-th>'
    )


SELECT_ALL = select_all()  # (in Indonesian; a table draws `select_all()`)
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


# cards under 1024 px (a phone: one a row; a tablet, or a small laptop beside the menu: two): a table's columns
# need a laptop's width, and in less its row buttons hide off its edge. Reactive: a table turns as the phone turns.
CARDS_BELOW = "Quasar.Screen.lt.md"
ACTIONS = "actions"  # the column of a row's buttons (no label: on a card the buttons sit at its foot)
OPEN = "open"  # the column of the button that opens a row, and the event it sends


@dataclass(frozen=True)
class RowAction:
    """A row's button: its words (never only an icon), the event it sends with the row, and when it shows."""

    event: str
    label: str
    shown: str = "true"  # a condition on `props.row`, in the browser
    colour: str = ""
    outline: bool = False
    icon: str = ""  # beside the words, never instead of them

    def html(self) -> str:
        colour = f' color="{self.colour}"' if self.colour else ""
        look = "outline" if self.outline else "flat"
        icon = f' icon="{self.icon}"' if self.icon else ""
        return (
            f'<q-btn v-if="{self.shown}" {look} dense no-caps no-wrap{colour}{icon} label="{action_label(self.label)}" '
            f'class="row-action" @click.stop="$parent.$emit(\'{self.event}\', props.row)"/>'
        )


def action_buttons(actions: list[RowAction]) -> str:
    """The row's buttons side by side (wrapping on a narrow card)."""
    return '<div class="row items-center q-gutter-xs">' + "".join(a.html() for a in actions) + "</div>"


class Cards:
    """A table that shows each row as a card of labelled fields on a phone or a tablet (CARDS_BELOW, where its
    columns would scroll sideways), with the row's buttons at the card's foot; a table on a laptop's screen.

    A column drawn by a template (`cell`) is drawn by the same template on the card; any other column shows its
    field. Columns without a label are the row's buttons. Every table of the admin goes through this."""

    def __init__(self, table: ui.table) -> None:
        self.table = table
        self.cells: dict[str, str] = {}
        self.shown: dict[str, str] = {}  # when a drawn column shows on the card (a condition on `props.row`)
        table.props(f'wrap-cells :grid="{CARDS_BELOW}"')  # (a wide screen's cells wrap rather than scroll)
        self._draw()

    def cell(self, column: str, template: str, shown: str = "") -> None:
        """Draw `column` with `template` (Vue, reading `props.row`), in the table's cell and on the card (there
        only when `shown`, a condition on `props.row`, holds, if given)."""
        self.cells[column] = template
        if shown:
            self.shown[column] = shown
        self.table.add_slot(f"body-cell-{column}", f'<q-td :props="props">{template}</q-td>')
        self._draw()

    def actions(self, buttons: list[RowAction], column: str = ACTIONS) -> None:
        """The row's buttons, in `column` (a column without a label)."""
        self.cell(column, action_buttons(buttons))

    def opens(self, kind: type[D], handler: Callable[[D], object], label: str = "Detail") -> None:
        """Rows that open (a page, a dialog): a tap on the row, or on its labelled button (which a phone's card
        and a screen reader have); `handler` gets the row as `kind`."""
        if not any(c["name"] == OPEN for c in self.table.columns):
            self.table.columns = [*self.table.columns, column(OPEN, "", "id", align=None)]
        self.cell(OPEN, action_buttons([RowAction(OPEN, label, outline=True)]))
        self.table.classes("rows-open")
        self.table.on(OPEN, lambda e: handler(row_of(kind, e.args)))
        self.table.on("rowClick", lambda e: handler(row_of(kind, e.args)), js_handler="(evt, row) => emit(row)")

    def _draw(self) -> None:
        fields, buttons = [], []
        for spec in self.table.columns:
            name, label = spec["name"], spec.get("label", "")
            if not label:
                buttons.append(self.cells.get(name, ""))
                continue
            field = f"props.row['{spec['field']}']"  # (a field's name is an identifier of ours)
            value = self.cells.get(name) or f"{{{{ {field} }}}}"
            when = self.shown.get(name, "true") if name in self.cells else f"{field} !== '' && {field} != null"
            shown = f' v-if="{when}"'
            fields.append(
                f'<div class="card-field"{shown}><div class="card-label">{html.escape(label)}</div>'
                f'<div class="card-value">{value}</div></div>'
            )
        select = (
            '<q-checkbox v-if="\'selected\' in props" v-model="props.selected" dense '
            f'aria-label="{say("Pilih baris ini", "Select this row")}" class="q-mb-xs"/>'
        )
        foot = f'<q-card-actions class="q-pt-none">{"".join(buttons)}</q-card-actions>' if any(buttons) else ""
        self.table.add_slot(
            "item",
            '<div class="q-pa-xs col-12 col-sm-6"><q-card flat bordered class="row-card full-height">'
            '<q-card-section class="q-py-sm">'
            f"{select}{''.join(fields)}</q-card-section>{foot}</q-card></div>",
        )


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
        self.cards = Cards(self.table)
        self.table.on("request", self._on_request)
        if selection:
            pick, row = say("Pilih ", "Select "), say("Pilih baris", "Select row")
            label = f"'{pick}' + props.row.{row_label}" if row_label else f"'{row}'"
            self.table.add_slot("header-selection", select_all())
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

    def cell(self, column: str, template: str, shown: str = "") -> None:
        """Draw `column` with `template` in the table and on the phone's cards (see Cards.cell)."""
        self.cards.cell(column, template, shown)

    def action_slot(self, column: str, buttons: list[RowAction] | list[tuple[str, str, str]]) -> None:
        """The row's labelled buttons in `column`, each emitting its event with the row (see `on_row`); a button
        given as (event, icon, words) shows its icon and its words (it was an icon with a hover tooltip)."""
        self.cards.actions(
            [b if isinstance(b, RowAction) else RowAction(b[0], b[2], icon=b[1]) for b in buttons], column
        )

    def opens(self, kind: type[D], handler: Callable[[D], object], label: str = "Detail") -> None:
        """A tap on a row, or on its labelled button, opens it (see Cards.opens)."""
        self.cards.opens(kind, handler, label)
