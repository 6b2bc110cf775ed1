"""Logging: readable key=value lines in development, JSON lines in production; one named logger per
area, and (with LOG_DIR) rotated files named as the owner's brief names them."""

from __future__ import annotations

import json
import logging
import sys
from logging.handlers import RotatingFileHandler

from infra.settings import Settings

AREA_FILES = {
    "aksesgpt.webhooks": "tripay_webhooks.log",
    "aksesgpt.allocation": "account_allocation.log",
    "aksesgpt.jobs": "jobs.log",
}
TEXT_FORMAT = "%(asctime)s level=%(levelname)s logger=%(name)s %(message)s"
_MARK = "_aksesgpt_handler"


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "at": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def formatter_for(settings: Settings) -> logging.Formatter:
    wanted = settings.LOG_FORMAT.lower()
    json_lines = wanted == "json" or (wanted == "auto" and settings.is_production)
    return JsonFormatter() if json_lines else logging.Formatter(TEXT_FORMAT)


def handlers_for(settings: Settings) -> list[tuple[str, logging.Handler]]:
    """(logger name, handler) pairs: everything to stderr, each area to its own rotated file."""
    formatter = formatter_for(settings)
    stream = logging.StreamHandler(sys.stderr)
    pairs: list[tuple[str, logging.Handler]] = [("aksesgpt", stream)]
    if settings.LOG_DIR:
        settings.LOG_DIR.mkdir(parents=True, exist_ok=True)
        pairs.append(
            (
                "aksesgpt",
                RotatingFileHandler(settings.LOG_DIR / "app.log", maxBytes=10_000_000, backupCount=5, encoding="utf-8"),
            )
        )
        pairs += [
            (
                name,
                RotatingFileHandler(settings.LOG_DIR / filename, maxBytes=10_000_000, backupCount=5, encoding="utf-8"),
            )
            for name, filename in AREA_FILES.items()
        ]
    for _, handler in pairs:
        handler.setFormatter(formatter)
        setattr(handler, _MARK, True)
    return pairs


def configure_logging(settings: Settings) -> None:
    """Install our handlers once per process (the test harness re-runs main.py)."""
    root = logging.getLogger("aksesgpt")
    if any(getattr(h, _MARK, False) for h in root.handlers):
        return
    for name, handler in handlers_for(settings):
        logging.getLogger(name).addHandler(handler)
    root.setLevel(logging.INFO)
