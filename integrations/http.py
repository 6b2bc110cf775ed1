"""The one way the gateway clients call out: timeouts, one retry on a connect error, errors mapped."""

from __future__ import annotations

from typing import Any

import httpx

from domain.payments.gateway import GatewayError


def call(client: httpx.Client, provider: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
    """The response of one call (retried once when the connection fails); GatewayError for a timeout,
    a transport failure or a 5xx, which another gateway may survive."""
    for attempt in (1, 2):
        try:
            response = client.request(method, path, **kwargs)
            break
        except httpx.ConnectError as exc:
            if attempt == 2:
                raise GatewayError(f"{provider} unreachable: {exc}") from exc
        except httpx.TimeoutException as exc:
            raise GatewayError(f"{provider} timed out on {path}") from exc
        except httpx.HTTPError as exc:
            raise GatewayError(f"{provider} call failed: {type(exc).__name__}") from exc
    if response.status_code >= 500:
        raise GatewayError(f"{provider} answered HTTP {response.status_code} on {path}")
    return response
