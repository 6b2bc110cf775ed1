"""Phone-first admin (issue #18, item 2): on every admin page every table turns into cards on a small screen and
its cards carry every row action the table has, every row action is a button with words (not an icon whose name
is only a hover tooltip), a row that opens does so by a tap on the row and by a labelled button, and the menu is
closed on a phone. (The browser check of widths and tap targets is tests/e2e/test_admin_phone_e2e.py.)"""

from __future__ import annotations

import re

import pytest
from nicegui import ui
from nicegui.testing import User

from domain.catalog.pool import add_account
from infra import db
from pages.admin.frame import NAV
from pages.admin.table import CARDS_BELOW, Cards, RowAction, ServerTable, column
from tests.ui.test_admin import _login, _paid_order, _rows, owner  # noqa: F401  (owner: a fixture)

BUTTON = re.compile(r"<q-btn\b[^>]*>", re.S)
EMITTED = re.compile(r"\$emit\('([a-z_]+)'")


def _tables(user: User) -> list[ui.table]:
    assert user.client is not None
    return [e for e in user.client.elements.values() if isinstance(e, ui.table)]


def _template(table: ui.table, slot: str) -> str:
    return table.slots[slot].template or "" if slot in table.slots else ""


@pytest.fixture
def world(owner) -> None:  # noqa: F811  (the fixture imported above)
    """An account and a paid order (a seat on it): every admin table has a row."""
    db.in_transaction(
        lambda s: add_account(session=s, actor="test", email="acc@example.com", password="pw-123456", max_seats=3)
    )
    assert _paid_order()


@pytest.mark.parametrize("path", [path for _, path, _ in NAV])
async def test_every_admin_table_becomes_cards_with_every_row_action_labelled(user: User, world, path: str) -> None:
    await _login(user)
    await user.open(path)
    await user.should_see(marker="logout")
    for table in _tables(user):
        assert ":grid" in table.props, f"{path}: a table that stays a table on a phone"
        card = _template(table, "item")
        assert card, f"{path}: a table with no card for a phone"
        on_table = set()
        for name, slot in table.slots.items():
            template = slot.template or ""
            for button in BUTTON.findall(template):
                assert re.search(r'\s(:?label|aria-label)="', button), f"{path}: a row button without words: {button}"
            if name.startswith("body"):
                on_table |= set(EMITTED.findall(template))
        on_card = set(EMITTED.findall(card))
        assert on_table <= on_card, f"{path}: row actions missing on the phone's card: {on_table - on_card}"
        if "row-card" in card:  # the shared card (pages/admin/table.py Cards): a cell drawn its way is drawn so there
            for name, slot in table.slots.items():
                inner = (slot.template or "").removeprefix('<q-td :props="props">').removesuffix("</q-td>")
                if name.startswith("body-cell-"):
                    assert inner in card, (
                        f"{path}: {name} is not on the card: draw it with Cards.cell / ServerTable.cell"
                    )


async def test_a_table_of_cards_shows_each_field_under_its_label_and_the_buttons_at_its_foot(user: User) -> None:
    @ui.page("/cards-probe")
    def probe() -> None:
        table = ui.table(
            columns=[column("code", "Kode <b>"), column("state", "Keadaan"), column("actions", "", "id", align=None)],
            rows=[{"id": 1, "code": "AG-1", "state": "paid"}],
        ).mark("probe")
        cards = Cards(table)
        cards.cell("state", "<q-badge :label='props.row.state'/>", shown="props.row.state")
        cards.actions([RowAction("extend", "Perpanjang"), RowAction("revoke", "Cabut", "props.row.id > 1", "red-9")])

    await user.open("/cards-probe")
    table = next(iter(user.find("probe").elements))
    assert isinstance(table, ui.table)
    assert table.props[":grid"] == CARDS_BELOW
    card = _template(table, "item")
    assert "Kode &lt;b&gt;" in card and "{{ props.row['code'] }}" in card  # a field under its label (escaped)
    assert "props.row['code'] !== ''" in card  # an empty field is left off the card
    assert "<q-badge :label='props.row.state'/>" in card and 'v-if="props.row.state"' in card  # the cell's own look
    foot = card[card.index("<q-card-actions") :]
    assert 'label="Perpanjang"' in foot and 'label="Cabut"' in foot and 'v-if="props.row.id > 1"' in foot
    assert 'color="red-9"' in foot
    cell = _template(table, "body-cell-actions")
    assert cell.startswith('<q-td :props="props">') and "$emit('extend', props.row)" in cell  # the table's too


async def test_a_row_button_given_as_an_icon_and_a_tooltip_shows_its_words_too(user: User) -> None:
    @ui.page("/server-table-probe")
    def probe() -> None:
        table = ServerTable([column("code", "Kode"), column("actions", "", "id", align=None)], lambda page, n: None)
        table.table.mark("probe")
        table.action_slot("actions", [("look", "visibility", "Lihat")])  # (the form every page used before)

    await user.open("/server-table-probe")
    table = next(iter(user.find("probe").elements))
    assert isinstance(table, ui.table)
    for slot in ("body-cell-actions", "item"):
        button = BUTTON.findall(_template(table, slot))
        assert len(button) == 1 and 'label="Lihat"' in button[0] and 'icon="visibility"' in button[0], slot


async def test_an_order_opens_from_a_tap_on_its_row_and_from_its_detail_button(user: User, owner) -> None:  # noqa: F811
    _paid_order("tap@example.com")
    await _login(user)
    for event in ("rowClick", "open"):
        await user.open("/admin/orders")
        table = next(iter(user.find("orders-table").elements))
        assert isinstance(table, ui.table)
        assert "Detail" in _template(table, "body-cell-open")  # the labelled button, on the table and the card
        row = _rows(user, "orders-table")[0]
        user.find("orders-table").trigger(event, row)
        await user.should_see(f"Pesanan {row['code']}")


async def test_the_menu_is_closed_on_a_phone_and_its_button_is_named(user: User, owner) -> None:  # noqa: F811
    await _login(user)
    await user.open("/admin")
    drawer = next(e for e in user.client.elements.values() if isinstance(e, ui.left_drawer))
    assert (
        drawer.value is None and str(drawer.props["breakpoint"]) == "900"
    )  # closed under 900 px, open beside the page above
    menu = [e for e in user.client.elements.values() if isinstance(e, ui.button) and e.props.get("icon") == "menu"]
    assert [b.props.get("aria-label") for b in menu] == ["Menu"]
