"""The order page of a paid order waiting for a seat (the package's "queue" mode): its place in line, and a way
out, "Minta refund" (the owner is alerted and refunds; domain/orders/waiting.py)."""

from __future__ import annotations

import logging

from nicegui import ui

from domain.orders.customer_view import OrderPage
from domain.orders.waiting import request_refund
from domain.shared.errors import DomainError
from domain.shared.i18n import format_date
from domain.shared.i18n import t as tr
from domain.shared.models import Order
from infra import db
from pages.shop.promo import BUTTON
from pages.threads import io_bound

log = logging.getLogger("aksesgpt.shop")


def ask_refund(code: str, token: str, ip: str) -> Order:
    return db.in_transaction(lambda s: request_refund(session=s, code=code, token=token, ip=ip))


def requested_line(order: Order, lang: str) -> str:
    assert order.refund_requested_at is not None
    return tr("queue.refund_requested", lang, date=format_date(order.refund_requested_at, lang))


def waiting_ui(page: OrderPage, lang: str, token: str) -> None:
    """The waiting message with the order's place in line and the refund request, or the request already made."""
    order = page.view.order
    ui.label(tr("order.pending_stock", lang)).classes("w-full")
    if page.queue_position is not None:  # read with the page, drawn again as the line moves (the change feed)
        ui.label(tr("queue.position", lang, position=page.queue_position)).classes("w-full font-semibold").mark(
            "queue-position"
        )
    answer = ui.label(requested_line(order, lang) if order.refund_requested_at else "")
    answer.classes("text-sm text-green-900 bg-green-50 rounded p-2 w-full").mark("refund-answer")
    answer.set_visibility(order.refund_requested_at is not None)
    if order.refund_requested_at is not None:
        return

    async def ask() -> None:
        dialog.close()
        client = ui.context.client
        ip = client.request.client.host if client.request and client.request.client else "?"
        try:
            asked = await io_bound(ask_refund, order.code, token, ip)
        except DomainError as exc:  # served or refunded meanwhile: the page follows the order and redraws
            log.warning("refund request order=%s refused: %s", order.code, exc.message)
            return
        if answer.is_deleted:  # redrawn meanwhile: the new drawing shows the request
            return
        answer.text = requested_line(asked, lang)
        answer.set_visibility(True)
        button.set_visibility(False)

    with ui.dialog() as dialog, ui.card().classes("max-w-sm"):
        ui.label(tr("queue.refund_confirm", lang))
        with ui.row().classes("w-full justify-end gap-2"):
            ui.button(tr("queue.cancel", lang), on_click=dialog.close).props("flat no-caps").classes("min-h-[44px]")
            ui.button(tr("queue.refund_button", lang), on_click=ask).props("unelevated no-caps").classes(
                f"min-h-[44px] {BUTTON}"
            ).mark("refund-confirm")

    button = (
        ui.button(tr("queue.refund_button", lang), on_click=dialog.open)
        .props("outline no-caps")
        .classes("!text-blue-700")
        .classes("min-h-[44px]")
        .mark("refund-request")
    )
