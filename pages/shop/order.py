"""The order page behind every e-mail link: live payment status, how to pay, then the access itself."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from html import escape
from urllib.parse import urlencode

import segno
from nicegui import Client, ui

from domain.orders.customer_view import OrderPage, order_page
from domain.shared.errors import NotFound
from domain.shared.i18n import format_date, format_idr
from domain.shared.i18n import t as tr
from domain.shared.models import AssignmentStatus, Delivery, OrderStatus
from infra import db
from infra.types import utcnow
from pages.shop.frame import every_while_connected, shop_frame, static_page
from pages.threads import io_bound

RETAIL = ("ALFAMART", "INDOMARET")


def load(code: str, token: str) -> OrderPage | None:
    with db.read_session() as session:
        try:
            return order_page(session=session, code=code, token=token)
        except NotFound:
            return None


Fingerprint = tuple[object, ...]


def fingerprint(page: OrderPage | None) -> Fingerprint:
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
    """The same page for an unknown code, a wrong token and a missing one."""
    static_page(
        lang,
        f'<div class="text-2xl font-bold">{tr("order.not_found", lang)}</div>'
        f'<div class="my-2">{tr("order.not_found_help", lang)}</div>'
        f'<a href="/orders" class="text-blue-700 underline">{tr("nav.lookup", lang)}</a>',
    ).mark("not-found")


def copy_row(label: str, value: str, lang: str, mark: str) -> None:
    with ui.row().classes("w-full items-center justify-between bg-slate-100 rounded p-2 no-wrap"):
        with ui.column().classes("gap-0 min-w-0"):
            ui.label(label).classes("text-xs text-slate-500")
            ui.label(value).classes("font-mono text-lg break-all").mark(mark)

        def copy() -> None:
            ui.clipboard.write(value)
            ui.notify(tr("order.copied", lang))

        ui.button(tr("order.copy", lang), icon="content_copy", on_click=copy).props("flat dense no-caps")


@lru_cache(maxsize=256)
def qr_image(qr_string: str) -> str:
    """The QR code as a PNG data URI of one pixel per module, drawn here from the gateway's string (once per
    order) and scaled up crisply by the browser: about 700 bytes where an SVG was 5 KB on every page view."""
    return segno.make(qr_string, error="m").png_data_uri(scale=1, border=2)


def seconds_left(deadline: datetime) -> int:
    return max(0, int((deadline - utcnow()).total_seconds()))


def countdown_html(deadline: datetime, lang: str) -> str:
    """The time left to pay, drawn here and then ticking in the browser (frame.COUNTDOWN_JS)."""
    left = seconds_left(deadline)
    text = f"{left // 3600:02d}:{left % 3600 // 60:02d}:{left % 60:02d}"
    template = escape(tr("order.time_left", lang, left="{left}"))
    return (
        f'<div class="font-mono" data-countdown="{left}" data-template="{template}">'
        f"{tr('order.time_left', lang, left=text)}</div>"
    )


def unpaid_head_html(page: OrderPage, lang: str) -> str:
    order = page.view.order
    deadline = order.payment_expires_at
    head = (
        f'<div class="text-slate-600">{tr("order.waiting", lang)}</div>'
        f'<div class="flex items-baseline gap-2"><span class="text-slate-600">{tr("order.amount", lang)}</span>'
        f'<span class="text-3xl font-bold">{format_idr(order.amount_idr)}</span></div>'
    )
    if deadline:
        head += f"<div>{tr('order.pay_before', lang, deadline=format_date(deadline, lang))}</div>"
        head += countdown_html(deadline, lang)
    return head


def how_to_pay_html(page: OrderPage, lang: str) -> str:
    order = page.view.order
    method = (order.payment_method or "").upper()
    if order.qr_string:
        how = (
            f'<div class="font-semibold">{tr("order.scan_qr", lang)}</div>'
            f'<img src="{qr_image(order.qr_string)}" alt="QRIS" class="w-64 h-64 bg-white my-2" '
            'style="image-rendering: pixelated">'
            f'<div class="text-sm text-slate-700">{tr("step.qris", lang)}</div>'
        )
    elif order.pay_code:
        how = f'<div class="text-sm text-slate-700">{tr("step.retail" if method in RETAIL else "step.va", lang)}</div>'
    else:
        how = f'<div class="text-sm text-slate-700">{tr("step.redirect", lang)}</div>'
    if order.checkout_url:
        how += (
            f'<a href="{escape(order.checkout_url)}" target="_blank" rel="noopener" class="text-blue-700 underline">'
            f"{tr('order.open_checkout', lang)}</a>"
        )
    return how


def unpaid(page: OrderPage, lang: str) -> None:
    """How to pay with a pay code: the code has a live copy button between the two HTML blocks."""
    order = page.view.order
    ui.html(unpaid_head_html(page, lang), sanitize=False).classes("w-full")
    copy_row(tr("order.pay_code", lang), order.pay_code or "", lang, "pay-code")
    ui.html(how_to_pay_html(page, lang), sanitize=False).classes("w-full").mark("how-to-pay")


def static_card_html(page: OrderPage, lang: str) -> str | None:
    """The card as HTML when nothing in it is live (amount, countdown, QR or steps; waiting messages)."""
    order = page.view.order
    status = OrderStatus(order.status)
    if status == OrderStatus.PENDING_PAYMENT and not order.pay_code:
        return unpaid_head_html(page, lang) + how_to_pay_html(page, lang)
    if status == OrderStatus.PENDING_STOCK:
        return f"<div>{tr('order.pending_stock', lang)}</div>"
    if status == OrderStatus.PAYMENT_REVIEW:
        return f"<div>{tr('order.review', lang)}</div>"
    if status == OrderStatus.REFUNDED:
        return f"<div>{tr('order.refunded', lang)}</div>"
    return None


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


CARD = "w-full bg-white border border-slate-200 rounded p-4 gap-3"


def title_html(page: OrderPage, lang: str) -> str:
    order = page.view.order
    return (
        f'<div class="flex items-center gap-3 flex-wrap"><h1 class="text-2xl font-bold">'
        f'{tr("order.title", lang, code=order.code)}</h1><span class="bg-blue-600 text-white text-xs rounded '
        f'px-2 py-0.5">{tr(f"status.{order.status}", lang)}</span></div>'
        f'<div class="text-slate-600">{escape(page.view.product_name)}</div>'
    )


def draw(page: OrderPage, lang: str) -> None:
    """The whole page: one HTML element when nothing on it is live (amount, countdown, QR or steps; waiting
    messages), else the frame around the live parts (copy buttons, order again)."""
    order = page.view.order
    status = OrderStatus(order.status)
    static = static_card_html(page, lang)
    if static is not None:
        marker = ("qr" if order.qr_string else "how-to-pay") if status == OrderStatus.PENDING_PAYMENT else None
        body = f'{title_html(page, lang)}<div class="{CARD} mt-6 flex flex-col">{static}</div>'
        static_page(lang, body).mark(f"status {marker or order.status.replace('_', '-')}")
        return
    with shop_frame(lang):
        ui.html(title_html(page, lang), sanitize=False).mark("status")
        with ui.column().classes(CARD):
            if status == OrderStatus.PENDING_PAYMENT:
                unpaid(page, lang)
            elif status == OrderStatus.FULFILLED:
                access(page, lang)
            else:
                ui.label(tr("order.expired" if status == OrderStatus.PAYMENT_EXPIRED else "order.failed", lang))
                again = "/checkout/{}?{}".format(
                    page.view.product_slug,
                    urlencode({"email": order.email, "name": order.name, "phone": order.phone}),
                )
                ui.button(tr("order.order_again", lang), on_click=lambda: ui.navigate.to(again)).mark("order-again")


POLL_SECONDS = 1.0  # a payment shows within about a second (p95 under 2 s with 200 pages open, bench/order_pages.py)


class OrderFollower:
    """Live without reloads: reads the order and redraws the page when it moves on."""

    def __init__(self, client: Client, code: str, token: str, lang: str, seen: Fingerprint) -> None:
        self.client, self.code, self.token, self.lang, self.seen = client, code, token, lang, seen

    async def poll(self) -> None:
        latest = await io_bound(load, self.code, self.token)
        if latest is not None and fingerprint(latest) != self.seen:
            self.seen = fingerprint(latest)
            self.client.content.clear()
            with self.client.content:
                draw(latest, self.lang)


def order_ui(page: OrderPage | None, code: str, token: str, lang: str) -> None:
    """The order as read for the page's request, then followed while the browser stays connected."""
    if page is None:
        not_found(lang)
        return
    draw(page, lang)
    client = ui.context.client
    every_while_connected(client, POLL_SECONDS, OrderFollower(client, code, token, lang, fingerprint(page)).poll)
