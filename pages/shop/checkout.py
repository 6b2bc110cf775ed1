"""Checkout: contact details, a payment channel from the gateway's live list, the total, the terms.
One click places one order; field errors show beside their field in the customer's language."""

from __future__ import annotations

from dataclasses import dataclass

from nicegui import app, ui

from domain.catalog.products import free_seats, get_product
from domain.orders.orders import order_input_errors
from domain.payments.checkout import OrderForm, OrderRefused, SoldOut, channels_by_group
from domain.payments.checkout import place_order as place_customer_order
from domain.payments.gateway import GatewayError, GatewayRejected, PaymentChannel
from domain.shared.errors import NotFound
from domain.shared.i18n import format_idr
from domain.shared.i18n import t as tr
from domain.shared.models import Product, SoldOutMode
from infra import db
from infra.ratelimit import RateLimit
from pages.shop.frame import shop_frame
from pages.threads import io_bound


@dataclass(frozen=True)
class Contact:
    """The customer's contact details: as the form starts (?email=&name=&phone=) or as typed, trimmed."""

    email: str = ""
    name: str = ""
    phone: str = ""


@dataclass(frozen=True)
class CheckoutView:
    """A package on sale, its free seats, and the payment channels usable for its price, by group."""

    slug: str
    product: Product
    seats: int
    groups: dict[str, list[PaymentChannel]]

    @property
    def by_code(self) -> dict[str, PaymentChannel]:
        return {c.code: c for items in self.groups.values() for c in items}

    @property
    def sold_out(self) -> bool:
        """The package stops selling while its pool has no free seat (the owner's choice)."""
        return self.seats <= 0 and self.product.sold_out_mode == SoldOutMode.STOP


def load_product(slug: str) -> tuple[Product, int] | None:
    with db.read_session() as session:
        try:
            product = get_product(session=session, slug=slug)
        except NotFound:
            return None
        return (product, free_seats(session=session, pool=product.pool)) if product.is_active else None


def load_channels() -> list[PaymentChannel]:
    """The live channel list of the first gateway that answers."""
    for gateway in app.state.gateways.chain:
        try:
            return gateway.channels()
        except GatewayError:
            continue
    return []


def load_view(slug: str) -> CheckoutView | None:
    """The package (None when not for sale), then the gateway's channels for it."""
    found = load_product(slug)
    if found is None:
        return None
    product, seats = found
    return CheckoutView(slug, product, seats, channels_by_group(load_channels(), product.price_idr))


def place_order(slug: str, contact: Contact, lang: str, method: str, ip: str) -> tuple[str, str]:
    """Create the order and open its payment; returns (where to send the customer, order code)."""
    settings = app.state.settings
    form = OrderForm(
        product_slug=slug, email=contact.email, name=contact.name, phone=contact.phone, method=method, locale=lang
    )
    placed = place_customer_order(form=form, gateways=app.state.gateways.chain, actor="customer", ip=ip)
    return placed.pay_at.removeprefix(settings.public_url) or "/", placed.order.code


def input_errors(slug: str, contact: Contact, lang: str) -> dict[str, str]:
    """The contact fields' errors by field name (email, name, phone)."""
    with db.read_session() as session:
        return order_input_errors(
            session=session,
            product_slug=slug,
            email=contact.email,
            name=contact.name,
            phone=contact.phone,
            locale=lang,
        )


def fee_text(channel: PaymentChannel, lang: str) -> str:
    fee = channel.fee_customer_idr
    return f"{channel.name} · " + (
        tr("checkout.fee", lang, fee=format_idr(fee)) if fee else tr("checkout.no_fee", lang)
    )


def not_for_sale(lang: str) -> None:
    ui.label(tr("checkout.not_for_sale", lang)).classes("text-lg")
    ui.link(tr("nav.packages", lang), "/")


@dataclass(frozen=True)
class ContactFields:
    email: ui.input
    name: ui.input
    phone: ui.input

    @classmethod
    def draw(cls, prefill: Contact, lang: str) -> ContactFields:
        return cls(
            email=ui.input(tr("checkout.email", lang), value=prefill.email)
            .props("outlined type=email autocomplete=email")
            .classes("w-full")
            .mark("email"),
            name=ui.input(tr("checkout.name", lang), value=prefill.name)
            .props("outlined autocomplete=name")
            .classes("w-full")
            .mark("name"),
            phone=ui.input(tr("checkout.phone", lang), value=prefill.phone, placeholder=tr("checkout.phone_hint", lang))
            .props("outlined type=tel autocomplete=tel")
            .classes("w-full")
            .mark("phone"),
        )

    def typed(self) -> Contact:
        def text(element: ui.input) -> str:
            return (element.value or "").strip()

        return Contact(email=text(self.email), name=text(self.name), phone=text(self.phone))

    def show_errors(self, errors: dict[str, str], lang: str) -> None:
        for field, element in (("email", self.email), ("name", self.name), ("phone", self.phone)):
            element.error = tr(f"error.{field}", lang) if field in errors else None


class CheckoutForm:
    """One customer's form: the contact fields, one channel chosen across the groups' radios, the terms, the
    summary with the chosen channel's fee, and the button that places one order however often it is clicked."""

    def __init__(self, view: CheckoutView, prefill: Contact, lang: str, limit: RateLimit) -> None:
        self.view, self.lang, self.limit = view, lang, limit
        self.method: str | None = None  # the chosen channel's code
        self.busy = False  # an order is being placed
        self.done: str | None = None  # where the placed order sent the customer
        self.radios: list[ui.radio] = []  # one per channel group
        with ui.row().classes("w-full gap-6 items-start"):
            with ui.column().classes("flex-1 min-w-[280px] gap-2"):
                self.fields = ContactFields.draw(prefill, lang)
                self.method_error = self.channel_picker()
                self.terms = ui.checkbox(tr("checkout.terms", lang)).mark("terms")
                with ui.row().classes("gap-4"):
                    ui.link(tr("nav.terms", lang), "/terms", new_tab=True).classes("text-sm")
                    ui.link(tr("nav.privacy", lang), "/privacy", new_tab=True).classes("text-sm")
                self.terms_error = ui.label(tr("error.terms", lang)).classes("text-negative text-sm")
                self.terms_error.set_visibility(False)
            with ui.card().classes("w-full sm:w-80").props("flat bordered"):
                self.summary()
                self.submit = ui.button(tr("checkout.submit", lang)).classes("w-full").mark("submit")
                self.notice = ui.label("").classes("text-negative text-sm")
        self.submit.on_click(self.place)

    def channel_picker(self) -> ui.label:
        """A radio group per channel group (one choice across them all); returns the "choose one" error label."""
        lang = self.lang
        ui.label(tr("checkout.method", lang)).classes("text-lg font-semibold mt-2")
        method_error = ui.label("").classes("text-negative text-sm")
        method_error.set_visibility(False)
        if not self.view.groups:
            ui.label(tr("checkout.unavailable", lang)).classes("text-negative")
        for group, items in self.view.groups.items():
            ui.label(group).classes("text-sm text-slate-500 mt-1")
            radio = ui.radio({c.code: fee_text(c, lang) for c in items}).props("dense").classes("w-full")
            radio.mark(f"group-{group}").on_value_change(lambda e, r=radio: self.choose(e.value, r))
            self.radios.append(radio)
        return method_error

    def choose(self, code: str | None, source: ui.radio) -> None:
        if code is None:
            return
        self.method = code
        for other in self.radios:
            if other is not source:
                other.set_value(None)
        self.method_error.set_visibility(False)
        self.summary.refresh()

    @ui.refreshable_method
    def summary(self) -> None:
        lang, product = self.lang, self.view.product
        fee = self.view.by_code[self.method].fee_customer_idr if self.method else 0
        ui.label(tr("checkout.summary", lang)).classes("text-lg font-semibold")
        with ui.row().classes("w-full justify-between"):
            ui.label(product.name)
            ui.label(format_idr(product.price_idr))
        if fee:
            with ui.row().classes("w-full justify-between text-slate-600"):
                ui.label(tr("checkout.fee", lang, fee=""))
                ui.label(format_idr(fee))
        with ui.row().classes("w-full justify-between font-bold text-lg"):
            ui.label(tr("checkout.total", lang))
            ui.label(format_idr(product.price_idr + fee)).mark("total")

    async def place(self) -> None:
        if self.done:  # a second click after success goes where the first went
            ui.navigate.to(self.done)
            return
        if self.busy:
            return
        self.busy = True
        self.submit.disable()
        self.submit.text = tr("checkout.placing", self.lang)
        try:
            await self.attempt()
        finally:
            self.busy = False
            if not self.done:
                self.submit.enable()
                self.submit.text = tr("checkout.submit", self.lang)

    async def attempt(self) -> None:
        lang, contact = self.lang, self.fields.typed()
        errors = await io_bound(input_errors, self.view.slug, contact, lang)
        self.fields.show_errors(errors, lang)
        self.method_error.text = tr("error.method", lang)
        self.method_error.set_visibility(not self.method)
        self.terms_error.set_visibility(not self.terms.value)
        if errors or not self.method or not self.terms.value:
            return
        client = ui.context.client
        ip = client.request.client.host if client.request and client.request.client else "?"
        if not self.limit.allow(ip):
            self.notice.text = tr("error.rate", lang)
            return
        try:
            target, _code = await io_bound(place_order, self.view.slug, contact, lang, self.method, ip)
        except SoldOut:
            self.notice.text = tr("checkout.sold_out", lang)
            return
        except (GatewayError, GatewayRejected, OrderRefused):  # OrderRefused: sold out or changed since
            self.notice.text = tr("checkout.unavailable", lang)
            return
        self.done = target
        ui.navigate.to(target)


def checkout_ui(view: CheckoutView | None, prefill: Contact, lang: str, limit: RateLimit) -> None:
    with shop_frame(lang):
        if view is None:
            not_for_sale(lang)
            return
        ui.label(tr("checkout.title", lang, name=view.product.name)).classes("text-2xl font-bold")
        if view.sold_out:
            ui.label(tr("checkout.sold_out", lang)).classes("text-lg text-amber-700").mark("sold-out")
            ui.link(tr("nav.packages", lang), "/")
            return
        if view.seats <= 0:
            ui.label(tr("checkout.restocking", lang)).classes("text-amber-700")
        CheckoutForm(view, prefill, lang, limit)
