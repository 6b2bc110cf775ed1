"""Entry point: wire the app (also re-run by NiceGUI's test harness) and serve it."""

from __future__ import annotations

from nicegui import app, ui

from api.health import router as health_router
from domain.settings import get_settings
from domain.startup import configure_logging, prepare_database
from pages.shop import home


def wire() -> None:
    """Everything the app needs before serving: database, routes, pages."""
    settings = get_settings()
    configure_logging(settings)
    prepare_database(settings)
    app.include_router(health_router)
    home.register()


wire()

if __name__ in {"__main__", "__mp_main__"}:
    settings = get_settings()
    ui.run(
        host=settings.HOST,
        port=settings.PORT,
        title="AksesGPT",
        language="id",
        storage_secret=settings.STORAGE_SECRET,
        reload=False,
        show=False,
        show_welcome_message=True,
    )
