"""The order page behind every e-mail link: live payment status, how to pay, then the access itself."""

from __future__ import annotations

from datetime import datetime
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


def countdown(deadline: datetime) -> str:
    seconds = max(0, int((deadline - utcnow()).total_seconds()))
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def unpaid(page: OrderPage, lang: str) -> None:
    order = page.view.order
    ui.label(tr("order.waiting", lang)).classes("text-slate-600")
    with ui.row().classes("items-baseline gap-2"):
        ui.label(tr("order.amount", lang)).classes("text-slate-600")
        ui.label(format_idr(order.amount_idr)).classes("text-3xl font-bold").mark("amount")
    if order.payment_expires_at:
        deadline = order.payment_expires_at
        ui.label(tr("order.pay_before", lang, deadline=format_date(deadline, lang)))
        left = ui.label(tr("order.time_left", lang, left=countdown(deadline))).classes("font-mono").mark("countdown")
        ui.timer(1.0, lambda: left.set_text(tr("order.time_left", lang, left=countdown(deadline))))
    method = (order.payment_method or "").upper()
    if order.qr_string:
        ui.label(tr("order.scan_qr", lang)).classes("font-semibold")
        ui.image(segno.make(order.qr_string, error="m").svg_data_uri(scale=6, border=2)).classes(
            "w-64 h-64 bg-white"
        ).mark("qr")
        ui.label(tr("step.qris", lang)).classes("text-sm text-slate-700")
    elif order.pay_code:
        copy_row(tr("order.pay_code", lang), order.pay_code, lang, "pay-code")
        ui.label(tr("step.retail" if method in RETAIL else "step.va", lang)).classes("text-sm text-slate-700")
    else:
        ui.label(tr("step.redirect", lang)).classes("text-sm text-slate-700")
    if order.checkout_url:
        ui.link(tr("order.open_checkout", lang), order.checkout_url, new_tab=True).mark("checkout-link")


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
    with ui.row().classes("items-center gap-3"):
        ui.label(tr("order.title", lang, code=order.code)).classes("text-2xl font-bold")
        ui.badge(tr(f"status.{order.status}", lang)).mark("status")
    ui.label(page.view.product_name).classes("text-slate-600")
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
