"""The order page behind every e-mail link: live payment status, how to pay, then the access itself."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from html import escape
from urllib.parse import urlencode

import segno
from nicegui import run, ui

from domain import db
from domain.access import OrderPage, order_page
from domain.errors import NotFound
from domain.i18n import format_date, format_idr
from domain.i18n import t as tr
from domain.models import AssignmentStatus, Delivery, OrderStatus
from domain.types import utcnow
from pages.shop.frame import current_lang, shop_frame

RETAIL = ("ALFAMART", "INDOMARET")


def load(code: str, token: str) -> OrderPage | None:
    with db.read_session() as session:
        try:
            return order_page(session=session, code=code, token=token)
        except NotFound:
            return None


def fingerprint(page: OrderPage | None) -> tuple:
    """What, when it changes, means the page must be redrawn."""
    if page is None:
        return ()
    seat = page.view.assignment
    return (
        page.view.order.status,
        seat.id if seat else None,
        seat.status if seat else None,
        seat.end_at if seat else None,
        seat.invite_state if seat else None,
    )


def not_found(lang: str) -> None:
    ui.label(tr("order.not_found", lang)).classes("text-2xl font-bold")
    ui.label(tr("order.not_found_help", lang))
    ui.link(tr("nav.lookup", lang), "/orders")


def copy_row(label: str, value: str, lang: str, mark: str) -> None:
    with ui.row().classes("w-full items-center justify-between bg-slate-100 rounded p-2 no-wrap"):
        with ui.column().classes("gap-0 min-w-0"):
            ui.label(label).classes("text-xs text-slate-500")
            ui.label(value).classes("font-mono text-lg break-all").mark(mark)
        ui.button(
            tr("order.copy", lang),
            icon="content_copy",
            on_click=lambda: (ui.clipboard.write(value), ui.notify(tr("order.copied", lang))),
        ).props("flat dense no-caps")


@lru_cache(maxsize=256)
def qr_image(qr_string: str) -> str:
    """The QR code as an SVG data URI, drawn here from the gateway's string (once per order)."""
    return segno.make(qr_string, error="m").svg_data_uri(scale=6, border=2)


def countdown(deadline: datetime) -> str:
    seconds = max(0, int((deadline - utcnow()).total_seconds()))
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def unpaid(page: OrderPage, lang: str) -> None:
    """How to pay: amount, deadline, QR or pay code, the steps, the gateway's page. Static parts are one
    HTML block (NiceGUI's cost grows with its elements); the countdown and the copy button are live."""
    order = page.view.order
    method = (order.payment_method or "").upper()
    deadline = order.payment_expires_at
    head = (
        f'<div class="text-slate-600">{tr("order.waiting", lang)}</div>'
        f'<div class="flex items-baseline gap-2"><span class="text-slate-600">{tr("order.amount", lang)}</span>'
        f'<span class="text-3xl font-bold">{format_idr(order.amount_idr)}</span></div>'
    )
    if deadline:
        head += f"<div>{tr('order.pay_before', lang, deadline=format_date(deadline, lang))}</div>"
    ui.html(head, sanitize=False).classes("w-full")
    if deadline:
        left = ui.label(tr("order.time_left", lang, left=countdown(deadline))).classes("font-mono").mark("countdown")
        ui.timer(1.0, lambda: left.set_text(tr("order.time_left", lang, left=countdown(deadline))))
    if order.qr_string:
        how = (
            f'<div class="font-semibold">{tr("order.scan_qr", lang)}</div>'
            f'<img src="{qr_image(order.qr_string)}" alt="QRIS" class="w-64 h-64 bg-white my-2">'
            f'<div class="text-sm text-slate-700">{tr("step.qris", lang)}</div>'
        )
    elif order.pay_code:
        copy_row(tr("order.pay_code", lang), order.pay_code, lang, "pay-code")
        how = f'<div class="text-sm text-slate-700">{tr("step.retail" if method in RETAIL else "step.va", lang)}</div>'
    else:
        how = f'<div class="text-sm text-slate-700">{tr("step.redirect", lang)}</div>'
    if order.checkout_url:
        how += (
            f'<a href="{escape(order.checkout_url)}" target="_blank" rel="noopener" class="text-blue-700 underline">'
            f"{tr('order.open_checkout', lang)}</a>"
        )
    ui.html(how, sanitize=False).classes("w-full").mark("qr" if order.qr_string else "how-to-pay")


def access(page: OrderPage, lang: str) -> None:
    seat, info = page.view.assignment, page.access
    if info is None:  # paid, seat being assigned (a refresh away) or ended
        if seat is not None and seat.status != AssignmentStatus.ACTIVE:
            ended = format_date(seat.ended_at or seat.end_at, lang)
            ui.label(tr(f"order.ended.{seat.status}", lang, date=ended, reason=seat.end_reason or "")).mark("ended")
            ui.link(tr("order.renew", lang), "/")
        else:
            ui.label(tr("order.processing", lang))
        return
    ui.label(tr("order.paid", lang)).classes("text-green-700 font-semibold")
    if info.delivery == Delivery.CREDENTIALS:
        copy_row(tr("order.login_email", lang), info.login_email, lang, "login-email")
        copy_row(tr("order.password", lang), info.password or "", lang, "password")
        ui.label(tr("order.dont_change", lang)).classes("text-sm text-amber-800 bg-amber-50 rounded p-2")
    else:
        ui.label(tr("order.invite", lang, workspace=info.workspace, email=info.login_email)).mark("invite")
        ui.label(tr(f"order.invite_state.{info.invite_state}", lang)).classes("text-sm text-slate-600")
    ui.label(tr("order.ends", lang, date=format_date(info.ends_at, lang), days=info.days_left)).classes(
        "font-semibold"
    ).mark("ends")


def draw(page: OrderPage, lang: str) -> None:
    order = page.view.order
    ui.html(
        f'<div class="flex items-center gap-3 flex-wrap"><h1 class="text-2xl font-bold">'
        f'{tr("order.title", lang, code=order.code)}</h1><span class="bg-blue-600 text-white text-xs rounded '
        f'px-2 py-0.5">{tr(f"status.{order.status}", lang)}</span></div>'
        f'<div class="text-slate-600">{escape(page.view.product_name)}</div>',
        sanitize=False,
    ).mark("status")
    with ui.card().classes("w-full gap-3").props("flat bordered"):
        status = OrderStatus(order.status)
        if status == OrderStatus.PENDING_PAYMENT:
            unpaid(page, lang)
        elif status == OrderStatus.FULFILLED:
            access(page, lang)
        elif status == OrderStatus.PENDING_STOCK:
            ui.label(tr("order.pending_stock", lang)).mark("pending-stock")
        elif status == OrderStatus.PAYMENT_REVIEW:
            ui.label(tr("order.review", lang))
        elif status == OrderStatus.REFUNDED:
            ui.label(tr("order.refunded", lang))
        else:
            ui.label(tr("order.expired" if status == OrderStatus.PAYMENT_EXPIRED else "order.failed", lang))
            again = "/checkout/{}?{}".format(
                page.view.product_slug, urlencode({"email": order.email, "name": order.name, "phone": order.phone})
            )
            ui.button(tr("order.order_again", lang), on_click=lambda: ui.navigate.to(again)).mark("order-again")


def register() -> None:
    @ui.page("/order/{code}", title="Pesanan — AksesGPT")
    async def order(code: str, t: str = "", lang: str | None = None) -> None:
        lang = current_lang(lang)
        page = await run.io_bound(load, code, t)
        with shop_frame(lang):
            if page is None:
                not_found(lang)
                return
            state = {"seen": fingerprint(page), "page": page}

            @ui.refreshable
            def body() -> None:
                draw(state["page"], lang)

            body()

            async def poll() -> None:  # live without reloads: redraw when the order moves on
                latest = await run.io_bound(load, code, t)
                if latest is not None and fingerprint(latest) != state["seen"]:
                    state["seen"], state["page"] = fingerprint(latest), latest
                    body.refresh()

            ui.timer(2.0, poll)
