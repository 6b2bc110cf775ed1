"""Every customer page on one router (main.py includes it). A route settles the language, reads what its
page shows in a thread and hands it to the page's drawing function in the page's module.

What the shop keeps between requests (the front page's catalogue) is made here, with the router: one per app,
and a new app (a test's, too) starts with an empty one. The rate limits are infra/ratelimit.py's: the checkout
page and POST /api/orders count against one order limit, in Redis when the processes share one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nicegui import APIRouter

from infra.ratelimit import lookup_limit, order_limit
from pages.shop import checkout, home, legal, lookup, order
from pages.shop.frame import current_lang, warm_shop_config
from pages.threads import PAGE_BUILD_SECONDS, io_bound

router = APIRouter()


def page(path: str, *, title: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """`router.page` with the page's time to build raised from NiceGUI's 3 s (pages/threads.py)."""
    return router.page(path, title=title, response_timeout=PAGE_BUILD_SECONDS)


catalogue = home.CatalogueCache()


@page("/", title="AksesGPT — akses ChatGPT Plus")
async def home_page(lang: str | None = None) -> None:
    lang = current_lang(lang)
    await warm_shop_config()
    home.home_ui(await catalogue.current(), lang, catalogue)


@page("/checkout/{slug}", title="Checkout — AksesGPT")
async def checkout_page(
    slug: str, email: str = "", name: str = "", phone: str = "", again: str = "", t: str = "", lang: str | None = None
) -> None:
    lang = current_lang(lang)
    await warm_shop_config()
    view = await io_bound(checkout.load_view, slug)
    # "Pesan lagi" names the earlier order and its link's token, never the contact details themselves
    prefill = await io_bound(checkout.prefill_from_order, again, t) if again else checkout.Contact(email, name, phone)
    checkout.checkout_ui(view, prefill, lang, order_limit)


@page("/order/{code}", title="Pesanan — AksesGPT")
async def order_page(code: str, t: str = "", lang: str | None = None, renew: str = "") -> None:
    lang = current_lang(lang)
    await warm_shop_config()
    order.order_ui(await io_bound(order.load, code, t), code, t, lang, renew == "1")


@page("/orders", title="Cek pesanan — AksesGPT")
async def lookup_page(lang: str | None = None) -> None:
    await warm_shop_config()
    lookup.lookup_ui(current_lang(lang), lookup_limit)


@page("/terms", title="Syarat & ketentuan — AksesGPT")
async def terms_page(lang: str | None = None) -> None:
    lang = current_lang(lang)
    await warm_shop_config()
    legal.legal_ui(legal.owner_text("terms") or await io_bound(legal.content, "terms", lang), lang)


@page("/privacy", title="Privasi — AksesGPT")
async def privacy_page(lang: str | None = None) -> None:
    lang = current_lang(lang)
    await warm_shop_config()
    legal.legal_ui(legal.owner_text("privacy") or await io_bound(legal.content, "privacy", lang), lang)
