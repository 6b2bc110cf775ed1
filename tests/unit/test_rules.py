"""Pure rules: input normalisation, the order state table, encryption round trip, settings."""

from __future__ import annotations

import pytest

from domain.orders.states import AWAITING_PAYMENT, ORDER_TRANSITIONS, can_transition
from domain.shared import crypto
from domain.shared.errors import ValidationFailed
from domain.shared.models import OrderStatus
from domain.shared.validation import normalize_email, normalize_phone
from infra.settings import ConfigError, Settings


@pytest.mark.parametrize(
    "raw", ["081234567890", "+6281234567890", "6281234567890", "0812-3456-7890", "+62 812 3456 7890"]
)
def test_indonesian_numbers_become_e164(raw: str) -> None:
    assert normalize_phone(raw) == "+6281234567890"


@pytest.mark.parametrize("raw", ["", "12345", "+1 415 555 0100", "0212345678", "08abc"])
def test_non_mobile_numbers_are_refused(raw: str) -> None:
    with pytest.raises(ValidationFailed):
        normalize_phone(raw)


def test_email_is_trimmed_and_lower_cased() -> None:
    assert normalize_email("  Budi.Santoso@Gmail.COM ") == "budi.santoso@gmail.com"
    for bad in ("budi", "budi@", "@gmail.com", "budi@gmail", "a b@c.com"):
        with pytest.raises(ValidationFailed):
            normalize_email(bad)


def test_state_table_covers_every_status_and_refunded_is_final() -> None:
    assert set(ORDER_TRANSITIONS) == set(OrderStatus)
    assert ORDER_TRANSITIONS[OrderStatus.REFUNDED] == frozenset()
    assert not can_transition(OrderStatus.FULFILLED, OrderStatus.PAYMENT_EXPIRED)
    assert all(can_transition(s, OrderStatus.FULFILLED) for s in AWAITING_PAYMENT), "late payments are honoured"


def test_encryption_round_trip_and_no_plaintext() -> None:
    token = crypto.encrypt_secret("hunter2-hunter2")
    assert "hunter2" not in token
    assert crypto.decrypt_secret(token) == "hunter2-hunter2"


STRONG = "q8Zr2-VbN4x_Lm7TkWc9Ds1Fh6Jp3Gy5"


@pytest.mark.parametrize("missing", ["STORAGE_SECRET", "ENCRYPTION_KEY"])
def test_production_refuses_missing_or_placeholder_secrets(missing: str, tmp_path) -> None:
    values = {
        "APP_ENV": "production",
        "DATABASE_URL": "postgresql://x/y",
        "DATA_DIR": tmp_path,
        "STORAGE_SECRET": STRONG,
        "ENCRYPTION_KEY": "mNTPz1H3Gm9F0vTQx8o6Cq0m8ZbP3kQb4m2Bq7n1VJ0=",
    }
    for placeholder in ("", "changeme"):
        with pytest.raises(ConfigError, match=missing):
            Settings(_env_file=None, **(values | {missing: placeholder}))


def test_development_generates_and_keeps_secrets(tmp_path) -> None:
    first = Settings(_env_file=None, APP_ENV="development", DATA_DIR=tmp_path, STORAGE_SECRET="", ENCRYPTION_KEY="")
    again = Settings(_env_file=None, APP_ENV="development", DATA_DIR=tmp_path, STORAGE_SECRET="", ENCRYPTION_KEY="")
    assert first.STORAGE_SECRET and first.STORAGE_SECRET == again.STORAGE_SECRET
    assert first.ENCRYPTION_KEY == again.ENCRYPTION_KEY
    assert (tmp_path / ".encryption_key").stat().st_mode & 0o077 == 0


def test_links_follow_the_port_until_a_public_address_is_set(tmp_path) -> None:
    assert Settings(_env_file=None, DATA_DIR=tmp_path, PORT=18181).public_url == "http://localhost:18181"
    shop = Settings(_env_file=None, DATA_DIR=tmp_path, PORT=18181, BASE_URL="https://shop.example.com/")
    assert shop.public_url == "https://shop.example.com"


PRODUCTION = {
    "APP_ENV": "production",
    "DATABASE_URL": "postgresql://x/y",
    "STORAGE_SECRET": STRONG,
    "ENCRYPTION_KEY": "mNTPz1H3Gm9F0vTQx8o6Cq0m8ZbP3kQb4m2Bq7n1VJ0=",
    "TRIPAY_BASE_URL": "https://tripay.co.id/api-sandbox/",
    "TRIPAY_MERCHANT_CODE": "T1234",
    "TRIPAY_API_KEY": "DEV-k3Yq9ZrW2mXv8Lp4Tn6B",
    "TRIPAY_PRIVATE_KEY": "Pz7Qw-4Rt9Y-2Ks8L-6Vb3N",
}


@pytest.mark.parametrize(
    ("name", "weak"),
    [
        ("STORAGE_SECRET", "x"),
        ("STORAGE_SECRET", "password"),
        ("STORAGE_SECRET", "x" * 40),
        ("TRIPAY_PRIVATE_KEY", "x"),
        ("TRIPAY_API_KEY", "abc"),
        ("METRICS_TOKEN", "metrics"),
        ("ADMIN_PASSWORD", "admin123"),
    ],
)
def test_production_refuses_weak_secrets(name: str, weak: str, tmp_path) -> None:
    """Trust #10: production accepted STORAGE_SECRET=x or password and TRIPAY_PRIVATE_KEY=x."""
    Settings(_env_file=None, DATA_DIR=tmp_path, **PRODUCTION)  # the strong ones start
    with pytest.raises(ConfigError, match=f"{name} is too weak"):
        Settings(_env_file=None, DATA_DIR=tmp_path, **(PRODUCTION | {name: weak}))


@pytest.mark.parametrize("env", ["staging", "test", "Production-1", ""])
def test_only_development_and_production_exist(env: str, tmp_path) -> None:
    """Trust #10: APP_ENV=staging acted as development (sandbox mounted, demo admin seeded)."""
    with pytest.raises(ConfigError, match="neither development nor production"):
        Settings(_env_file=None, DATA_DIR=tmp_path, **(PRODUCTION | {"APP_ENV": env}))
    assert Settings(_env_file=None, DATA_DIR=tmp_path, APP_ENV="development").is_production is False
    assert Settings(_env_file=None, DATA_DIR=tmp_path, **PRODUCTION).is_production is True
