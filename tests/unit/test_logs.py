"""Logs: JSON lines in production, each area in its own file under LOG_DIR as the brief names them."""

from __future__ import annotations

import json
import logging

from infra.logs import handlers_for
from infra.settings import Settings


def test_webhook_lines_go_to_tripay_webhooks_log_as_json(tmp_path) -> None:
    settings = Settings(_env_file=None, LOG_DIR=tmp_path, LOG_FORMAT="json", DATA_DIR=tmp_path)
    pairs = [
        (name, handler)
        for name, handler in handlers_for(settings)
        if name != "aksesgpt" or getattr(handler, "baseFilename", "").endswith("app.log")
    ]
    for name, handler in pairs:
        logging.getLogger(name).addHandler(handler)
    try:
        logging.getLogger("aksesgpt.webhooks").warning("webhook provider=tripay order=AG-X outcome=applied")
        logging.getLogger("aksesgpt.allocation").warning("allocation outcome=fulfilled order=AG-X")
    finally:
        for name, handler in pairs:
            logging.getLogger(name).removeHandler(handler)
            handler.close()
    webhook = json.loads((tmp_path / "tripay_webhooks.log").read_text().splitlines()[0])
    assert webhook["logger"] == "aksesgpt.webhooks" and "order=AG-X" in webhook["message"]
    assert "allocation" in (tmp_path / "account_allocation.log").read_text()
    assert "webhooks" not in (tmp_path / "account_allocation.log").read_text()
    assert len((tmp_path / "app.log").read_text().splitlines()) == 2


def test_development_logs_read_as_key_value_lines(tmp_path) -> None:
    settings = Settings(_env_file=None, DATA_DIR=tmp_path)
    ((_, stream),) = handlers_for(settings)
    record = logging.LogRecord("aksesgpt.jobs", logging.INFO, __file__, 1, "job name=%s", ("x",), None)
    assert stream.format(record).endswith("level=INFO logger=aksesgpt.jobs job name=x")
