"""Checkout's "Punya kode promo?": the code checked against the package and the customer's e-mail, the discount
and the new total shown (or why not); the code applied is carried into the order."""

from __future__ import annotations

from collections.abc import Callable

from nicegui import app, ui

from domain.payments.checkout import lowest_channel_minimum
from domain.payments.promos import PromoQuote, PromoRefused, preview_promo
from domain.shared.errors import NotFound
from domain.shared.i18n import format_idr
from domain.shared.i18n import t as tr
from infra import db
from infra.ratelimit import RateLimit
from pages.threads import io_bound

BUTTON = "!bg-blue-700 !text-white"  # this part's buttons: white on #1d4ed8 reads at 6.7:1
# a guess costs a request: a customer typing a code needs a few a minute
promo_limit = RateLimit("promo_check_page", limit=20, per_seconds=60)


def check_code(code: str, slug: str, email: str) -> PromoQuote:
    floor = lowest_channel_minimum(app.state.gateways.chain)
    with db.read_session() as session:
        return preview_promo(session=session, code=code, product_slug=slug, email=email, floor_idr=floor)


class PromoBox:
    """The field, its "Pakai" button and its answer; `quote` is the code applied (None: none)."""

    def __init__(self, slug: str, lang: str, email: Callable[[], str], changed: Callable[[], None]) -> None:
        self.slug, self.lang, self.email, self.changed = slug, lang, email, changed
        self.quote: PromoQuote | None = None
        with ui.expansion(tr("promo.ask", lang)).classes("w-full").mark("promo-toggle"):
            with ui.row().classes("w-full items-start gap-2 no-wrap"):
                self.field = (
                    ui.input(tr("promo.field", lang))
                    .props("outlined autocapitalize=characters maxlength=32")
                    .classes("flex-1 min-w-0")
                    .mark("promo-code")
                )
                self.button = (
                    ui.button(tr("promo.apply", lang), on_click=self.apply)
                    .props("no-caps unelevated")
                    .classes(f"min-h-[56px] {BUTTON}")
                    .mark("promo-apply")
                )
            self.answer = ui.label("").classes("text-sm w-full").mark("promo-answer")
            self.remove = ui.button(tr("promo.remove", lang), on_click=self.clear).props("flat no-caps dense")
            self.remove.classes("min-h-[44px] !text-blue-700").mark("promo-remove").set_visibility(False)
        self.field.on("keydown.enter", self.apply)

    @property
    def code(self) -> str:
        return self.quote.code if self.quote else ""

    @property
    def discount(self) -> int:
        return self.quote.discount_idr if self.quote else 0

    def refuse(self, text: str) -> None:
        self.quote = None
        self.answer.text = text
        self.answer.classes(replace="text-sm w-full text-negative")
        self.remove.set_visibility(False)
        self.changed()

    async def apply(self) -> None:
        code = (self.field.value or "").strip().upper()
        if not code:
            self.refuse(tr("promo.unknown", self.lang))
            return
        client = ui.context.client
        ip = client.request.client.host if client.request and client.request.client else "?"
        if not promo_limit.allow(ip):
            self.refuse(tr("error.rate", self.lang))
            return
        self.button.disable()
        try:
            quote = await io_bound(check_code, code, self.slug, self.email())
        except PromoRefused as refusal:
            self.refuse(refusal.text(self.lang))
            return
        except NotFound:
            self.refuse(tr("checkout.not_for_sale", self.lang))
            return
        finally:
            self.button.enable()
        self.quote = quote
        self.field.value = quote.code
        self.answer.text = tr(
            "promo.applied",
            self.lang,
            code=quote.code,
            discount=format_idr(quote.discount_idr),
            total=format_idr(quote.total_idr),
        )
        self.answer.classes(replace="text-sm w-full text-green-800 font-semibold")
        self.remove.set_visibility(True)
        self.changed()

    def clear(self) -> None:
        self.field.value = ""
        self.refuse("")
