"""Order lookup: the order code plus the e-mail or WhatsApp number it was placed with opens the order page;
without the code, the customer's e-mail gets their order links. Both answers are the same for a known and an
unknown order, and both are rate-limited."""

from __future__ import annotations

from nicegui import ui

from domain.notify.mail import queue_order_lookup
from domain.orders.lookup import find_order_link
from domain.shared.i18n import t as tr
from infra import db
from infra.ratelimit import RateLimit
from pages.shop.frame import shop_frame
from pages.threads import io_bound


def send_links(email: str, lang: str) -> None:
    db.in_transaction(lambda s: queue_order_lookup(session=s, email=email, lang=lang))


def order_link_for(code: str, contact: str) -> str | None:
    with db.read_session() as session:
        return find_order_link(session=session, code=code, contact=contact)


def client_ip() -> str:
    client = ui.context.client
    return client.request.client.host if client.request and client.request.client else "?"


def by_code_form(lang: str, limit: RateLimit) -> None:
    """The code and the contact: both match → the order page; anything else → one answer."""
    with ui.column().classes("w-full max-w-md gap-2"):
        ui.label(tr("lookup.help_code", lang)).classes("text-slate-700")
        code = (
            ui.input(tr("lookup.code", lang), placeholder="AG-…")
            .props("outlined autocapitalize=characters autocomplete=off")
            .classes("w-full")
            .mark("lookup-code")
        )
        contact = (
            ui.input(tr("lookup.contact", lang), placeholder="0812 3456 7890")
            .props("outlined autocomplete=email")
            .classes("w-full")
            .mark("lookup-contact")
        )
        answer = ui.label("").classes("text-red-800").props('role="alert"').mark("lookup-code-answer")

        async def open_order() -> None:
            if not (code.value or "").strip() or not (contact.value or "").strip():
                answer.text = tr("lookup.need_both", lang)
                return
            if not limit.allow(client_ip()):
                answer.text = tr("error.rate", lang)
                return
            link = await io_bound(order_link_for, code.value, contact.value)
            if link is None:
                answer.text = tr("lookup.no_match", lang)  # an unknown code and a wrong contact alike
                return
            answer.text = ""
            ui.navigate.to(link)

        ui.button(tr("lookup.open", lang), on_click=open_order).props("color=primary no-caps").classes(
            "min-h-[44px]"
        ).mark("lookup-open")


def by_email_form(lang: str, limit: RateLimit) -> None:
    """Without the code: every order link of the e-mail, sent to it (the same words whether or not it has any)."""
    with ui.column().classes("w-full max-w-md gap-2"):
        ui.label(tr("lookup.by_email", lang)).classes("text-slate-700")
        email = (
            ui.input(tr("checkout.email", lang))
            .props("outlined type=email autocomplete=email")
            .classes("w-full")
            .mark("lookup-email")
        )
        answer = ui.label("").classes("text-green-800").props('role="status"').mark("lookup-answer")

        async def submit() -> None:
            if not limit.allow(client_ip()):
                answer.text = tr("error.rate", lang)
                return
            if (email.value or "").strip():
                await io_bound(send_links, email.value, lang)
            answer.text = tr("lookup.done", lang)  # the same words whether or not the e-mail is known

        ui.button(tr("lookup.submit", lang), on_click=submit).props("color=primary no-caps").classes(
            "min-h-[44px]"
        ).mark("lookup-submit")


def lookup_ui(lang: str, limit: RateLimit) -> None:
    with shop_frame(lang):
        ui.label(tr("lookup.title", lang)).classes("text-2xl font-bold")
        by_code_form(lang, limit)
        ui.separator().classes("max-w-md")
        by_email_form(lang, limit)
