"""UI tests run main.py (as `make run` does) against this test's fresh database."""

from __future__ import annotations

import pytest

from domain.settings import get_settings


@pytest.fixture(autouse=True)
def app_database(db_url: str, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("DEMO_DATA", "1")
    get_settings.cache_clear()
    yield db_url
    get_settings.cache_clear()
