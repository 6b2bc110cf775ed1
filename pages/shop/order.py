"""The order page behind every e-mail link: live payment status, how to pay, then the access itself."""

from __future__ import annotations

import asyncio
import logging
import weakref
from datetime import datetime
from functools import lru_cache
from html import escape
from urllib.parse import urlencode

import segno
from nicegui import Client, app, background_tasks, ui

from domain.orders.customer_view import Access, OrderPage, invite_line, moved_line, order_page, report_status
from domain.payments.channels import channel_name, is_retail
from domain.payments.reconciliation import settle_deadline
from domain.shared.errors import NotFound
from domain.shared.i18n import format_date, format_idr
from domain.shared.i18n import t as tr
from domain.shared.models import AssignmentStatus, Delivery, InviteState, Order, OrderStatus
from domain.workspaces.support import Next, ReportOutcome, report_access_problem
from infra import db
from infra.types import utcnow
from pages.live import Follower
from pages.shop.frame import shop_frame, static_page
from pages.shop.login_help import credential_steps_html, login_codes
from pages.shop.queue import waiting_ui
from pages.shop.renewal import renewal_section, renewed_from_section, renewed_to_section
from pages.threads import io_bound

CHATGPT_URL = "https://chatgpt.com"
log = logging.getLogger("aksesgpt.shop")


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
    seat, info = page.view.assignment, page.access
    return (
        page.view.order.status,
        seat.id if seat else None,
        seat.status if seat else None,
        seat.end_at if seat else None,
        seat.invite_state if seat else None,
        # a move, a dead account, a report taken and its throttle running out
        (info.moved_at, info.unhealthy, info.reported_at, info.report_again_at, info.check) if info else None,
        # the login as shown: a new password (or workspace name) from the owner is drawn at once
        (info.login_email, info.password, info.workspace) if info else None,
        # login help: a TOTP secret stored or cleared, a code pasted by the owner (or its ten minutes over)
        (info.has_totp, info.pasted) if info else None,
        page.queue_position,  # a paid order waiting for a seat: its place in line as the line moves
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
    with ui.row().classes("w-full items-center justify-between bg-[#f1f5f9] rounded p-2 no-wrap"):
        with ui.column().classes("gap-0 min-w-0"):
            ui.label(label).classes("text-xs text-slate-700")
            ui.label(value).classes("font-mono text-lg break-all").mark(mark)

        def copy() -> None:
            ui.clipboard.write(value)
            ui.notify(tr("order.copied", lang))

        ui.button(tr("order.copy", lang), icon="content_copy", on_click=copy).props(
            "flat dense no-caps color=blue-9"  # (#1565c0: 5.4:1 on the grey row; the default blue read at 2.9:1)
        ).classes("min-h-[44px]")


@lru_cache(maxsize=64)
def qr_download(qr_string: str) -> str:
    """The QR as a PNG data URI to keep on the phone ("Simpan QR"), large enough for a banking app's "scan from
    gallery"; drawn here from the gateway's string, once per order. A link's data, not a route: nothing to
    guard behind the order's token beyond the page itself."""
    return segno.make(qr_string, error="m").png_data_uri(scale=10, border=4)


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


def ends_html(info: Access, lang: str) -> str:
    """Until when the seat runs, its days left drawn here and then counting down in the browser (frame.COUNTDOWN_JS)."""
    date = format_date(info.ends_at, lang)
    left = seconds_left(info.ends_at)
    template = escape(tr("order.ends", lang, date=date, days="{days}"))
    return (
        f'<div class="font-semibold" data-until="{left}" data-template="{template}">'
        f"{escape(tr('order.ends', lang, date=date, days=info.days_left))}</div>"
    )


def unpaid_head_html(page: OrderPage, lang: str) -> str:
    """The channel by name, the total to pay (the channel's fee included, and said), the deadline."""
    order = page.view.order
    deadline = order.payment_expires_at
    fee = order.fee_customer_idr or 0
    name = escape(channel_name(order.payment_method))
    head = (
        f'<div class="text-slate-600">{tr("order.waiting", lang)}</div>'
        f'<div class="text-lg font-semibold" data-channel>{tr("order.pay_with", lang, name=name)}</div>'
        f'<div class="flex items-baseline gap-2"><span class="text-slate-600">{tr("order.total", lang)}</span>'
        f'<span class="text-3xl font-bold" data-total>{format_idr(order.amount_idr + fee)}</span></div>'
    )
    if fee:
        head += (
            f'<div class="text-sm text-slate-600">'
            f"{tr('order.fee_included', lang, method=name, fee=format_idr(fee))}</div>"
        )
    if deadline:
        head += f"<div>{tr('order.pay_before', lang, deadline=format_date(deadline, lang))}</div>"
        head += countdown_html(deadline, lang)
    return head


def gateway_steps_html(order: Order, lang: str) -> str:
    """The gateway's own steps for the channel, kept with the order as text: numbered, each way to pay titled."""
    sections = [item for item in order.pay_instructions or [] if isinstance(item, dict) and item.get("steps")]
    if not sections:
        return ""
    parts = []
    for section in sections:
        items = "".join(f"<li>{escape(str(step))}</li>" for step in section["steps"])
        title = escape(str(section.get("title") or ""))
        parts.append(
            (f'<div class="font-medium mt-2">{title}</div>' if title else "")
            + f'<ol class="list-decimal pl-6 space-y-1 text-slate-700">{items}</ol>'
        )
    return (
        f'<div class="mt-2" data-pay-steps><div class="font-semibold">{tr("order.pay_steps", lang)}</div>'
        f"{''.join(parts)}</div>"
    )


def how_to_pay_html(page: OrderPage, lang: str) -> str:
    order = page.view.order
    steps = gateway_steps_html(order, lang)
    if order.qr_string:
        save = (
            f'<a href="{qr_download(order.qr_string)}" download="QRIS-{escape(order.code)}.png" '
            'class="inline-flex items-center gap-2 bg-blue-700 text-white no-underline rounded px-5 font-medium" '
            f'style="min-height: 44px" data-save-qr>{tr("order.save_qr", lang)}</a>'
            f'<div class="text-sm text-slate-700 mt-2" data-same-phone>{tr("order.qr_same_phone", lang)}</div>'
        )
        how = (
            f'<div class="font-semibold">{tr("order.scan_qr", lang)}</div>'
            f'<img src="{qr_image(order.qr_string)}" alt="QRIS {escape(order.code)}" class="w-64 h-64 bg-white my-2" '
            f'style="image-rendering: pixelated">{save}'
        )
        how += steps or f'<div class="text-sm text-slate-700">{tr("step.qris", lang)}</div>'
    elif order.pay_code:
        fallback = tr("step.retail" if is_retail(order.payment_method) else "step.va", lang)
        how = steps or f'<div class="text-sm text-slate-700">{fallback}</div>'
    else:
        how = f'<div class="text-sm text-slate-700">{tr("step.redirect", lang)}</div>'
    if order.checkout_url:
        how += (
            f'<a href="{escape(order.checkout_url)}" target="_blank" rel="noopener" '
            'class="inline-flex items-center min-h-[44px] text-blue-700 underline">'
            f"{tr('order.open_checkout', lang)}</a>"
        )
    return how


def unpaid(page: OrderPage, lang: str) -> None:
    """How to pay with a pay code: the code has a live copy button between the two HTML blocks."""
    order = page.view.order
    ui.html(unpaid_head_html(page, lang), sanitize=False).classes("w-full")
    label = tr("order.retail_code" if is_retail(order.payment_method) else "order.va_number", lang)
    copy_row(label, order.pay_code or "", lang, "pay-code")
    ui.html(how_to_pay_html(page, lang), sanitize=False).classes("w-full").mark("how-to-pay")


def static_card_html(page: OrderPage, lang: str) -> str | None:
    """The card as HTML when nothing in it is live (amount, countdown, QR or steps; waiting messages)."""
    order = page.view.order
    status = OrderStatus(order.status)
    if status == OrderStatus.PENDING_PAYMENT and not order.pay_code:
        return unpaid_head_html(page, lang) + how_to_pay_html(page, lang)
    if status == OrderStatus.PAYMENT_REVIEW:
        return f"<div>{tr('order.review', lang)}</div>"
    if status == OrderStatus.REFUNDED:
        return f"<div>{tr('order.refunded', lang)}</div>"
    return None


def note(text: str, mark: str) -> None:
    ui.label(text).classes("text-sm text-amber-900 bg-amber-50 rounded p-2 w-full").mark(mark)


def invite_steps_html(info: Access, lang: str) -> str:
    """How to get into the workspace: numbered steps and the way to chatgpt.com."""
    email, workspace = escape(info.login_email), escape(info.workspace)
    if info.invite_state == InviteState.JOINED:
        steps = [tr("order.step.login", lang, email=email), tr("order.step.switch", lang, workspace=workspace)]
    else:
        steps = [
            tr("order.step.mail", lang, email=email),
            tr("order.step.join", lang),
            tr("order.step.login", lang, email=email),
            tr("order.step.switch", lang, workspace=workspace),
        ]
    items = "".join(f"<li>{step}</li>" for step in steps)
    return (
        f'<div class="font-semibold">{tr("order.steps", lang)}</div>'
        f'<ol class="list-decimal pl-6 space-y-1 text-slate-700">{items}</ol>'
        f'<a href="{CHATGPT_URL}" target="_blank" rel="noopener" class="inline-flex items-center mt-3 bg-blue-700 '
        'text-white no-underline rounded px-5 font-medium" style="min-height: 44px">'
        f"{tr('order.open_chatgpt', lang)}</a>"
    )


def invitation(info: Access, lang: str) -> None:
    joined = info.invite_state == InviteState.JOINED
    ui.label(invite_line(info, lang)).classes("font-semibold" + (" text-green-700" if joined else "")).mark(
        f"invite invite-{(info.invite_state or 'TO_INVITE').lower()}"
    )
    if not joined:
        ui.label(tr("order.workspace", lang, workspace=info.workspace)).classes("text-sm text-slate-600")
    if info.invite_state not in (InviteState.INVITED, InviteState.JOINED):
        ui.label(tr("order.invite.sending_help", lang)).classes("text-sm text-slate-600")
    ui.html(invite_steps_html(info, lang), sanitize=False).classes("w-full").mark("steps")


REPORT_WORDS = {
    Next.CHECKING: "order.report.checking",
    Next.MOVED: "order.report.moved",
    Next.WAITING: "order.report.waiting",
    Next.CASE_OPENED: "order.report.case_opened",
    Next.NO_SEAT: "order.report.no_seat",
}


def report_words(outcome: ReportOutcome, lang: str) -> str:
    if outcome.next == Next.TOO_SOON:
        return tr("order.report.too_soon", lang, time=format_date(outcome.retry_at or utcnow(), lang))
    return tr(REPORT_WORDS[outcome.next], lang)


def send_report(code: str, token: str, ip: str | None) -> ReportOutcome | None:
    """The customer's "my access doesn't work", checked against the link's token like the page itself (None:
    no such order behind this link)."""
    try:
        return db.in_transaction(
            lambda s: report_access_problem(session=s, order_code=code, token=token, now=utcnow(), ip=ip)
        )
    except NotFound:
        return None


def report_section(page: OrderPage, info: Access, lang: str, token: str) -> None:
    """The report button, or what became of the last report while another is not taken yet."""
    ui.separator()
    if info.report_again_at is not None and info.reported_at is not None:
        moved_since = info.moved_at is not None and info.moved_at >= info.reported_at
        if not moved_since and not info.unhealthy:  # (those say what happens in their own notes above)
            ui.label(report_status(info, lang)).classes("text-sm").mark("report-status")
        when, again = format_date(info.reported_at, lang), format_date(info.report_again_at, lang)
        ui.label(tr("order.report.sent", lang, time=when, again=again)).classes("text-sm text-slate-600").mark(
            "report-sent"
        )
        return
    ui.label(tr("order.report.help", lang)).classes("text-sm text-slate-600")
    answer = ui.label("").classes("text-sm").mark("report-answer")
    code = page.view.order.code
    request = ui.context.client.request
    ip = request.client.host if request is not None and request.client else None

    client = ui.context.client

    async def report() -> None:
        button.disable()
        try:
            outcome = await io_bound(send_report, code, token, ip)
        except Exception:  # the database did not answer: nothing was taken, the customer may try again
            log.exception("access report failed order=%s", code)
            if not answer.is_deleted:
                answer.text = tr("order.report.error", lang)
                button.enable()
            return
        if not answer.is_deleted:  # the change feed may have redrawn the section (with the report) meanwhile
            answer.text = tr("order.not_found", lang) if outcome is None else report_words(outcome, lang)
        follower = FOLLOWERS.get(client)
        if follower is not None:  # what stands now (a report taken, or one from another tab that refused this one)
            follower.follower.trigger()

    button = (
        ui.button(tr("order.report.button", lang), icon="report_problem", on_click=report)
        .props("outline no-caps color=negative")
        .style("min-height: 44px")
        .mark("report")
    )


def access(page: OrderPage, lang: str, token: str = "", renew: bool = False) -> None:
    seat, info = page.view.assignment, page.access
    order = page.view.order
    if order.renews_order_id is not None:  # a renewal: the seat it extended, and the way back to it
        renewed_from_section(order.code, token, lang, order)
        if seat is None:
            return
    if info is None:  # paid, seat being assigned (a refresh away) or ended
        if seat is not None and seat.status != AssignmentStatus.ACTIVE:
            ended = format_date(seat.ended_at or seat.end_at, lang)
            ui.label(tr(f"order.ended.{seat.status}", lang, date=ended, reason=seat.end_reason or "")).mark("ended")
            if token:
                renewed_to_section(order.code, token, lang)
            renewal_section(order.code, token, lang, seat=seat, open_now=renew)
        else:
            ui.label(tr("order.processing", lang))
        return
    ui.label(tr("order.paid", lang)).classes("text-green-700 font-semibold")
    if info.moved_at is not None:
        note(moved_line(info, lang), "moved")
    if info.unhealthy:
        note(tr("order.unhealthy", lang), "unhealthy")
    if info.delivery == Delivery.CREDENTIALS:
        copy_row(tr("order.login_email", lang), info.login_email, lang, "login-email")
        copy_row(tr("order.password", lang), info.password or "", lang, "password")
        ui.html(credential_steps_html(info, lang), sanitize=False).classes("w-full").mark("steps")
        client = ui.context.client
        login_codes(page, info, lang, token, lambda: read_again(client))
    else:
        invitation(info, lang)
    ui.html(ends_html(info, lang), sanitize=False).mark("ends")
    if token and seat is not None:
        renewal_section(order.code, token, lang, seat=seat, open_now=renew)
    if token:
        report_section(page, info, lang, token)


CARD = "w-full bg-white border border-slate-200 rounded p-4 gap-3"


def title_html(page: OrderPage, lang: str) -> str:
    order, seat = page.view.order, page.view.assignment
    badge = tr(f"status.{order.status}", lang)
    if order.status == OrderStatus.FULFILLED and seat is not None and seat.status != AssignmentStatus.ACTIVE:
        badge = tr(f"status.seat.{seat.status}", lang)  # paid, but the seat has ended: not "Aktif"
    return (
        f'<div class="flex items-center gap-3 flex-wrap"><h1 class="text-2xl font-bold">'
        f'{tr("order.title", lang, code=order.code)}</h1><span class="bg-blue-700 text-white text-xs rounded '
        f'px-2 py-0.5">{badge}</span></div>'
        f'<div class="text-slate-600">{escape(page.view.product_name)}</div>'
    )


def draw(page: OrderPage, lang: str, token: str = "", renew: bool = False) -> None:
    """The whole page: one HTML element when nothing on it is live (amount, countdown, QR or steps; waiting
    messages), else the frame around the live parts (copy buttons, order again)."""
    order = page.view.order
    status = OrderStatus(order.status)
    static = static_card_html(page, lang)
    if static is not None and order.renews_order_id is None:
        marker = ("qr" if order.qr_string else "how-to-pay") if status == OrderStatus.PENDING_PAYMENT else None
        body = f'{title_html(page, lang)}<div class="{CARD} mt-6 flex flex-col">{static}</div>'
        static_page(lang, body).mark(f"status {marker or order.status.replace('_', '-')}")
        return
    with shop_frame(lang):
        ui.html(title_html(page, lang), sanitize=False).mark("status")
        with ui.column().classes(CARD):
            if static is not None:  # a renewal waiting for payment (or stock): the same card, and the way back
                ui.html(static, sanitize=False).classes("w-full")
                renewed_from_section(order.code, token, lang, order)
            elif status == OrderStatus.PENDING_PAYMENT:
                unpaid(page, lang)
            elif status == OrderStatus.FULFILLED:
                access(page, lang, token, renew)
            elif status == OrderStatus.PENDING_STOCK:
                waiting_ui(page, lang, token)
            else:
                ui.label(tr("order.expired" if status == OrderStatus.PAYMENT_EXPIRED else "order.failed", lang))
                # the earlier order and its link's token: the checkout reads the contact details itself
                again = f"/checkout/{page.view.product_slug}?{urlencode({'again': order.code, 't': token})}"
                ui.button(tr("order.order_again", lang), on_click=lambda: ui.navigate.to(again)).mark("order-again")


SAFETY_SECONDS = 300.0  # an open order page reads again this often even when no change named it
DEADLINE_RETRY_SECONDS = 30.0  # the gateway did not answer at the deadline: ask again (the expiry job also does)
DEADLINE_TRIES = 4


def topics_of(page: OrderPage) -> set[str]:
    """The changes an open order page follows: its order, its pool's line while it waits for a seat, and its seat
    and that seat's account once it has one (a move, a health change, the invitation's progress)."""
    order = page.view.order
    topics = {f"order:{order.id}"}
    if order.status == OrderStatus.PENDING_STOCK:  # an order ahead in the pool's line served or refunded
        topics.add(f"queue:{order.pool}")
    seat = page.view.assignment
    if seat is not None:
        topics |= {f"assignment:{seat.id}", f"account:{seat.chatgpt_account_id}"}
    return topics


def read_again(client: Client) -> None:
    """Read the order again now (a pasted code's ten minutes are over)."""
    follower = FOLLOWERS.get(client)
    if follower is not None:
        follower.follower.trigger()


FOLLOWERS: weakref.WeakKeyDictionary[Client, OrderFollower] = weakref.WeakKeyDictionary()  # each open order page's


class OrderFollower:
    """Live without reloads and without polling: the page re-reads when the change feed names its order, its
    seat or its seat's account, redraws when what it shows moved on, and asks the server to decide at the payment
    deadline."""

    def __init__(self, client: Client, code: str, token: str, lang: str, page: OrderPage) -> None:
        self.client, self.code, self.token, self.lang = client, code, token, lang
        self.seen, self.page = fingerprint(page), page
        self.follower = Follower(client, topics_of(page), self.refresh, safety=SAFETY_SECONDS)
        FOLLOWERS[client] = self
        self.deadline: asyncio.TimerHandle | None = None
        self.tries = 0
        client.on_connect(lambda: self.arm_deadline())
        client.on_delete(self.disarm_deadline)

    async def refresh(self) -> None:
        latest = await io_bound(load, self.code, self.token)
        if latest is None or self.client.is_deleted:
            return
        self.page = latest
        self.follower.follow(topics_of(latest))
        if fingerprint(latest) != self.seen:
            self.seen = fingerprint(latest)
            self.client.content.clear()
            with self.client.content:
                draw(latest, self.lang, self.token)
        self.arm_deadline()

    def arm_deadline(self, delay: float | None = None) -> None:
        """At the payment deadline (a second after), the server settles the order: paid after all, or expired."""
        order = self.page.view.order
        if self.deadline is not None or order.status != OrderStatus.PENDING_PAYMENT or not order.payment_expires_at:
            return
        if delay is None:
            if self.tries >= DEADLINE_TRIES:
                return  # (the expiry job decides from here)
            delay = seconds_left(order.payment_expires_at) + 1.0
            if self.tries:  # asked already: the answer left it unpaid ("no gateway", an ignored state) or failed
                delay = max(delay, DEADLINE_RETRY_SECONDS)
        self.deadline = asyncio.get_running_loop().call_later(delay, self._deadline_due)

    def disarm_deadline(self) -> None:
        FOLLOWERS.pop(self.client, None)
        if self.deadline is not None:
            self.deadline.cancel()
            self.deadline = None

    def _deadline_due(self) -> None:
        self.deadline = None
        if not self.client.is_deleted:
            background_tasks.create(self._settle(), name="payment deadline")

    async def _settle(self) -> None:
        order_id = self.page.view.order.id or 0
        self.tries += 1
        try:
            await io_bound(settle_deadline, gateways=app.state.gateways.by_name, order_id=order_id)
        except Exception as exc:  # the gateway or the database did not answer: never expired on a guess
            log.warning("payment deadline order=%s: %s: %s", self.code, type(exc).__name__, exc)
            if self.tries < DEADLINE_TRIES:
                self.arm_deadline(DEADLINE_RETRY_SECONDS)
            return
        self.follower.trigger()  # (the change feed brings it too; this page need not wait for it)


def order_ui(page: OrderPage | None, code: str, token: str, lang: str, renew: bool = False) -> None:
    """The order as read for the page's request, then followed while the browser stays connected (`renew`: the
    reminder's link, which opens the "Perpanjang" section)."""
    if page is None:
        not_found(lang)
        return
    draw(page, lang, token, renew)
    OrderFollower(ui.context.client, code, token, lang, page)
