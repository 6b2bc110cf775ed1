"""Login help on the order page (issue #19): a shared login's numbered steps, its current login code behind a
button (the secret stays on the server: the page asks again at each step boundary), and the code the owner
pasted from the account's e-mail while it stands."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from html import escape

from nicegui import ui

from domain.catalog.login_help import LoginCode
from domain.orders.customer_view import Access, OrderPage
from domain.orders.login_code import NoLoginCode, TooManyReveals, reveal_login_code
from domain.shared.errors import NotFound
from domain.shared.i18n import format_date
from domain.shared.i18n import t as tr
from infra import db
from infra.types import utcnow
from pages.threads import io_bound

CHATGPT_URL = "https://chatgpt.com"
log = logging.getLogger("aksesgpt.shop")


def seconds_left(moment: datetime) -> int:
    return max(0, int((moment - utcnow()).total_seconds()))


def open_chatgpt_html(lang: str) -> str:
    return (
        f'<a href="{CHATGPT_URL}" target="_blank" rel="noopener" class="inline-flex items-center mt-3 bg-blue-600 '
        'text-white no-underline rounded px-5 font-medium" style="min-height: 44px">'
        f"{tr('order.open_chatgpt', lang)}</a>"
    )


def credential_steps_html(info: Access, lang: str) -> str:
    """How to sign in with the shared login: numbered steps, where the verification code is, the way to chatgpt.com."""
    steps = [
        tr("order.cred.step.open", lang),
        tr("order.cred.step.login", lang, email=escape(info.login_email)),
        tr("order.cred.step.code_totp" if info.has_totp else "order.cred.step.code", lang),
    ]
    items = "".join(f"<li>{step}</li>" for step in steps)
    # the last step is the shared login's rule, said as strongly as before the steps were there
    items += f'<li class="text-amber-900 font-medium">{tr("order.dont_change", lang)}</li>'
    return (
        f'<div class="font-semibold">{tr("order.steps", lang)}</div>'
        f'<ol class="list-decimal pl-6 space-y-1 text-slate-700">{items}</ol>{open_chatgpt_html(lang)}'
    )


def code_html(label: str, login: LoginCode, sub: str, mark: str) -> str:
    """A login code, big, with what follows it (its countdown, or until when it stands)."""
    return (
        f'<div class="text-sm text-slate-600">{escape(label)}</div>'
        f'<div class="font-mono text-3xl font-bold tracking-widest" data-testid="{mark}">{escape(login.code)}</div>'
        f"{sub}"
    )


BUTTON_BLUE = "#2563eb"  # Tailwind blue-600, as the "Buka chatgpt.com" link: white on it reads at 5.2:1
AUTO_STEPS = 3  # after a reveal, the code is asked for again at this many step boundaries, then the button waits


def fetch_login_code(code: str, token: str, ip: str | None) -> LoginCode | str:
    """The seat holder's current code, or why not (an i18n key)."""
    try:
        return db.in_transaction(lambda s: reveal_login_code(session=s, code=code, token=token, now=utcnow(), ip=ip))
    except TooManyReveals:
        return "order.login_code.limited"
    except (NoLoginCode, NotFound):
        return "order.login_code.gone"


def login_codes(page: OrderPage, info: Access, lang: str, token: str, read_again: Callable[[], None]) -> None:
    """The owner's pasted e-mail code while it stands, and the TOTP code behind a button: the secret stays on the
    server, the browser asks again at each step boundary (a few times), every answer audited and counted."""
    if info.pasted is not None:
        until = tr("order.login_code.pasted_until", lang, time=format_date(info.pasted.until, lang))
        sub = f'<div class="text-sm text-slate-600">{escape(until)}</div>'
        ui.html(
            code_html(tr("order.login_code.pasted", lang), info.pasted, sub, "pasted-code"), sanitize=False
        ).classes("w-full bg-blue-50 rounded p-3").mark("pasted-code")
        ui.timer(seconds_left(info.pasted.until) + 1.0, read_again, once=True)  # its ten minutes over: read again
    if not info.has_totp or not token:
        return
    code = page.view.order.code
    request = ui.context.client.request
    ip = request.client.host if request is not None and request.client else None
    button = (
        ui.button(tr("order.login_code.button", lang), icon="key", on_click=lambda: show())
        .props("unelevated no-caps text-color=white")
        .style(f"min-height: 44px; background-color: {BUTTON_BLUE} !important")  # (the chatgpt.com link's blue)
        .mark("show-login-code")
    )
    box = ui.column().classes("w-full gap-2")
    with box:
        shown = ui.html("", sanitize=False).classes("w-full bg-blue-50 rounded p-3").mark("login-code")
        shown.set_visibility(False)
    answer = ui.label("").classes("text-sm text-amber-900").mark("login-code-answer")
    steps_left = [0]

    async def show(auto: bool = False) -> None:
        if not auto:
            steps_left[0] = AUTO_STEPS
            button.disable()
        if box.is_deleted:  # the page was redrawn (the seat ended) or closed before this step's timer ran
            return
        try:
            got = await io_bound(fetch_login_code, code, token, ip)
        except Exception:  # the database did not answer: nothing shown, the customer may press again
            log.exception("login code failed order=%s", code)
            got = "order.login_code.error"
        if box.is_deleted:  # redrawn or closed while the server answered: nothing left to show it in
            return
        button.enable()
        if isinstance(got, str):
            shown.set_visibility(False)
            answer.text = tr(got, lang)
            return
        answer.text = ""
        left = seconds_left(got.until)
        template = escape(tr("order.login_code.next", lang, left="{left}"))
        sub = (
            f'<div class="text-sm text-slate-600" data-countdown="{left}" data-template="{template}">'
            f"{escape(tr('order.login_code.next', lang, left=f'00:00:{left:02d}'))}</div>"
        )
        shown.content = code_html(tr("order.login_code.label", lang), got, sub, "login-code-value")
        shown.set_visibility(True)
        with box:
            if steps_left[0] > 0:
                steps_left[0] -= 1
                ui.timer(left + 0.5, lambda: show(auto=True), once=True)
            else:  # (the last code shown stands until its step ends)
                ui.timer(left + 0.5, lambda: shown.set_visibility(False), once=True)
