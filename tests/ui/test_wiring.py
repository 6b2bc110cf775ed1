"""main.wire() runs again for every test of the NiceGUI harness (and could in one process): it must not pile up."""

from __future__ import annotations

from nicegui import app
from nicegui.testing import User


def _layers(lifespan: object) -> int:
    """How many times FastAPI has wrapped the app's lifespan (each include_router wraps it once more)."""
    layers = 0
    while getattr(lifespan, "__name__", "") == "merged_lifespan":
        inner = getattr(lifespan, "__wrapped__", lifespan)  # asynccontextmanager's wrapper around the function
        code, cells = inner.__code__, inner.__closure__ or ()
        lifespan = dict(zip(code.co_freevars, (cell.cell_contents for cell in cells), strict=True))["original_context"]
        layers += 1
    return layers


async def test_wiring_again_adds_no_routes_and_no_lifespan_layers(user: User) -> None:
    import main  # noqa: PLC0415  the harness already ran it; imported here for its wire()

    main.wire()
    layers, routes = _layers(app.router.lifespan_context), len(app.routes)
    for _ in range(20):
        main.wire()
    assert _layers(app.router.lifespan_context) == layers, "a lifespan layer per router per run overflowed the stack"
    assert len(app.routes) == routes
    await user.open("/")
    await user.should_see("AksesGPT")
