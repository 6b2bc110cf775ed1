"""Find anything: the search box in every admin page's header, and the results page (orders, customers, accounts,
seats), each result a link to its page. Results are cards, so nothing scrolls sideways on a phone."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import quote

from nicegui import ui

from domain.admin.customers import QUERY_MAX, SearchResults, package_names, search
from domain.admin.listing import seat_context
from domain.shared.i18n import format_idr
from infra import db
from pages.admin.frame import HEADER_EXTRAS
from pages.admin.table import stored_id
from pages.admin.words import SEAT_LABELS, say, state_word, when

SEARCH_PATH = "/admin/search"
SEAT_WORDS = SEAT_LABELS  # (in the admin's language)
HINT = "Kode pesanan, e-mail, nomor WhatsApp, nama, atau e-mail akun"
HINT_EN = "Order code, e-mail, WhatsApp number, name or account e-mail"


def search_path(query: str) -> str:
    return f"{SEARCH_PATH}?q={quote(query.strip()[:QUERY_MAX], safe='')}"


def customer_path(key: str) -> str:
    return f"/admin/customers/{quote(key, safe='@+')}"


def order_words(status: str) -> str:
    """An order's status as the owner reads it (in the admin's language)."""
    return state_word("order", status)


@dataclass(frozen=True)
class SearchView:
    results: SearchResults
    packages: dict[int, str] = field(default_factory=dict)
    accounts: dict[int, str] = field(default_factory=dict)  # seat's account id -> e-mail
    codes: dict[int, str] = field(default_factory=dict)  # seat's order id -> code


def load_results(query: str) -> SearchView:
    with db.read_session() as session:
        results = search(session=session, query=query)
        packages = package_names(session=session, product_ids={o.product_id for o in results.orders.rows})
        accounts, codes = seat_context(session=session, seats=results.seats.rows)
    return SearchView(results, packages, accounts, codes)


def go_search(query: str) -> None:
    if query.strip():
        ui.navigate.to(search_path(query))


def header_search() -> None:
    """The header's search box (a wide screen), or a button to the search page (a phone: no room for a box)."""
    box = (
        ui.input(placeholder=say("Cari…", "Search…"))
        .props("dense outlined dark standout clearable")
        .props(f'aria-label="{say("Cari pesanan, pelanggan, akun", "Search orders, customers, accounts")}"')
        .classes("w-56 max-sm:hidden")
        .mark("header-search")
    )
    box.on("keydown.enter", lambda: go_search(box.value or ""))
    ui.button(icon="search", on_click=lambda: ui.navigate.to(SEARCH_PATH)).props(
        f'flat round color=white aria-label="{say("Cari", "Search")}"'
    ).classes("sm:hidden min-w-[44px] min-h-[44px]").tooltip(say("Cari", "Search"))


HEADER_EXTRAS.insert(0, header_search)


def _section(title: str, count: int, more: bool, mark: str) -> ui.column:
    shown = f"{count}+" if more else str(count)
    ui.label(f"{title} ({shown})").classes("text-lg font-bold mt-2")
    if more:
        ui.label(
            say(
                "Hanya hasil terbaru yang ditampilkan; perjelas pencarian untuk melihat yang lain.",
                "Only the latest results are shown; narrow the search to see the others.",
            )
        ).classes("text-sm text-slate-600")
    return ui.column().classes("w-full gap-2").mark(mark)


def _card(target: str, title: str, lines: list[str], mark: str) -> None:
    with ui.link(target=target).classes("no-underline text-slate-900 w-full").mark(mark):
        with ui.card().props("flat bordered").classes("w-full p-3 gap-1 hover:bg-slate-50 min-h-[44px]"):
            ui.label(title).classes("font-semibold break-all")
            for line in lines:
                if line:
                    ui.label(line).classes("text-sm text-slate-700 break-all")


def results_ui(view: SearchView) -> None:
    results = view.results
    if not results.query:
        return
    if results.empty:
        ui.label(say(f"Tidak ada yang cocok dengan “{results.query}”.", f"Nothing matches “{results.query}”.")).mark(
            "search-nothing"
        )
        return
    found = results.orders
    if found.rows:
        with _section(say("Pesanan", "Orders"), len(found.rows), found.more, "search-orders"):
            for order in found.rows:
                package = view.packages.get(order.product_id, "")
                _card(
                    f"/admin/orders/{order.code}",
                    f"{order.code} · {order_words(order.status)}",
                    [
                        " · ".join(x for x in (package, format_idr(order.amount_idr)) if x),
                        " · ".join(x for x in (order.name, order.email, order.phone) if x),
                        say(f"Dibuat {when(order.created_at)}", f"Created {when(order.created_at)}"),
                    ],
                    "search-order",
                )
    found = results.customers
    if found.rows:
        with _section(say("Pelanggan", "Customers"), len(found.rows), found.more, "search-customers"):
            for customer in found.rows:
                _card(
                    customer_path(customer.email),
                    customer.name or customer.email,
                    [
                        " · ".join(x for x in (customer.email, customer.phone) if x),
                        say(
                            f"{customer.orders} pesanan · dibayar {format_idr(customer.spent_idr)}",
                            f"{customer.orders} orders · paid {format_idr(customer.spent_idr)}",
                        ),
                    ],
                    "search-customer",
                )
    found = results.accounts
    if found.rows:
        with _section(say("Akun ChatGPT", "ChatGPT accounts"), len(found.rows), found.more, "search-accounts"):
            for account in found.rows:
                _card(
                    f"/admin/accounts/{stored_id(account.id)}",
                    account.email,
                    [
                        account.display_name,
                        say("Kursi terpakai", "Seats used") + f" {account.seats_used}/{account.max_seats or 1}",
                    ],
                    "search-account",
                )
    found = results.seats
    if found.rows:
        with _section(say("Kursi", "Seats"), len(found.rows), found.more, "search-seats"):
            for seat in found.rows:
                code = view.codes.get(seat.order_id, "")
                _card(
                    f"/admin/orders/{code}" if code else customer_path(seat.customer_email),
                    f"{seat.customer_email} · {SEAT_WORDS.get(seat.status, seat.status)}",
                    [
                        say("Akun", "Account") + f" {view.accounts.get(seat.chatgpt_account_id, '')}",
                        say(
                            f"Berakhir {when(seat.end_at)} · pesanan {code}", f"Ends {when(seat.end_at)} · order {code}"
                        ),
                    ],
                    "search-seat",
                )


def search_ui(view: SearchView) -> None:
    with ui.row().classes("w-full items-center gap-2 no-wrap"):
        box = (
            ui.input(say(HINT, HINT_EN), value=view.results.query)
            .props("outlined clearable autofocus")
            .classes("grow min-w-0")
            .mark("search-query")
        )
        box.on("keydown.enter", lambda: go_search(box.value or ""))
        ui.button(say("Cari", "Search"), on_click=lambda: go_search(box.value or "")).classes("min-h-[44px]").mark(
            "search-go"
        )
    results_ui(view)
