"""A sold-out package's "Habis — kabari saya": an e-mail or WhatsApp number left on its waitlist, told once when
seats return (domain/catalog/waitlist.py)."""

from __future__ import annotations

from nicegui import ui

from domain.catalog.waitlist import join_waitlist
from domain.shared.errors import NotFound, ValidationFailed
from domain.shared.i18n import t as tr
from infra import db
from infra.ratelimit import RateLimit
from pages.shop.promo import BUTTON
from pages.threads import io_bound

# a few sign-ups per address per ten minutes: a family shares one connection, a script does not get far
waitlist_limit = RateLimit("waitlist", limit=5, per_seconds=600)


def join(slug: str, contact: str, lang: str, ip: str) -> str:
    """The contact as the shop will use it (the entry is kept once)."""

    def work(session):  # type: ignore[no-untyped-def]
        entry, _new = join_waitlist(session=session, product_slug=slug, contact=contact, locale=lang, ip=ip)
        return entry.email or entry.phone

    return db.in_transaction(work)


def waitlist_ui(slug: str, lang: str) -> None:
    with ui.card().classes("w-full max-w-md").props("flat bordered id=kabari").mark("waitlist"):
        ui.label(tr("waitlist.button", lang)).classes("text-lg font-bold text-red-800")
        ui.label(tr("waitlist.intro", lang)).classes("text-sm text-slate-700")
        contact = (
            ui.input(tr("waitlist.contact", lang))
            .props("outlined autocomplete=email")
            .classes("w-full")
            .mark("waitlist-contact")
        )
        answer = ui.label("").classes("text-sm w-full").mark("waitlist-answer")

        async def submit() -> None:
            client = ui.context.client
            ip = client.request.client.host if client.request and client.request.client else "?"
            contact.error = None
            if not waitlist_limit.allow(ip):
                answer.text = tr("waitlist.too_many", lang)
                answer.classes(replace="text-sm w-full text-negative")
                return
            try:
                shown = await io_bound(join, slug, contact.value or "", lang, ip)
            except ValidationFailed:
                contact.error = tr("waitlist.bad_contact", lang)
                answer.text = ""
                contact.run_method("focus")
                return
            except NotFound:
                answer.text = tr("checkout.not_for_sale", lang)
                return
            answer.text = tr("waitlist.joined", lang, contact=shown)
            answer.classes(replace="text-sm w-full text-green-800 font-semibold")
            contact.set_visibility(False)
            button.set_visibility(False)

        button = (
            ui.button(tr("waitlist.submit", lang), on_click=submit)
            .props("unelevated no-caps")
            .classes(f"w-full min-h-[44px] {BUTTON}")
            .mark("waitlist-submit")
        )
        contact.on("keydown.enter", submit)
