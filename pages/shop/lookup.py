"""Order lookup: the customer's e-mail gets their order links; the page says the same either way."""

from __future__ import annotations

from nicegui import ui

from domain.notify.mail import queue_order_lookup
from domain.shared.i18n import t as tr
from infra import db
from infra.ratelimit import RateLimit
from pages.shop.frame import shop_frame
from pages.threads import io_bound


def send_links(email: str, lang: str) -> None:
    db.in_transaction(lambda s: queue_order_lookup(session=s, email=email, lang=lang))


def lookup_ui(lang: str, limit: RateLimit) -> None:
    with shop_frame(lang):
        ui.label(tr("lookup.title", lang)).classes("text-2xl font-bold")
        ui.label(tr("lookup.help", lang)).classes("text-slate-700")
        email = (
            ui.input(tr("checkout.email", lang))
            .props("outlined type=email")
            .classes("w-full max-w-md")
            .mark("lookup-email")
        )
        answer = ui.label("").classes("text-green-800").mark("lookup-answer")

        async def submit() -> None:
            client = ui.context.client
            ip = client.request.client.host if client.request and client.request.client else "?"
            if not limit.allow(ip):
                answer.text = tr("error.rate", lang)
                return
            if (email.value or "").strip():
                await io_bound(send_links, email.value, lang)
            answer.text = tr("lookup.done", lang)  # the same words whether or not the e-mail is known

        ui.button(tr("lookup.submit", lang), on_click=submit).mark("lookup-submit")
