"""The shop's front page: packages with live availability, how it works, questions."""

from __future__ import annotations

import threading
import time
from collections.abc import Awaitable, Callable
from html import escape

from nicegui import ui

from domain.catalog.products import CatalogueItem, catalogue
from domain.shared.i18n import format_idr
from domain.shared.i18n import t as tr
from domain.shared.models import SoldOutMode
from domain.shared.shop_settings import SETTINGS_TOPIC, ShopConfig
from infra import db
from pages.live import Follower
from pages.shop.frame import shop_config, static_page, static_page_html, warm_shop_config
from pages.shop.payment_logos import payment_logos_html
from pages.threads import io_bound
from runtime.feed import FEED

CATALOGUE_TTL = 2.0  # seconds: the front page is the busiest page; seat counts a moment old are fine
AVAILABILITY_TOPICS = ("product", "account", "assignment")  # kinds of change that move what the cards show
PAGE_TOPICS = (*AVAILABILITY_TOPICS, SETTINGS_TOPIC)  # an open front page also follows the owner's settings
REDRAW_GAP = 5.0  # seconds: in a rush of sales an open front page is redrawn at most this often


class CatalogueCache:
    """The packages with their availability, read at most every CATALOGUE_TTL seconds, and read again after the
    change feed told of a change to packages, accounts or seats. One per app: the shop's router
    (pages/shop/routes.py) holds it, so a new app (or test) starts with nothing cached."""

    def __init__(self, ttl: float = CATALOGUE_TTL) -> None:
        self.ttl = ttl
        self._read_at = 0.0
        self._items: list[CatalogueItem] = []
        self._generation = 0  # moves on with each change heard: a read begun before it is not fresh
        self._reading = threading.Lock()  # the open pages a change wakes together wait for one read
        FEED.subscribe(AVAILABILITY_TOPICS, self.expire, process=True)

    @property
    def fresh(self) -> bool:
        return time.monotonic() - self._read_at < self.ttl

    def expire(self, _change: object = None) -> None:
        self._generation += 1
        self._read_at = 0.0

    def load(self) -> list[CatalogueItem]:
        """The catalogue, read from the database unless fresh (in a thread)."""
        if self.fresh:
            return self._items
        with self._reading:
            if self.fresh:  # read by another page meanwhile
                return self._items
            generation = self._generation
            with db.read_session() as session:
                items = catalogue(session=session)
            self._items = items
            self._read_at = time.monotonic() if generation == self._generation else 0.0
            return items

    async def current(self) -> list[CatalogueItem]:
        """The catalogue for a page: a fresh one without leaving the event loop, else read in a thread."""
        return self.load() if self.fresh else await io_bound(self.load)


def card_html(item: CatalogueItem, lang: str) -> str:
    """A package's text as one HTML block (NiceGUI's cost grows with the number of elements on a page)."""
    product = item.product
    badge = (
        f'<span class="bg-orange-700 text-white text-xs rounded px-2 py-0.5">{tr("home.popular", lang)}</span>'
        if product.is_popular
        else ""
    )
    if item.in_stock:
        stock = f'<div class="text-sm text-green-700">{tr("home.in_stock", lang)}</div>'
    elif sold_out(item):
        stock = f'<div class="text-sm font-semibold text-red-700" data-sold-out>{tr("home.sold_out", lang)}</div>'
    else:
        stock = f'<div class="text-sm text-amber-700">{tr("home.restocking", lang)}</div>'

    about = escape(product.description or tr("home.includes", lang, days=product.duration_days))
    return (
        f'<div class="flex items-center justify-between gap-2"><div class="text-lg font-semibold">'
        f"{escape(product.name)}</div>{badge}</div>"
        f'<div class="text-sm text-slate-600">{tr("home.days", lang, days=product.duration_days)}</div>'
        f'<div class="text-2xl font-bold text-blue-700 my-1">{format_idr(product.price_idr)}</div>'
        f'<div class="text-sm mb-1">{about}</div>{stock}'
    )


def sold_out(item: CatalogueItem) -> bool:
    """No free seat and the owner chose to stop selling the package until seats return."""
    return not item.in_stock and item.product.sold_out_mode == SoldOutMode.STOP


def buy_html(item: CatalogueItem, lang: str) -> str:
    slug = escape(item.product.slug)
    named = escape(item.product.name, quote=True)  # every card's link is told apart by a screen reader
    if sold_out(item):  # no buy link: the package's waitlist instead
        return (
            f'<a href="/checkout/{slug}#kabari" data-package="{slug}" data-waitlist '
            f'aria-label="{tr("waitlist.button", lang)}: {named}" class="block text-center bg-white '
            f"border-2 border-red-700 text-red-800 no-underline rounded py-2 min-h-[44px] font-medium"
            f'">{tr("waitlist.button", lang)}</a>'
        )
    return (
        f'<a href="/checkout/{slug}" data-package="{slug}" aria-label="{tr("home.buy", lang)} {named}" '
        f'class="block text-center bg-blue-700 hover:bg-blue-800 text-white no-underline rounded py-3 '
        f'font-medium uppercase">{tr("home.buy", lang)}</a>'
    )


def cards_html(items: list[CatalogueItem], lang: str) -> str:
    """Every package card, with its buy link, as one HTML block."""
    if not items:
        return f'<div class="text-slate-600">{tr("home.empty", lang)}</div>'
    cards = "".join(
        f'<div class="{BOX} p-4 flex flex-col justify-between gap-3"><div>{card_html(item, lang)}</div>'
        f"{buy_html(item, lang)}</div>"
        for item in items
    )
    return f'<div class="w-full grid gap-4 sm:grid-cols-2 md:grid-cols-3">{cards}</div>'


BOX = "bg-white border border-slate-200 rounded"


def how_and_faq_html(lang: str, reminder_days: tuple[int, int] = (3, 1)) -> str:
    steps = "".join(
        f'<div class="{BOX} p-4"><div class="text-2xl font-bold text-blue-700">{n}</div>'
        f"<div>{tr(key, lang)}</div></div>"
        for n, key in enumerate(("home.step1", "home.step2", "home.step3"), start=1)
    )
    faq = "".join(
        f'<details class="{BOX} px-4 py-3"><summary class="cursor-pointer font-medium">'
        f'{tr(f"faq.q{n}", lang)}</summary><div class="text-slate-700 mt-2">'
        f"{tr(f'faq.a{n}', lang, first=reminder_days[0], second=reminder_days[1])}</div></details>"
        for n in (1, 2, 3)
    )
    return (
        f'<h2 class="text-2xl font-bold mb-3">{tr("home.how", lang)}</h2>'
        f'<div class="grid gap-4 sm:grid-cols-3 mb-6">{steps}</div>'
        f'<h2 class="text-2xl font-bold mb-3">{tr("home.faq", lang)}</h2><div class="grid gap-2">{faq}</div>'
    )


def shared_html(lang: str, config: ShopConfig) -> str:
    """What "bersama" means here: the owner's words (as typed, line breaks kept), else the shop's own."""
    text = escape(config.shared_text.strip()) or tr("home.shared.body", lang)
    return (
        f'<section class="{BOX} p-4 mb-6" data-shared><h2 class="text-xl font-bold mb-2">'
        f'{tr("home.shared.title", lang)}</h2><div class="text-slate-700 whitespace-pre-line">{text}</div></section>'
    )


def body_html(items: list[CatalogueItem], lang: str, config: ShopConfig) -> str:
    """The whole front page below the header as HTML: with the frame it is the page's only element."""
    tagline = escape(config.tagline) or tr("brand.tagline", lang)
    return (
        f'<div class="text-lg text-slate-700 mb-4" data-tagline>{tagline}</div>'
        f'<h1 id="paket" class="text-2xl font-bold mb-6">{tr("home.title", lang)}</h1>'
        f'<div class="mb-6">{cards_html(items, lang)}</div>{shared_html(lang, config)}'
        f"{payment_logos_html(tr('home.payments.title', lang))}{how_and_faq_html(lang, config.reminder_days)}"
    )


# per language: the items and the settings last drawn, and the page
_drawn: dict[str, tuple[list[CatalogueItem], ShopConfig, str]] = {}


def drawn(items: list[CatalogueItem], lang: str) -> str:
    """The front page for these items, drawn once per language for every open page (the caches hand out the same
    list and the same settings until they read again)."""
    config = shop_config()
    last = _drawn.get(lang)
    if last is None or last[0] is not items or last[1] is not config:
        last = _drawn[lang] = (items, config, static_page_html(lang, body_html(items, lang, config)))
    return last[2]


def follow_availability(page: ui.html, lang: str, cache: CatalogueCache) -> Callable[[], Awaitable[None]]:
    """Availability changes as seats are taken and freed: the page is sent again when what it shows changed."""

    async def refresh() -> None:
        await warm_shop_config()
        html = drawn(await io_bound(cache.load), lang)
        if html != page.content:
            page.set_content(html)

    return refresh


def home_ui(items: list[CatalogueItem], lang: str, cache: CatalogueCache) -> None:
    """The whole page as one element, redrawn when a change to packages, accounts or seats reaches the change
    feed (at most every REDRAW_GAP seconds in a rush of sales), while the browser stays connected."""
    page = static_page(lang, body_html(items, lang, shop_config())).mark("packages")
    Follower(ui.context.client, PAGE_TOPICS, follow_availability(page, lang, cache), min_gap=REDRAW_GAP)
