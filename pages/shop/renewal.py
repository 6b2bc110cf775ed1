"""The order page's "Perpanjang" section: the packages of the seat's pool with the end date each would give, a
payment method, and one button that places the renewal and sends the customer to pay it. A renewal order's own
page links back to the order whose seat it extends. Read after the page is drawn (it asks the gateway for its
channels), so an ordinary view of the order page costs nothing more."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from nicegui import app, background_tasks, ui

from domain.orders.orders import view_order
from domain.orders.renewals import Renewable, RenewalRefused, renewal_of, renewed_from, seated_renewal
from domain.payments.checkout import OrderRefused, channels_by_group
from domain.payments.gateway import GatewayError, GatewayRejected, PaymentChannel
from domain.payments.renewals import place_renewal
from domain.shared.errors import NotFound
from domain.shared.i18n import format_date, format_idr
from domain.shared.i18n import t as tr
from domain.shared.links import access_token
from domain.shared.models import AccountAssignment, AssignmentStatus, Order, OrderStatus
from infra import db
from infra.types import utcnow
from pages.shop.checkout import fee_text, load_channels
from pages.threads import io_bound

log = logging.getLogger("aksesgpt.shop")
ANCHOR = "perpanjang"  # the reminder e-mails' one-tap link: /order/<code>?t=…&renew=1#perpanjang
TALL_OPTIONS = "renew-options"  # each package row at least 44 px tall


@dataclass(frozen=True)
class RenewalOffer:
    """What the section shows: the seat and its packages, and the gateway's channels by group (empty: none)."""

    renewable: Renewable
    groups: dict[str, list[PaymentChannel]]


@dataclass(frozen=True)
class RenewedFromLink:
    """A renewal order's page: the order whose seat it renewed, its link, and that seat's end now."""

    code: str
    link: str
    seat_end: datetime | None
    own_seat: bool  # the renewal got a seat of its own (the old one could not be kept)


def load_offer(code: str, token: str) -> RenewalOffer | None:
    """The renewal offer of the order behind the link, or None when its seat cannot be renewed."""
    with db.read_session() as session:
        try:
            renewable = renewal_of(session=session, code=code, token=token)
        except (NotFound, RenewalRefused):
            return None
    if not renewable.packages:
        return None
    cheapest = min(p.price_idr for p in renewable.packages)
    same = [p.price_idr for p in renewable.packages if p.id == renewable.holder.product_id]
    # fees for the package shown chosen (the seat's own); the channels kept are those the cheapest package can use
    return RenewalOffer(renewable, dict(channels_by_group(load_channels(same[0] if same else cheapest), cheapest)))


def load_renewed_from(code: str, token: str) -> RenewedFromLink | None:
    """For a renewal order: the order it renewed (None for any other order, or a wrong link)."""
    with db.read_session() as session:
        try:
            order = view_order(session=session, code=code, token=token).order
        except NotFound:
            return None
        found = renewed_from(session=session, order=order)
        if found is None:
            return None
        first = found.first.code  # (read while the session is open: its objects expire when it ends)
    return RenewedFromLink(
        code=first, link=f"/order/{first}?t={access_token(first)}", seat_end=found.seat_end, own_seat=found.own_seat
    )


def load_renewed_to(code: str, token: str) -> tuple[str, str] | None:
    """For an order whose seat ended: the latest paid renewal of it seated on another account (its code and
    link), so the first order's page sends the customer to where they are seated now; else None."""
    with db.read_session() as session:
        try:
            first = view_order(session=session, code=code, token=token).order
        except NotFound:
            return None
        renewal = seated_renewal(session=session, order=first)
        if renewal is None:
            return None
        return renewal.code, f"/order/{renewal.code}?t={access_token(renewal.code)}"


def place(code: str, token: str, slug: str, method: str, ip: str | None) -> str:
    """Place the renewal; returns where to send the customer (the gateway's page or the renewal's order page)."""
    placed = place_renewal(
        code=code,
        token=token,
        product_slug=slug,
        method=method,
        gateways=app.state.gateways.chain,
        actor="customer",
        ip=ip,
    )
    return placed.pay_at.removeprefix(app.state.settings.public_url) or "/"


class RenewalForm:
    """The packages (radio), the method (select), the total and the pay button; one click places one renewal."""

    def __init__(self, offer: RenewalOffer, code: str, token: str, lang: str) -> None:
        self.offer, self.code, self.token, self.lang = offer, code, token, lang
        self.busy = False
        renewable, now = offer.renewable, utcnow()
        ui.add_css(f".{TALL_OPTIONS} .q-radio {{ min-height: 44px; }}")
        ui.label(tr("renew.package", lang)).classes("font-semibold")
        options = {
            p.slug: tr(
                "renew.option",
                lang,
                name=p.name,
                price=format_idr(p.price_idr),
                days=p.duration_days,
                date=format_date(renewable.new_end(p, now), lang, with_time=False),
            )
            for p in renewable.packages
        }
        # the package the seat was bought with comes first to hand; else the first of the pool
        same = [p for p in renewable.packages if p.id == renewable.holder.product_id]
        chosen = (same or renewable.packages)[0]
        self.prices = {p.slug: p.price_idr for p in renewable.packages}
        self.package = ui.radio(options, value=chosen.slug).classes(f"w-full {TALL_OPTIONS}").mark("renew-package")
        self.package.on_value_change(lambda e: background_tasks.create(self.fees_for(e.value), name="renewal fees"))
        methods = {c.code: fee_text(c, chosen.price_idr, lang) for items in offer.groups.values() for c in items}
        if not methods:
            ui.label(tr("checkout.unavailable", lang)).classes("text-negative")
        self.method = (
            ui.select(methods, label=tr("checkout.method", lang), value=None)
            .classes("w-full")
            .props("outlined")
            .mark("renew-method")
        )
        self.error = ui.label("").classes("text-negative text-sm").mark("renew-error")
        self.error.set_visibility(False)
        self.method.on_value_change(self.hide_error)
        self.submit = (
            ui.button(tr("renew.submit", lang), icon="autorenew", on_click=self.pay)
            .classes("w-full")
            .style("min-height: 44px")
            .props("no-caps color=blue-9")  # (#1565c0: white on it reads at 5.7:1; the default blue at 3.1:1)
            .mark("renew-submit")
        )

    def hide_error(self) -> None:
        self.error.set_visibility(False)

    async def fees_for(self, slug: str | None) -> None:
        """Another package chosen: each method's fee and total for its price (a percentage fee grows with it)."""
        price = self.prices.get(slug or "")
        if price is None:
            return
        channels = await io_bound(load_channels, price)
        if self.method.is_deleted or self.package.value != slug:
            return  # redrawn, or another package chosen meanwhile
        known = {c.code: c for items in self.offer.groups.values() for c in items}
        fresh = {c.code: c for c in channels}
        methods = {code: fee_text(fresh.get(code, c), price, self.lang) for code, c in known.items()}
        self.method.set_options(methods, value=self.method.value)

    def refuse(self, text: str) -> None:
        if self.error.is_deleted:  # a live redraw replaced the form while the server answered
            return
        self.error.text = text
        self.error.set_visibility(True)
        self.error.run_method("scrollIntoView", {"block": "center"})

    async def pay(self) -> None:
        if self.busy:
            return
        lang, slug, method = self.lang, self.package.value, self.method.value
        if not slug:
            return self.refuse(tr("renew.choose_package", lang))
        if not method:
            return self.refuse(tr("error.method", lang))
        self.busy = True
        self.submit.disable()
        self.error.set_visibility(False)
        client = ui.context.client
        request = client.request
        ip = request.client.host if request is not None and request.client else None
        try:
            target = await io_bound(place, self.code, self.token, slug, method, ip)
        except RenewalRefused as exc:
            self.refuse(tr(f"renew.refused.{exc.context.get('reason', 'other')}", lang))
        except (OrderRefused, GatewayRejected):
            self.refuse(tr("error.method", lang))
        except (GatewayError, NotFound):
            self.refuse(tr("renew.error", lang))
        except Exception:  # the database did not answer: nothing was placed, the customer may try again
            log.exception("renewal failed order=%s", self.code)
            self.refuse(tr("renew.error", lang))
        else:
            with client:  # placed: go and pay, even when a live redraw replaced this form meanwhile
                ui.navigate.to(target)
            return
        if self.submit.is_deleted:
            return
        self.busy = False
        self.submit.enable()


def renewal_section(code: str, token: str, lang: str, *, seat: AccountAssignment, open_now: bool = False) -> None:
    """The "Perpanjang" section under an active seat or one that ended (it stays empty when the seat cannot be
    renewed: past the grace period, revoked). Filled once the page is shown; `open_now`: the reminder's link."""
    box = ui.column().classes("w-full gap-2").props(f"id={ANCHOR}").mark("renew")
    ended = seat.status != AssignmentStatus.ACTIVE

    async def fill() -> None:
        offer = await io_bound(load_offer, code, token) if token else None
        if box.is_deleted:  # the page was redrawn while the server answered
            return
        box.clear()
        with box:
            if offer is None:
                if ended:
                    ui.link(tr("order.renew", lang), "/").mark("renew-new")
                return
            ui.separator()
            ui.label(tr("renew.title", lang)).classes("text-lg font-bold")
            ui.label(tr("renew.help", lang)).classes("text-sm text-slate-700")
            until = offer.renewable.renew_until
            if until is not None:
                ui.label(tr("renew.until", lang, date=format_date(until, lang))).classes(
                    "text-sm text-amber-900 bg-amber-50 rounded p-2 w-full"
                ).mark("renew-until")
            holder = ui.column().classes("w-full gap-2")

            def open_form() -> None:
                holder.clear()
                with holder:
                    RenewalForm(offer, code, token, lang)
                box.run_method("scrollIntoView", {"block": "start"})

            if open_now:
                open_form()
            else:
                with holder:
                    ui.button(tr("renew.open", lang), icon="autorenew", on_click=open_form).props(
                        "outline no-caps color=blue-9"
                    ).style("min-height: 44px").mark("renew-open")

    ui.timer(0, fill, once=True)


def renewed_from_section(code: str, token: str, lang: str, order: Order) -> None:
    """On a paid renewal's page: the seat it extended (with its end now) and the way back to that order's page."""
    box = ui.column().classes("w-full gap-2").mark("renewed-from")

    async def fill() -> None:
        info = await io_bound(load_renewed_from, code, token)
        if box.is_deleted:  # the page was redrawn while the server answered
            return
        box.clear()
        if info is None:
            return
        with box:
            if order.status == OrderStatus.FULFILLED and not info.own_seat and info.seat_end is not None:
                ui.label(tr("mail.renewed.body", lang, date=format_date(info.seat_end, lang))).classes(
                    "text-green-700 font-semibold"
                ).mark("renewed")
            elif info.own_seat:
                ui.label(tr("renew.elsewhere", lang)).classes(
                    "text-sm text-amber-900 bg-amber-50 rounded p-2 w-full"
                ).mark("renewed-elsewhere")
            ui.link(tr("renew.back", lang, code=info.code), info.link).classes("text-blue-700 underline").mark(
                "renew-back"
            )

    ui.timer(0, fill, once=True)


def renewed_to_section(code: str, token: str, lang: str) -> None:
    """On an order whose seat ended: when a renewal of it was seated on another account, say so and link there
    (the renewal's page holds the new login; this page keeps the ended seat)."""
    box = ui.column().classes("w-full gap-2").mark("renewed-to")

    async def fill() -> None:
        found = await io_bound(load_renewed_to, code, token)
        if box.is_deleted:  # the page was redrawn while the server answered
            return
        box.clear()
        if found is None:
            return
        renewal_code, link = found
        with box:
            ui.label(tr("renew.moved_to", lang, code=renewal_code)).classes(
                "text-sm text-amber-900 bg-amber-50 rounded p-2 w-full"
            ).mark("renewed-to-note")
            ui.link(tr("renew.open_new", lang, code=renewal_code), link).classes(
                "text-blue-700 underline min-h-[44px] inline-flex items-center"
            ).mark("renewed-to-link")

    ui.timer(0, fill, once=True)
