"""Checkout: contact details, a payment channel from the gateway's live list, the total, the terms.
One click places one order; field errors show beside their field in the customer's language."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from nicegui import app, background_tasks, ui

from domain.catalog.products import free_seats, get_product
from domain.orders.orders import order_input_errors, view_order
from domain.payments.checkout import OrderForm, OrderRefused, SoldOut, channels_by_group, with_customer_fees
from domain.payments.checkout import place_order as place_customer_order
from domain.payments.gateway import GatewayError, GatewayRejected, PaymentChannel
from domain.shared.errors import NotFound
from domain.shared.i18n import CATALOGUE, format_idr
from domain.shared.i18n import t as tr
from domain.shared.models import Product, SoldOutMode
from infra import db
from infra.ratelimit import RateLimit
from pages.shop.frame import TAP, shop_frame
from pages.shop.promo import PromoBox
from pages.shop.waitlist import waitlist_ui
from pages.threads import io_bound


@dataclass(frozen=True)
class Contact:
    """The customer's contact details: as the form starts (?email=&name=&phone=) or as typed, trimmed."""

    email: str = ""
    name: str = ""
    phone: str = ""
    notify_whatsapp: bool = True  # "Kirim info pesanan ke WhatsApp" (counts only with a phone)


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


def prefill_from_order(code: str, token: str) -> Contact:
    """ "Pesan lagi": the contact details of the order behind the customer's own link (code and its token), so
    they never travel in a URL; nothing when the link is not that order's."""
    if not code or not token:
        return Contact()
    with db.read_session() as session:
        try:
            order = view_order(session=session, code=code, token=token).order
        except NotFound:
            return Contact()
        return Contact(email=order.email, name=order.name, phone=order.phone)


def load_product(slug: str) -> tuple[Product, int] | None:
    with db.read_session() as session:
        try:
            product = get_product(session=session, slug=slug)
        except NotFound:
            return None
        return (product, free_seats(session=session, pool=product.pool)) if product.is_active else None


def load_channels(amount_idr: int) -> list[PaymentChannel]:
    """The live channel list of the first gateway that answers, each with what it costs the customer on top of
    `amount_idr` (that gateway's fee calculator, remembered briefly per amount)."""
    for gateway in app.state.gateways.chain:
        try:
            channels = gateway.channels()
        except GatewayError:
            continue
        return with_customer_fees(channels, gateway, amount_idr)
    return []


def load_view(slug: str) -> CheckoutView | None:
    """The package (None when not for sale), then the gateway's channels for it."""
    found = load_product(slug)
    if found is None:
        return None
    product, seats = found
    return CheckoutView(slug, product, seats, channels_by_group(load_channels(product.price_idr), product.price_idr))


def place_order(slug: str, contact: Contact, lang: str, method: str, ip: str, promo: str = "") -> tuple[str, str]:
    """Create the order and open its payment; returns (where to send the customer, order code)."""
    settings = app.state.settings
    form = OrderForm(
        product_slug=slug,
        email=contact.email,
        name=contact.name,
        phone=contact.phone,
        method=method,
        locale=lang,
        notify_whatsapp=contact.notify_whatsapp,
        promo_code=promo,
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


def fee_text(channel: PaymentChannel, price_idr: int, lang: str) -> str:
    """A channel's row: its name, its fee for the customer (or none) and the total the customer pays with it."""
    fee = channel.fee_customer_idr
    return (
        f"{channel.name} · "
        + (tr("checkout.fee", lang, fee=format_idr(fee)) if fee else tr("checkout.no_fee", lang))
        + " · "
        + tr("checkout.row_total", lang, total=format_idr(price_idr + fee))
    )


def group_name(group: str, lang: str) -> str:
    """A channel group as customers say it ("Convenience Store" → "Gerai retail"); an unknown one as named."""
    key = f"checkout.group.{group}"
    return tr(key, lang) if key in CATALOGUE else group


def not_for_sale(lang: str) -> None:
    ui.label(tr("checkout.not_for_sale", lang)).classes("text-lg")
    ui.link(tr("nav.packages", lang), "/")


@dataclass(frozen=True)
class ContactFields:
    email: ui.input
    name: ui.input
    phone: ui.input
    notify: ui.checkbox

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
            notify=ui.checkbox(tr("checkout.notify_whatsapp", lang), value=prefill.notify_whatsapp)
            .classes("min-h-[44px] -mt-2")
            .mark("notify_whatsapp"),
        )

    def typed(self) -> Contact:
        def text(element: ui.input) -> str:
            return (element.value or "").strip()

        return Contact(
            email=text(self.email),
            name=text(self.name),
            phone=text(self.phone),
            notify_whatsapp=bool(self.notify.value),
        )

    def show_errors(self, errors: dict[str, str], lang: str) -> None:
        for field, element in (("email", self.email), ("name", self.name), ("phone", self.phone)):
            element.error = tr(f"error.{field}", lang) if field in errors else None


FOCUS_JS = """(() => {
  const el = document.getElementById("ELEMENT_ID");
  if (!el) return;
  el.scrollIntoView({block: "center", behavior: "smooth"});
  const target = el.querySelector("input, [tabindex]") || el;
  target.focus({preventScroll: true});
})()"""


class CheckoutForm:
    """One customer's form: the contact fields, one channel chosen across the groups' radios, the terms, the
    summary with the chosen channel's fee, and the button that places one order however often it is clicked."""

    def __init__(self, view: CheckoutView, prefill: Contact, lang: str, limit: RateLimit) -> None:
        self.view, self.lang, self.limit = view, lang, limit
        self.method: str | None = None  # the chosen channel's code
        self.busy = False  # an order is being placed
        self.done: str | None = None  # where the placed order sent the customer
        self.radios: list[ui.radio] = []  # one per channel group
        self.promo: PromoBox | None = None  # drawn below the summary
        with ui.row().classes("w-full gap-6 items-start"):
            with ui.column().classes("flex-1 min-w-[280px] gap-2"):
                self.fields = ContactFields.draw(prefill, lang)
                self.method_error = self.channel_picker()
            # the terms sit right above the pay button (on a laptop the card is at the top, beside the form)
            with ui.card().classes("w-full sm:w-80").props("flat bordered"):
                self.summary()
                self.promo = PromoBox(view.slug, lang, lambda: self.fields.email.value or "", self.summary_changed)
                self.terms = ui.checkbox(tr("checkout.terms", lang)).classes("min-h-[44px]").mark("terms")
                with ui.row().classes("gap-4"):
                    for key, path in (("nav.terms", "/terms"), ("nav.privacy", "/privacy")):
                        ui.link(tr(key, lang), path, new_tab=True).classes(f"text-sm text-blue-700 {TAP}")
                self.terms_error = ui.label(tr("error.terms", lang)).classes("text-negative text-sm")
                self.terms_error.set_visibility(False)
                self.submit = (
                    ui.button(tr("checkout.submit", lang)).classes("w-full min-h-[44px]").props("color=primary")
                ).mark("submit")
                self.notice = ui.label("").classes("text-negative text-sm").props('role="alert"')
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
            ui.label(group_name(group, lang)).classes("text-sm text-slate-700 mt-1")
            price = self.view.product.price_idr
            radio = ui.radio({c.code: fee_text(c, price, lang) for c in items}).classes("w-full pay-methods")
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

    def summary_changed(self) -> None:
        self.summary.refresh()
        background_tasks.create(self.fees_for_the_new_amount(), name="checkout-fees")

    async def fees_for_the_new_amount(self) -> None:
        """A promo code changed what is paid: each channel's fee is asked again for that amount (a percentage fee
        shrinks with it), so the rows and the total show what the gateway will charge."""
        amount = self.view.product.price_idr - (self.promo.discount if self.promo else 0)
        fresh = {c.code: c for c in await io_bound(load_channels, amount)}
        if not fresh:
            return  # no gateway answered: the fees shown stay those of the full price
        for group, items in self.view.groups.items():
            self.view.groups[group] = [fresh.get(c.code, c) for c in items]
        for radio, items in zip(self.radios, self.view.groups.values(), strict=False):
            radio.set_options({c.code: fee_text(c, amount, self.lang) for c in items}, value=radio.value)
        self.summary.refresh()

    @ui.refreshable_method
    def summary(self) -> None:
        lang, product = self.lang, self.view.product
        fee = self.view.by_code[self.method].fee_customer_idr if self.method else 0
        discount = self.promo.discount if self.promo else 0
        ui.label(tr("checkout.summary", lang)).classes("text-lg font-semibold")
        with ui.row().classes("w-full justify-between"):
            ui.label(product.name)
            ui.label(format_idr(product.price_idr))
        if discount:
            with ui.row().classes("w-full justify-between text-green-800"):
                ui.label(tr("promo.discount", lang) + f" ({self.promo.code if self.promo else ''})")
                ui.label("−" + format_idr(discount)).mark("discount")
        if fee:
            with ui.row().classes("w-full justify-between text-slate-600"):
                ui.label(tr("checkout.fee", lang, fee=""))
                ui.label(format_idr(fee))
        with ui.row().classes("w-full justify-between font-bold text-lg"):
            ui.label(tr("checkout.total", lang))
            ui.label(format_idr(product.price_idr - discount + fee)).mark("total")

    def show_first_error(self, errors: dict[str, str]) -> None:
        """Bring the first problem on the form into view and put the cursor there (a phone shows one field at a
        time: errors above the screen went unseen)."""
        fields = self.fields
        first: ui.element | None = next(
            (
                element
                for field, element in (("email", fields.email), ("name", fields.name), ("phone", fields.phone))
                if field in errors
            ),
            None,
        )
        if first is None and not self.method:
            first = self.radios[0] if self.radios else self.method_error
        if first is None:
            first = self.terms
        ui.run_javascript(FOCUS_JS.replace("ELEMENT_ID", f"c{first.id}"))

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
            self.show_first_error(errors)
            return
        client = ui.context.client
        ip = client.request.client.host if client.request and client.request.client else "?"
        if not self.limit.allow(ip):
            self.notice.text = tr("error.rate", lang)
            return
        try:
            promo = self.promo.code if self.promo else ""
            target, _code = await io_bound(place_order, self.view.slug, contact, lang, self.method, ip, promo)
        except OrderRefused as refused:
            if "promo_code" in refused.errors and self.promo:  # used up (or ended) since it was applied: say why
                await self.promo.apply()
                self.notice.text = self.promo.answer.text
                return
            self.notice.text = tr("checkout.unavailable", lang)
            return
        except SoldOut:
            self.notice.text = tr("checkout.sold_out", lang)
            return
        except (GatewayError, GatewayRejected):
            self.notice.text = tr("checkout.unavailable", lang)
            return
        self.done = target
        ui.navigate.to(target)


def checkout_ui(view: CheckoutView | None, prefill: Contact, lang: str, limit: RateLimit) -> None:
    with shop_frame(lang):
        if view is None:
            not_for_sale(lang)
            return
        title = escape(tr("checkout.title", lang, name=view.product.name))
        ui.html(f'<h1 class="text-2xl font-bold">{title}</h1>', sanitize=False)
        if view.sold_out:
            ui.label(tr("checkout.sold_out", lang)).classes("text-lg text-amber-900").mark("sold-out")
            waitlist_ui(view.slug, lang)
            ui.link(tr("nav.packages", lang), "/").classes(
                "text-blue-700 underline inline-flex items-center min-h-[44px]"
            )
            return
        if view.seats <= 0:
            ui.label(tr("checkout.restocking", lang)).classes("text-amber-700")
        CheckoutForm(view, prefill, lang, limit)
