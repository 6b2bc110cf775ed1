"""Checkout: contact details, a payment channel from the gateway's live list, the total, the terms.
One click places one order; field errors show beside their field in the customer's language."""

from __future__ import annotations

from datetime import timedelta

from nicegui import app, run, ui

from domain.catalog.products import free_seats, get_product
from domain.orders.orders import order_input_errors
from domain.payments.checkout import OrderForm, OrderRefused, channels_by_group
from domain.payments.checkout import place_order as place_customer_order
from domain.payments.gateway import GatewayError, GatewayRejected, PaymentChannel
from domain.shared.errors import NotFound
from domain.shared.i18n import format_idr
from domain.shared.i18n import t as tr
from domain.shared.models import Product
from infra import db
from infra.ratelimit import order_limit
from pages.shop.frame import current_lang, shop_frame


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


def place_order(slug: str, email: str, name: str, phone: str, lang: str, method: str, ip: str) -> tuple[str, str]:
    """Create the order and open its payment; returns (where to send the customer, order code)."""
    settings = app.state.settings
    form = OrderForm(product_slug=slug, email=email, name=name, phone=phone, method=method, locale=lang)
    placed = place_customer_order(
        form=form,
        gateways=app.state.gateways.chain,
        actor="customer",
        ip=ip,
        window=timedelta(minutes=settings.PAYMENT_WINDOW_MINUTES),
    )
    return placed.pay_at.removeprefix(settings.public_url) or "/", placed.order.code


def register() -> None:
    @ui.page("/checkout/{slug}", title="Checkout — AksesGPT")
    async def checkout(slug: str, email: str = "", name: str = "", phone: str = "", lang: str | None = None) -> None:
        lang = current_lang(lang)
        found = await run.io_bound(load_product, slug)
        channels = await run.io_bound(load_channels) if found else []
        with shop_frame(lang):
            if found is None:
                ui.label(tr("checkout.not_for_sale", lang)).classes("text-lg")
                ui.link(tr("nav.packages", lang), "/")
                return
            product, seats = found
            ui.label(tr("checkout.title", lang, name=product.name)).classes("text-2xl font-bold")
            if seats <= 0:
                ui.label(tr("checkout.restocking", lang)).classes("text-amber-700")
            groups = channels_by_group(channels, product.price_idr)
            state: dict = {"method": None, "busy": False, "done": None}
            by_code = {c.code: c for items in groups.values() for c in items}
            with ui.row().classes("w-full gap-6 items-start"):
                with ui.column().classes("flex-1 min-w-[280px] gap-2"):
                    email_in = (
                        ui.input(tr("checkout.email", lang), value=email)
                        .props("outlined type=email autocomplete=email")
                        .classes("w-full")
                        .mark("email")
                    )
                    name_in = (
                        ui.input(tr("checkout.name", lang), value=name)
                        .props("outlined autocomplete=name")
                        .classes("w-full")
                        .mark("name")
                    )
                    phone_in = (
                        ui.input(tr("checkout.phone", lang), value=phone, placeholder=tr("checkout.phone_hint", lang))
                        .props("outlined type=tel autocomplete=tel")
                        .classes("w-full")
                        .mark("phone")
                    )
                    ui.label(tr("checkout.method", lang)).classes("text-lg font-semibold mt-2")
                    method_error = ui.label("").classes("text-negative text-sm")
                    method_error.set_visibility(False)
                    if not groups:
                        ui.label(tr("checkout.unavailable", lang)).classes("text-negative")
                    radios: list[ui.radio] = []

                    def choose(code: str | None, source: ui.radio) -> None:
                        if code is None:
                            return
                        state["method"] = code
                        for other in radios:
                            if other is not source:
                                other.set_value(None)
                        method_error.set_visibility(False)
                        summary.refresh()

                    for group, items in groups.items():
                        ui.label(group).classes("text-sm text-slate-500 mt-1")
                        options = {
                            c.code: f"{c.name} · "
                            + (
                                tr("checkout.fee", lang, fee=format_idr(c.fee_customer_idr))
                                if c.fee_customer_idr
                                else tr("checkout.no_fee", lang)
                            )
                            for c in items
                        }
                        radio = ui.radio(options).props("dense").classes("w-full").mark(f"group-{group}")
                        radio.on_value_change(lambda e, r=radio: choose(e.value, r))
                        radios.append(radio)
                    terms = ui.checkbox(tr("checkout.terms", lang)).mark("terms")
                    ui.link(tr("nav.terms", lang), "/terms", new_tab=True).classes("text-sm")
                    terms_error = ui.label(tr("error.terms", lang)).classes("text-negative text-sm")
                    terms_error.set_visibility(False)
                with ui.card().classes("w-full sm:w-80").props("flat bordered"):

                    @ui.refreshable
                    def summary() -> None:
                        fee = by_code[state["method"]].fee_customer_idr if state["method"] else 0
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

                    summary()
                    submit = ui.button(tr("checkout.submit", lang)).classes("w-full").mark("submit")
                    notice = ui.label("").classes("text-negative text-sm")

            fields = {"email": email_in, "name": name_in, "phone": phone_in}

            async def place() -> None:
                if state["done"]:  # a second click after success goes where the first went
                    ui.navigate.to(state["done"])
                    return
                if state["busy"]:
                    return
                state["busy"] = True
                submit.disable()
                submit.text = tr("checkout.placing", lang)
                try:
                    await attempt()
                finally:
                    state["busy"] = False
                    if not state["done"]:
                        submit.enable()
                        submit.text = tr("checkout.submit", lang)

            async def attempt() -> None:
                values = {k: (v.value or "").strip() for k, v in fields.items()}
                errors = await run.io_bound(_errors, slug, values, lang)
                for field, element in fields.items():
                    element.error = tr(f"error.{field}", lang) if field in errors else None
                method_error.text = tr("error.method", lang)
                method_error.set_visibility(not state["method"])
                terms_error.set_visibility(not terms.value)
                if errors or not state["method"] or not terms.value:
                    return
                client = ui.context.client
                ip = client.request.client.host if client.request and client.request.client else "?"
                if not order_limit.allow(ip):
                    notice.text = tr("error.rate", lang)
                    return
                try:
                    target, _code = await run.io_bound(
                        place_order, slug, values["email"], values["name"], values["phone"], lang, state["method"], ip
                    )
                except (GatewayError, GatewayRejected, OrderRefused):  # OrderRefused: sold out or changed since
                    notice.text = tr("checkout.unavailable", lang)
                    return
                state["done"] = target
                ui.navigate.to(target)

            submit.on_click(place)


def _errors(slug: str, values: dict[str, str], lang: str) -> dict[str, str]:
    with db.read_session() as session:
        return order_input_errors(
            session=session,
            product_slug=slug,
            email=values["email"],
            name=values["name"],
            phone=values["phone"],
            locale=lang,
        )
