"""Finding an order again by its code and the e-mail or WhatsApp number it was placed with, the number typed in
any form; a wrong code and a wrong contact give the same None."""

from __future__ import annotations

import pytest

from domain.orders.lookup import find_order_link
from domain.orders.orders import create_order
from domain.shared.links import access_token
from infra import db
from tests.helpers import make_product


@pytest.fixture
def order(engine):
    make_product()
    placed, _ = db.in_transaction(
        lambda s: create_order(
            session=s, product_slug="paket-30-hari", email="siti@example.com", name="Siti", phone="0812 3456 7890"
        )
    )
    return placed


def _find(code: str, contact: str) -> str | None:
    with db.read_session() as s:
        return find_order_link(session=s, code=code, contact=contact)


@pytest.mark.parametrize(
    "contact",
    [
        "0812-3456-7890",
        "+62 812 3456 7890",
        "6281234567890",
        "(0812) 3456.7890",
        "SITI@Example.com",
        " siti@example.com ",
    ],
)
def test_the_code_with_the_email_or_the_number_in_any_form_finds_the_order(order, contact: str) -> None:
    link = _find(order.code, contact)
    assert link is not None and link.endswith(f"/order/{order.code}?t={access_token(order.code)}")
    assert _find(f" {order.code.lower()} ", contact) == link  # the code as typed from a message


@pytest.mark.parametrize(
    ("code", "contact"),
    [
        ("AG-NOSUCHCODE", "siti@example.com"),  # unknown code, right contact
        (None, "budi@example.com"),  # right code, someone else's e-mail
        (None, "0813 9999 8888"),  # right code, someone else's number
        (None, "not a contact"),
        (None, ""),
        ("", "siti@example.com"),
        ("AG-\x00", "siti@example.com"),
    ],
)
def test_a_wrong_code_or_contact_is_the_same_nothing(order, code: str | None, contact: str) -> None:
    assert _find(order.code if code is None else code, contact) is None
