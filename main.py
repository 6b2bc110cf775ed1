"""Entry point: wire the app (also re-run by NiceGUI's test harness) and serve it."""

from __future__ import annotations

import gc

import fastapi
from nicegui import app, ui
from starlette.routing import Mount

from api.admin import router as admin_api_router
from api.callbacks import callback_ping
from api.callbacks import router as callbacks_router
from api.headers import SecurityHeaders
from api.health import router as health_router
from api.lanes import open_machine_lane
from api.metrics import router as metrics_router
from api.orders import router as orders_router
from api.promos import router as promos_router
from infra import db
from infra.logs import configure_logging
from infra.ratelimit import lookup_limit, order_limit
from infra.ratelimit import use_storage as use_rate_limit_storage
from infra.settings import get_settings
from infra.types import utcnow
from integrations.chatgpt_sim import ChatGPTSimConfig, create_chatgpt_sim_app
from integrations.gateways import SANDBOX_MOUNT, build_gateways
from integrations.sandbox import create_sandbox_app
from integrations.smtp import sender_for
from integrations.telegram import telegram_bot_for
from integrations.whatsapp import whatsapp_sender_for
from integrations.workspaces import build_workspace_driver
from pages.admin.frame import AdminSessionMiddleware
from pages.admin.routes import router as admin_pages
from pages.quiet_outbox import install as quiet_idle_pages
from pages.shop import errors as error_pages
from pages.shop.frame import LanguageCookie, add_shared_head
from pages.shop.routes import router as shop_pages
from pages.socket_binding import UploadBinding
from pages.socket_binding import install as bind_pages_to_browsers
from runtime.demo_workspace import CHATGPT_SIM_MOUNT, seed_demo_workspace, simulated_settings, start_demo_workspaces
from runtime.feed import FEED
from runtime.scheduler import build_scheduler, shop_jobs
from runtime.scheduler import start as start_scheduler
from runtime.scheduler import stop as stop_scheduler
from runtime.startup import keep_files_private, prepare_database, warn_about_settings
from runtime.workspaces import WorkspaceWorker


def include_once(router: fastapi.APIRouter) -> None:
    """Include a router (pages or JSON), replacing an earlier inclusion of the same router: wire() may run again in one
    process (NiceGUI's test harness re-runs this file), and a router included twice would serve its pages twice."""
    app.router.routes[:] = [r for r in app.router.routes if getattr(r, "original_router", None) is not router]
    app.include_router(router)


def forget_earlier_wiring() -> None:
    """FastAPI wraps the app's lifespan once more at every include_router, and NiceGUI's test harness re-runs
    this file for each test: without this, the nesting grew by a level per router per test until starting the app
    overflowed the stack (after a few hundred tests). None of our routers has a lifespan of its own."""
    base = app.__dict__.setdefault("_aksesgpt_base_lifespan", app.router.lifespan_context)
    app.router.lifespan_context = base


RECONNECT_SECONDS = 30.0  # see docs/decisions.md "Live by push"


def wire() -> None:
    """Everything the app needs before serving: database, gateways, routes, pages."""
    keep_files_private()  # before anything is written
    forget_earlier_wiring()
    settings = get_settings()
    configure_logging(settings)
    warn_about_settings(settings)
    prepare_database(settings)
    gateways = build_gateways(settings)
    app.state.settings, app.state.gateways = settings, gateways
    use_rate_limit_storage(settings.rate_limit_storage_url)
    order_limit.configure(limit=settings.ORDER_RATE_LIMIT_PER_MINUTE, per_seconds=60)
    lookup_limit.configure(limit=settings.LOOKUP_RATE_LIMIT_PER_HOUR, per_seconds=3600)
    app.on_shutdown(gateways.close)
    if not app.is_started:  # (wired again in a running app, in tests: the feed runs already)
        app.on_startup(FEED.start)  # the change feed: open pages follow what every app process commits
        app.on_shutdown(FEED.stop)
    # development without CHATGPT_API_BASE: the app serves the ChatGPT simulator itself, with a demo workspace
    simulated = not settings.is_production and not (
        "CHATGPT_API_BASE" in settings.model_fields_set and settings.CHATGPT_API_BASE.strip()
    )
    workspace_settings = simulated_settings(settings) if simulated else settings
    app.state.workspaces = WorkspaceWorker(build_workspace_driver(workspace_settings))
    app.on_shutdown(app.state.workspaces.close)
    app.state.started_at, app.state.jobs = utcnow(), []
    if settings.SCHEDULER_ENABLED:
        telegram = telegram_bot_for(settings)
        if telegram is not None:
            app.on_shutdown(telegram.close)
        whatsapp = whatsapp_sender_for(settings)
        if whatsapp is not None:
            app.on_shutdown(whatsapp.close)
        app.state.jobs = shop_jobs(
            settings, gateways.by_name, sender_for(settings), telegram, app.state.workspaces, whatsapp_sender=whatsapp
        )
        scheduler = build_scheduler(app.state.jobs)
        app.on_startup(lambda: start_scheduler(scheduler))
        app.on_shutdown(lambda: stop_scheduler(scheduler))
    include_once(health_router)
    include_once(metrics_router)
    include_once(callbacks_router)
    include_once(orders_router)
    include_once(promos_router)
    include_once(admin_api_router)
    app.router.routes[:] = [r for r in app.router.routes if not (isinstance(r, Mount) and r.path == SANDBOX_MOUNT)]
    if gateways.sandbox is not None:  # development without gateway settings: serve the simulator ourselves
        app.mount(SANDBOX_MOUNT, create_sandbox_app(gateways.sandbox))
    app.router.routes[:] = [r for r in app.router.routes if not (isinstance(r, Mount) and r.path == CHATGPT_SIM_MOUNT)]
    if simulated:
        sim_app = create_chatgpt_sim_app(ChatGPTSimConfig(list_lag_s=2.0))
        app.mount(CHATGPT_SIM_MOUNT, sim_app)
        if settings.DEMO_DATA:
            with db.write_session() as session:
                seed_demo_workspace(session=session, settings=settings)
        start_demo_workspaces(sim_app.state.sim, settings)
    app.add_middleware(AdminSessionMiddleware)
    app.add_middleware(UploadBinding)  # a page's uploads, like its socket, only from the browser that loaded it
    bind_pages_to_browsers()
    quiet_idle_pages()
    app.add_middleware(SecurityHeaders, https=settings.public_url.startswith("https://"))
    app.add_middleware(LanguageCookie, https=settings.public_url.startswith("https://"))
    # the shop's 404 and 500 pages instead of NiceGUI's, which show the exception (the machines' lane keeps JSON)
    app.add_exception_handler(404, error_pages.not_found)
    app.add_exception_handler(Exception, error_pages.server_error)
    open_machine_lane(app)
    add_shared_head()
    include_once(shop_pages)
    include_once(admin_pages)
    if settings.BENCH_PAGES:
        ui.page("/_bench/bare")(lambda: ui.label("ok"))
        app.add_api_route("/_bench/ping", callback_ping, methods=["POST"], include_in_schema=False)


wire()

if __name__ in {"__main__", "__mp_main__"}:
    settings = get_settings()
    # what start-up built (modules, routes, NiceGUI, SQLAlchemy's caches) lives as long as the process: keep it
    # out of the collector's full passes, which walked it all and paused every request for 100-150 ms under load
    gc.collect()
    gc.freeze()
    ui.run(
        host=settings.HOST,
        port=settings.PORT,
        title="AksesGPT",
        language="id",
        storage_secret=settings.STORAGE_SECRET,
        # behind HTTPS the session cookie is Secure: a browser never sends it over plain HTTP
        session_middleware_kwargs={"https_only": settings.public_url.startswith("https://")},
        reload=False,
        show=False,
        show_welcome_message=True,
        forwarded_allow_ips=settings.FORWARDED_ALLOW_IPS,  # the proxy whose X-Forwarded-For names the customer
        reconnect_timeout=RECONNECT_SECONDS,
    )
