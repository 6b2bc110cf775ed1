"""The shop's page frame (header, navigation, language switch, footer), written once."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from html import escape

from nicegui import app, ui
from sqlalchemy.exc import SQLAlchemyError
from starlette.requests import HTTPConnection, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from domain.shared.i18n import language
from domain.shared.i18n import t as tr
from domain.shared.shop_settings import SETTINGS_TOPIC, SHOP_CONFIG, ShopConfig, env_defaults
from pages.threads import io_bound
from runtime.feed import FEED

log = logging.getLogger("aksesgpt.pages")
FEED.subscribe((SETTINGS_TOPIC,), SHOP_CONFIG.expire, process=True)  # an owner's save, in any app process

# The frame is plain HTML (NiceGUI's cost per page grows with its number of elements), so it brings its own
# layout: a sticky header and a footer at the bottom of short pages, only on pages that carry the frame
# (as three elements around live ones, or as one block for a page with nothing live on it).
FRAME_CSS = """
body { background: #f8fafc; }
.nicegui-content:has(> .shop-header, > .shop-page) { padding: 0; gap: 0; align-items: stretch; min-height: 100vh; }
.shop-page { display: flex; flex-direction: column; min-height: 100vh; }
.shop-wa-fab { position: fixed; right: 16px; bottom: 16px; z-index: 30; width: 56px; height: 56px;
  border-radius: 9999px; background: #15803d; color: #fff; display: flex; align-items: center;
  justify-content: center; box-shadow: 0 4px 12px rgba(0,0,0,.25); }
.shop-wa-fab:focus-visible { outline: 3px solid #1d4ed8; outline-offset: 2px; }
body:has(.shop-wa-fab) footer { padding-bottom: 88px; }
.pay-methods .q-radio { display: flex; width: 100%; min-height: 44px; }
"""
# the WhatsApp mark (a speech bubble with a handset), drawn in the button's text colour
WA_ICON = (
    '<svg aria-hidden="true" viewBox="0 0 24 24" width="30" height="30" fill="currentColor">'
    '<path d="M12 2a10 10 0 0 0-8.6 15.1L2 22l5-1.3A10 10 0 1 0 12 2zm0 18.2a8.2 8.2 0 0 1-4.2-1.1l-.3-.2-3 .8.8-2.9'
    "-.2-.3A8.2 8.2 0 1 1 12 20.2zm4.5-6.1c-.2-.1-1.5-.7-1.7-.8s-.4-.1-.6.1-.7.8-.8 1-.3.2-.5.1a6.7 6.7 0 0 1-3.3-2.9"
    "c-.2-.4.2-.4.7-1.3.1-.2 0-.3 0-.4l-.8-1.8c-.2-.5-.4-.4-.6-.4h-.5a1 1 0 0 0-.7.3 3 3 0 0 0-.9 2.2 5.2 5.2 0 0 0 "
    '1.1 2.8 11.9 11.9 0 0 0 4.6 4c1.7.7 2.4.8 3.2.7a2.8 2.8 0 0 0 1.9-1.3 2.3 2.3 0 0 0 .2-1.3c-.1-.1-.3-.2-.5-.3z"/>'
    "</svg>"
)
# one button colour on every page, the admin's: white on it reads at 6.7:1 (NiceGUI's default #5898d4: 3.1:1)
PRIMARY = "#1d4ed8"
LANG_COOKIE = "lang"
LANG_COOKIE_SECONDS = 365 * 24 * 3600
HEADER_CLASSES = "shop-header sticky top-0 z-20 bg-white text-slate-900 shadow-sm"
MAIN_CLASSES = "w-full max-w-4xl mx-auto p-4"
TAP = "inline-flex items-center justify-center min-h-[44px] min-w-[44px]"  # a finger's tap target
FOOTER_CLASSES = "mt-auto bg-white text-slate-600 text-sm px-4 py-3 border-t"


# The payment countdown and a seat's days left tick in the browser: a server timer per open page would send a
# message every second. Each counts from when its element appeared (the first ones of a page from the page
# request: performance.now() starts there), so the browser's clock, right or wrong, plays no part. At zero the
# page shows zero; what happens then is the server's decision, which reaches the page through the change feed.
COUNTDOWN_JS = """<script>
(() => {
  let seen = false;
  const started = (el) => {
    if (el.dataset.start === undefined) { el.dataset.start = seen ? performance.now() : 0; seen = true; }
    return Number(el.dataset.start);
  };
  const tick = () => {
    for (const el of document.querySelectorAll("[data-countdown]")) {
      const elapsed = (performance.now() - started(el)) / 1000;
      const left = Math.max(0, Math.ceil(Number(el.dataset.countdown) - elapsed));
      const hms = [Math.floor(left / 3600), Math.floor(left % 3600 / 60), left % 60]
        .map((n) => String(n).padStart(2, "0")).join(":");
      el.textContent = el.dataset.template.replace("{left}", hms);
    }
    for (const el of document.querySelectorAll("[data-until]")) {
      const elapsed = (performance.now() - started(el)) / 1000;
      const days = Math.max(0, Math.ceil((Number(el.dataset.until) - elapsed) / 86400));
      el.textContent = el.dataset.template.replace("{days}", String(days));
    }
  };
  setInterval(tick, 1000);
})();
</script>"""


# The floating WhatsApp button steps aside while it would cover a button (the pay button on a phone's screen).
WA_FAB_JS = """<script>
(() => {
  const place = () => {
    const fab = document.querySelector("[data-whatsapp-fab]");
    if (!fab) return;
    fab.style.visibility = "visible";
    const f = fab.getBoundingClientRect();
    const covers = [...document.querySelectorAll("button, [role=button], .q-btn")].some((el) => {
      const r = el.getBoundingClientRect();
      return r.width && r.height && r.left < f.right && r.right > f.left && r.top < f.bottom && r.bottom > f.top;
    });
    if (covers) fab.style.visibility = "hidden";
  };
  addEventListener("scroll", place, { passive: true });
  addEventListener("resize", place);
  setInterval(place, 500);
})();
</script>"""


# Quasar's loading bar (shown while the page talks to the server) is a progressbar without a name: screen readers
# announce an unnamed bar, and axe counts it as a serious violation
LOADING_BAR_JS = """<script>
document.addEventListener("DOMContentLoaded", () => {
  const label = () => (document.documentElement.lang.startsWith("id") ? "Memuat" : "Loading");
  const name = () => document.querySelectorAll(".q-loading-bar:not([aria-label])")
    .forEach((el) => el.setAttribute("aria-label", label()));
  new MutationObserver(name).observe(document.body, {childList: true, subtree: true});
  name();
});
</script>"""


def add_shared_head() -> None:
    """Once per app (main.py's wire): the frame's CSS and the countdown script, shared by every page (no
    per-page element)."""
    ui.add_css(FRAME_CSS, shared=True)
    ui.add_head_html(COUNTDOWN_JS, shared=True)
    ui.add_head_html(WA_FAB_JS, shared=True)
    ui.add_head_html(LOADING_BAR_JS, shared=True)
    app.colors(primary=PRIMARY)


def request_lang(request: Request, requested: str | None = None) -> str:
    """The customer's language: ?lang= when given, else the one their browser remembers (LanguageCookie), else
    Indonesian. The server keeps nothing per visitor: no session, no storage."""
    return language(requested or request.query_params.get("lang") or request.cookies.get(LANG_COOKIE))


def current_lang(requested: str | None = None) -> str:
    """The language of the page being built (see request_lang)."""
    request = ui.context.client.request
    return language(requested) if request is None else request_lang(request, requested)


class LanguageCookie:
    """`?lang=` on any page sets the `lang` cookie, so the choice sticks while the customer browses: the browser
    remembers it, not the server (a cookie-less visitor costs the shop nothing that outlives the request)."""

    def __init__(self, app: ASGIApp, *, https: bool) -> None:
        self.app = app
        self.attributes = f"; Path=/; Max-Age={LANG_COOKIE_SECONDS}; SameSite=Lax; HttpOnly" + (
            "; Secure" if https else ""
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or b"lang=" not in scope.get("query_string", b""):
            await self.app(scope, receive, send)
            return
        connection = HTTPConnection(scope)
        requested = connection.query_params.get("lang")
        if not requested or language(requested) == connection.cookies.get(LANG_COOKIE):
            await self.app(scope, receive, send)
            return
        cookie = (f"{LANG_COOKIE}={language(requested)}" + self.attributes).encode("latin-1")

        async def remember(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (b"set-cookie", cookie)]
            await send(message)

        await self.app(scope, receive, remember)


# The same page again with ?lang= set, which remembers the choice; the page's other query values stay
# (window.URL: inside an inline handler a bare URL is document.URL).
SWITCH_JS = "const u = new window.URL(location.href); u.searchParams.set('lang', this.dataset.lang); location.assign(u)"


def _language_switch_html(lang: str) -> str:
    return (
        f'<button type="button" data-lang="{"en" if lang == "id" else "id"}" onclick="{SWITCH_JS}" '
        f'class="{TAP} text-xs font-medium text-blue-700 rounded px-2 hover:bg-blue-50 cursor-pointer">'
        f"{tr('nav.language', lang)}</button>"
    )


def shop_config() -> ShopConfig:
    """The owner's settings for the page being drawn, from memory only (an error page is drawn during a database
    outage): as the route warmed them (`warm_shop_config`), else the last ones read, else the .env defaults."""
    return SHOP_CONFIG.cached() or SHOP_CONFIG.latest() or env_defaults()


async def warm_shop_config() -> ShopConfig:
    """The owner's settings, read in a thread when a save emptied the cache."""
    hit = SHOP_CONFIG.cached()
    if hit is not None:
        return hit
    try:
        return await io_bound(SHOP_CONFIG.load)
    except SQLAlchemyError as exc:  # the database is down: the page still shows, with the settings last known
        log.warning("shop settings unreadable, the last known are shown: %s", type(exc).__name__)
        return shop_config()


def _brand_html(config: ShopConfig) -> str:
    logo = (
        f'<img src="{escape(config.logo)}" alt="" class="h-8 w-auto max-w-[96px] object-contain">'
        if config.logo
        else ""
    )
    return (
        '<a href="/" class="flex items-center gap-2 min-w-0 min-h-[44px] text-xl font-bold no-underline text-blue-700">'
        f'{logo}<span class="truncate" data-brand>{escape(config.shop_name)}</span></a>'
    )


def _banner_html(config: ShopConfig) -> str:
    if not config.banner:
        return ""
    return (
        '<div role="status" data-banner class="bg-amber-100 text-amber-900 text-sm text-center px-4 py-2 '
        f'break-words">{escape(config.banner)}</div>'
    )


def _header_html(lang: str, config: ShopConfig) -> str:
    return (
        '<div class="flex items-center justify-between gap-3 px-4 py-0">'
        f"{_brand_html(config)}"
        '<nav class="flex items-center gap-3 text-sm shrink-0">'
        f'<a href="/#paket" class="{TAP} no-underline text-slate-700 max-sm:hidden">{tr("nav.packages", lang)}</a>'
        f'<a href="/orders" class="{TAP} no-underline text-slate-700">{tr("nav.lookup", lang)}</a>'
        f"{_language_switch_html(lang)}</nav></div>{_banner_html(config)}"
    )


def contact_html(lang: str, config: ShopConfig) -> str:
    """The support line: WhatsApp (a wa.me link) and e-mail (a mailto link) as the owner set them, else the
    .env SUPPORT_CONTACT text, else where help is found without them."""
    links = []
    if config.support_whatsapp:
        links.append(
            f'<a href="{escape(config.whatsapp_link)}" class="text-slate-600" rel="noopener" target="_blank">'
            f"WhatsApp {escape(config.support_whatsapp)}</a>"
        )
    if config.support_email:
        links.append(
            f'<a href="mailto:{escape(config.support_email)}" class="text-slate-600">{escape(config.support_email)}</a>'
        )
    if links:
        return f"<span data-contact>{escape(tr('footer.support', lang, contact=''))}{' · '.join(links)}</span>"
    contact = config.contact
    text = tr("footer.support", lang, contact=contact) if contact else tr("footer.no_support", lang)
    return f"<span data-contact>{escape(text)}</span>"


def whatsapp_button_html(lang: str, config: ShopConfig) -> str:
    """The floating WhatsApp contact button (a wa.me link to the support number), or nothing when none is set."""
    if not config.support_whatsapp:
        return ""
    label = escape(tr("shop.whatsapp_contact", lang))
    return (
        f'<a href="{escape(config.whatsapp_link)}" class="shop-wa-fab" data-whatsapp-fab aria-label="{label}" '
        f'title="{label}" rel="noopener" target="_blank">{WA_ICON}</a>'
    )


def _footer_html(lang: str, config: ShopConfig) -> str:
    return (
        f'<div class="flex flex-wrap gap-4 items-center justify-center">{contact_html(lang, config)}'
        f'<a href="/terms" class="{TAP} text-slate-600">{tr("nav.terms", lang)}</a>'
        f'<a href="/privacy" class="{TAP} text-slate-600">{tr("nav.privacy", lang)}</a></div>'
        f"{whatsapp_button_html(lang, config)}"
    )


BRAND = "AksesGPT"  # the name the page titles are written with


def _title_with(config: ShopConfig) -> None:
    """The page's title with the owner's shop name in place of the built-in one."""
    if config.shop_name != BRAND:
        client = ui.context.client
        ui.page_title(client.resolve_title().replace(BRAND, config.shop_name))


@contextmanager
def shop_frame(lang: str) -> Iterator[ui.column]:
    """Header with navigation and the language switch; yields the page's main column for live elements.
    The header and the footer are HTML blocks: three elements for the whole frame."""
    config = shop_config()
    _title_with(config)
    ui.html(_header_html(lang, config), sanitize=False, tag="header").classes(HEADER_CLASSES)
    with ui.column().classes(f"{MAIN_CLASSES} gap-6") as main:
        yield main
    ui.html(_footer_html(lang, config), sanitize=False, tag="footer").classes(FOOTER_CLASSES)


def static_page_html(lang: str, body: str) -> str:
    """A page with nothing live on it, frame included, as the HTML of one element (see static_page)."""
    config = shop_config()
    return (
        f'<header class="{HEADER_CLASSES}">{_header_html(lang, config)}</header>'
        f'<main class="{MAIN_CLASSES}">{body}</main>'
        f'<footer class="{FOOTER_CLASSES}">{_footer_html(lang, config)}</footer>'
    )


def static_page(lang: str, body: str) -> ui.html:
    """The whole page as one element: the cheapest page NiceGUI can serve, like its bare page plus text."""
    _title_with(shop_config())
    return ui.html(static_page_html(lang, body), sanitize=False).classes("shop-page w-full")
