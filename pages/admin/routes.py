"""Every admin page on one router (main.py includes it). A route checks the session, reads its page's view
in a thread and hands it to the page's drawing function; the drawing lives beside the view in its module."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nicegui import APIRouter

from domain.admin.listing import MAX_ROW_ID
from domain.shared.models import AssignmentStatus, EventOutcome, Health, OrderStatus
from domain.shared.shop_settings import SHOP_CONFIG
from pages.admin import (
    account_detail,
    accounts,
    assignments,
    customers,
    logs,
    orders,
    overview,
    promos,
    reports,
    sales,  # noqa: F401  (every admin page's header: the new-sale notices)
    search,
    security,
    settings,
    shop,
    whatsapp_outbox,
)
from pages.admin.filters import AddressFilters
from pages.admin.frame import admin_frame
from pages.admin.login import login_target, login_ui
from pages.admin.session import start_session
from pages.threads import PAGE_BUILD_SECONDS, io_bound

router = APIRouter()


def page(path: str, *, title: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """`router.page` with the page's time to build raised from NiceGUI's 3 s (pages/threads.py)."""
    return router.page(path, title=title, response_timeout=PAGE_BUILD_SECONDS)


@page("/admin/login", title="Masuk — AksesGPT admin")
def login_page(next: str = "/admin", expired: int = 0) -> None:  # noqa: A002 (the query parameter's name)
    login_ui(login_target(next), expired=bool(expired))


router.add_api_route("/admin/session", start_session, methods=["GET"], include_in_schema=False)


@page("/admin/security", title="Keamanan — AksesGPT admin")
async def security_page() -> None:
    async with admin_frame("Keamanan akun") as admin:
        if admin is not None:
            security.security_ui(admin, await io_bound(security.load_view, admin.id))


@page("/admin", title="Ringkasan — AksesGPT admin")
async def overview_page() -> None:
    async with admin_frame("Ringkasan") as admin:
        if admin is not None:
            threshold = (await io_bound(SHOP_CONFIG.load)).low_pool_threshold  # the owner's (Toko page)
            overview.overview_ui(await overview.SHARED.current(), threshold)


@page("/admin/accounts", title="Akun — AksesGPT admin")
async def accounts_page(health: str = "") -> None:
    async with admin_frame("Akun ChatGPT") as admin:
        if admin is not None:
            given = AddressFilters()
            filters = accounts.AccountFilters(health=given.choice("health", health, Health))
            given.show()
            accounts.accounts_ui(admin, await io_bound(accounts.load_view, filters))


@page("/admin/accounts/{account_id}", title="Akun — AksesGPT admin")
async def account_page(account_id: str) -> None:
    async with admin_frame("Akun ChatGPT") as admin:
        if admin is not None:
            number = int(account_id) if account_id.isdecimal() and 0 < int(account_id) <= MAX_ROW_ID else 0
            detail = await io_bound(account_detail.load_detail, number) if number else None
            account_detail.account_detail_ui(admin, number, detail)


@page("/admin/assignments", title="Penugasan — AksesGPT admin")
async def assignments_page(status: str = "", account_id: str = "", email: str = "") -> None:
    async with admin_frame("Penugasan kursi") as admin:
        if admin is not None:
            given = AddressFilters()
            filters = assignments.SeatFilters(
                status=given.choice("status", status, AssignmentStatus),
                email=email,
                account_id=given.row_id("account_id", account_id),
            )
            given.show()
            assignments.assignments_ui(admin, await io_bound(assignments.load_view, filters))


@page("/admin/orders", title="Pesanan — AksesGPT admin")
async def orders_page(status: str = "") -> None:
    async with admin_frame("Pesanan") as admin:
        if admin is not None:
            given = AddressFilters()
            filters = orders.OrderFilters(status=given.choice("status", status, OrderStatus))
            given.show()
            orders.orders_ui(await io_bound(orders.load_view, filters))


@page("/admin/orders/{code}", title="Pesanan — AksesGPT admin")
async def order_detail_page(code: str) -> None:
    async with admin_frame(f"Pesanan {code}") as admin:
        if admin is not None:
            orders.order_detail_ui(admin, code, await io_bound(orders.load_detail, code))


@page("/admin/audit", title="Audit — AksesGPT admin")
async def audit_page(entity: str = "", entity_id: str = "") -> None:
    async with admin_frame("Audit log") as admin:
        if admin is not None:
            given = AddressFilters()
            filters = logs.AuditFilters(
                entity=given.choice("entity", entity, logs.ENTITIES), entity_id=given.row_id("entity_id", entity_id)
            )
            given.show()
            logs.audit_ui(await io_bound(logs.load_audit, filters))


@page("/admin/webhooks", title="Webhook — AksesGPT admin")
async def webhooks_page(outcome: str = "") -> None:
    async with admin_frame("Webhook pembayaran") as admin:
        if admin is not None:
            given = AddressFilters()
            filters = logs.EventFilters(outcome=given.choice("outcome", outcome, EventOutcome))
            given.show()
            logs.webhooks_ui(await io_bound(logs.load_webhooks, filters))


@page("/admin/outbox", title="Outbox — AksesGPT admin")
async def outbox_page() -> None:
    async with admin_frame("Outbox e-mail") as admin:
        if admin is not None:
            logs.outbox_ui(await io_bound(logs.load_outbox, logs.MailFilters()))
            whatsapp_outbox.whatsapp_outbox_ui(await io_bound(whatsapp_outbox.load_whatsapp_outbox))


@page("/admin/packages", title="Paket — AksesGPT admin")
async def packages_page() -> None:
    async with admin_frame("Paket") as admin:
        if admin is not None:
            settings.packages_ui(admin, await io_bound(settings.load_packages))


@page("/admin/users", title="Admin — AksesGPT admin")
async def users_page() -> None:
    async with admin_frame("Admin") as admin:
        if admin is not None:
            settings.users_ui(admin, await io_bound(settings.load_users, admin.id))


@page("/admin/reports", title="Laporan — AksesGPT admin")
async def reports_page() -> None:
    async with admin_frame("Laporan") as admin:
        if admin is not None:
            reports.reports_ui(await io_bound(reports.load_view, reports.default_period()))


@page("/admin/search", title="Cari — AksesGPT admin")
async def search_page(q: str = "") -> None:
    async with admin_frame("Cari") as admin:
        if admin is not None:
            search.search_ui(await io_bound(search.load_results, q))


@page("/admin/customers", title="Pelanggan — AksesGPT admin")
async def customers_page(q: str = "") -> None:
    async with admin_frame("Pelanggan") as admin:
        if admin is not None:
            filters = customers.CustomerFilters(search=q)
            customers.customers_ui(await io_bound(customers.load_view, filters))


@page("/admin/customers/{key}", title="Pelanggan — AksesGPT admin")
async def customer_page(key: str) -> None:
    async with admin_frame("Pelanggan") as admin:
        if admin is not None:
            customers.customer_ui(admin, key, await io_bound(customers.load_customer, key))


@page("/admin/shop", title="Toko — AksesGPT admin")
async def shop_page() -> None:
    async with admin_frame("Pengaturan toko") as admin:
        if admin is not None:
            shop.shop_ui(admin, await io_bound(shop.load_view))


@page("/admin/promos", title="Promo — AksesGPT admin")
async def promos_page() -> None:
    async with admin_frame("Kode promo") as admin:
        if admin is not None:
            promos.promos_ui(admin, await io_bound(promos.load_view))
