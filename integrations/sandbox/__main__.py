"""Run the payment simulator on its own: python -m integrations.sandbox --port 9000

Credentials come from the same TRIPAY_* / MIDTRANS_* settings as the app (environment or .env)."""

from __future__ import annotations

import argparse
import sys

import uvicorn

from infra.settings import get_settings
from integrations.sandbox.app import create_sandbox_app
from integrations.sandbox.state import SandboxConfig


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m integrations.sandbox", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9000)
    parser.add_argument("--retry-interval", type=float, default=120.0, help="seconds between callback retries")
    parser.add_argument("--max-retries", type=int, default=3, help="retries of an unacknowledged callback")
    parser.add_argument("--callback-url", default="", help="default Tripay callback URL (else TRIPAY_CALLBACK_URL)")
    parser.add_argument("--midtrans-notification-url", default="")
    args = parser.parse_args(argv)
    settings = get_settings()
    if settings.is_production:
        print("the payment sandbox refuses to run with APP_ENV=production", file=sys.stderr)
        return 2
    missing = [n for n in ("TRIPAY_MERCHANT_CODE", "TRIPAY_API_KEY", "TRIPAY_PRIVATE_KEY") if not getattr(settings, n)]
    if missing:
        print(f"set {', '.join(missing)} (the credentials the app will use against this sandbox)", file=sys.stderr)
        return 2
    config = SandboxConfig(
        tripay_merchant_code=settings.TRIPAY_MERCHANT_CODE,
        tripay_api_key=settings.TRIPAY_API_KEY,
        tripay_private_key=settings.TRIPAY_PRIVATE_KEY,
        midtrans_server_key=settings.MIDTRANS_SERVER_KEY,
        tripay_callback_url=args.callback_url or settings.TRIPAY_CALLBACK_URL,
        midtrans_notification_url=args.midtrans_notification_url,
        public_url=f"http://{args.host}:{args.port}",
        retry_interval=args.retry_interval,
        max_retries=args.max_retries,
    )
    uvicorn.run(create_sandbox_app(config), host=args.host, port=args.port, log_level="warning")
    return 0


if __name__ == "__main__":
    sys.exit(main())
