"""The order API (the same form check as the checkout page) refuses a bad e-mail address or phone number by
field, in the API's field names, and writes nothing."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.orders import order_limit, router
from infra.settings import Settings
from integrations.gateways import Gateways
from tests.helpers import fingerprint, make_product


@pytest.fixture
def api(engine):
    app = FastAPI()
    app.include_router(router)
    # no gateway: a refused form never reaches one (a form that passed would fail with 503)
    app.state.settings, app.state.gateways = Settings(_env_file=None), Gateways(chain=[])
    order_limit.reset()  # the limit is per process: other tests' requests must not count here
    return TestClient(app)


def _post(api: TestClient, slug: str, **fields: str):
    body = {
        "customer_email": "budi@example.com",
        "package_id": slug,
        "full_name": "Budi",
        "phone_number": "081234567890",
        "payment_method": "QRIS",
    }
    return api.post("/api/orders", json=body | fields)


def test_a_malformed_address_and_a_short_number_are_refused_by_field(engine, api) -> None:
    product = make_product()
    before = fingerprint(engine)
    reply = _post(api, product.slug, customer_email="budi.@gmail.com", phone_number="081234567")
    assert reply.status_code == 400
    errors = reply.json()["errors"]
    assert set(errors) == {"customer_email", "phone_number"}
    assert errors["customer_email"] == "'budi.@gmail.com' is not a valid email address"
    assert "not an Indonesian mobile number" in errors["phone_number"]
    assert fingerprint(engine) == before, "a refused order writes nothing"


def test_an_internationalised_address_passes_and_a_toll_free_number_does_not(engine, api) -> None:
    product = make_product()
    reply = _post(api, product.slug, customer_email="andré@contoh.id", phone_number="+62 800 1234 5678")
    assert reply.status_code == 400
    assert set(reply.json()["errors"]) == {"phone_number"}
