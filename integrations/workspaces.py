"""Which driver automates the shop's workspaces: ChatGPT's web backend at CHATGPT_API_BASE (the simulator in
development and tests), through CHATGPT_PROXY when set. Accounts whose driver is `manual` use none: the owner's
invite queue on the admin pages serves them."""

from __future__ import annotations

from domain.workspaces.driver import WorkspaceDriver
from infra.settings import Settings
from integrations.chatgpt import ChatGPTDriver, Transport


def build_workspace_driver(settings: Settings, *, transport: Transport | None = None) -> WorkspaceDriver:
    """The driver for `chatgpt` accounts; `transport` swaps the HTTP client (a browser-impersonating one)."""
    return ChatGPTDriver(
        api_base=settings.CHATGPT_API_BASE,
        auth_base=settings.CHATGPT_AUTH_BASE,
        transport=transport,
        proxy=settings.CHATGPT_PROXY,
        timeout=settings.CHATGPT_TIMEOUT_S,
        rate_per_minute=settings.CHATGPT_RATE_PER_MINUTE,
        backoff_s=settings.CHATGPT_RETRY_BASE_S,
    )
