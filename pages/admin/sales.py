"""A new sale shows on every open admin page: a notice (and a short chime for an admin who turned it on), from the
change feed's `sale` topic — read once per process, not once per tab."""

from __future__ import annotations

import contextvars
import logging
from dataclasses import dataclass

from nicegui import Client, app, background_tasks, ui
from sqlmodel import col, select

from domain.shared.i18n import format_idr
from domain.shared.models import Order
from infra import db
from infra.changes import Change
from pages.admin.frame import HEADER_EXTRAS, REFUSED, Refused, fetch, shared_read
from pages.admin.words import say
from pages.live import in_page_context
from runtime.feed import FEED

log = logging.getLogger("aksesgpt.admin")
SOUND_KEY = "sale_sound"  # app.storage.user: this admin wants the chime
# a short two-note chime made in the browser (no file to serve); a browser that has not been clicked yet may
# refuse to play it, which changes nothing else
CHIME_JS = """(() => { try {
  const a = new (window.AudioContext || window.webkitAudioContext)();
  [[880, 0], [1320, 0.15]].forEach(([f, t]) => {
    const o = a.createOscillator(), g = a.createGain();
    o.frequency.value = f; g.gain.setValueAtTime(0.15, a.currentTime + t);
    g.gain.exponentialRampToValueAtTime(0.001, a.currentTime + t + 0.3);
    o.connect(g).connect(a.destination); o.start(a.currentTime + t); o.stop(a.currentTime + t + 0.3);
  });
} catch (e) {} })()"""


@dataclass(frozen=True)
class Sale:
    code: str
    amount_idr: int
    method: str

    @property
    def words(self) -> str:
        method = f" · {self.method}" if self.method else ""
        return f"Pesanan baru dibayar: {self.code} · {format_idr(self.amount_idr)}{method}"

    def said(self) -> str:
        """The notice in the admin's language."""
        method = f" · {self.method}" if self.method else ""
        return say(self.words, f"New order paid: {self.code} · {format_idr(self.amount_idr)}{method}")


def load_sales(order_ids: list[int]) -> list[Sale]:
    with db.read_session() as session:
        orders = session.exec(select(Order).where(col(Order.id).in_(order_ids)).order_by(col(Order.id))).all()
        return [Sale(o.code, o.paid_amount_idr or o.amount_idr, o.payment_method or "") for o in orders]


class SaleNotices:
    """The open admin pages of this process, told of each sale once it is committed."""

    def __init__(self) -> None:
        self.pages: dict[Client, contextvars.Context] = {}
        self.told = 0  # notices shown (tests)
        FEED.subscribe(("sale",), self.heard, process=True)
        FEED.on_start(self.pages.clear)

    def join(self, client: Client, context: contextvars.Context) -> None:
        if client not in self.pages:
            self.pages[client] = context
            client.on_delete(lambda: self.pages.pop(client, None))

    def heard(self, change: Change) -> None:
        ids = sorted(int(t[5:]) for t in change.topics if t.startswith("sale:") and t[5:].isdigit())
        if ids and self.pages:
            background_tasks.create(self._tell(ids), name="sale notice")

    async def _tell(self, ids: list[int]) -> None:
        try:
            sales = await shared_read(lambda: load_sales(ids))
        except Exception as exc:  # the database did not answer: the orders list shows the sale anyway
            log.warning("sale notice: read failed: %s: %s", type(exc).__name__, exc)
            return
        for client, context in list(self.pages.items()):
            in_page_context(context, self._show(client, sales))

    async def _show(self, client: Client, sales: list[Sale]) -> None:
        if client.is_deleted:
            self.pages.pop(client, None)
            return
        with client:
            try:
                session = await fetch(lambda: None)  # (the session cache: no read per tab)
            except Exception:  # its browser session is gone
                session = REFUSED
            if isinstance(session, Refused):
                self.pages.pop(client, None)
                return
            for sale in sales:
                ui.notify(
                    sale.said(),
                    type="positive",
                    position="top-right",
                    timeout=8000,
                    # (white: the default blue read poorly on green)
                    actions=[{"label": say("Tutup", "Close"), "color": "white"}],
                )
                self.told += 1
            if app.storage.user.get(SOUND_KEY):
                ui.run_javascript(CHIME_JS)


SALES = SaleNotices()


def sound_switch() -> None:
    """The header's chime switch: on or off for this admin's browser, said in words for a screen reader."""

    def label() -> str:
        if app.storage.user.get(SOUND_KEY):
            return say("Bunyi pesanan baru: nyala", "New order sound: on")
        return say("Bunyi pesanan baru: mati", "New order sound: off")

    def toggle() -> None:
        app.storage.user[SOUND_KEY] = not app.storage.user.get(SOUND_KEY)
        button.props(f'icon={"volume_up" if app.storage.user[SOUND_KEY] else "volume_off"} aria-label="{label()}"')
        button.tooltip(label())
        ui.notify(label())

    on = bool(app.storage.user.get(SOUND_KEY))
    button = (
        ui.button(icon="volume_up" if on else "volume_off", on_click=toggle)
        .props(f'flat round color=white aria-label="{label()}"')
        .classes("min-w-[44px] min-h-[44px]")
        .mark("sale-sound")
    )
    button.tooltip(label())


def follow_sales() -> None:
    """This page hears of each new sale while it stays open."""
    client, context = ui.context.client, contextvars.copy_context()
    client.on_connect(lambda: SALES.join(client, context))


def header_extras() -> None:
    sound_switch()
    follow_sales()


HEADER_EXTRAS.append(header_extras)
