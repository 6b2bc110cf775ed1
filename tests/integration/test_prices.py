"""Trust #16 in the domain: a package's price, duration and order, and an account's seats, are whole numbers the
shop can use or a refusal naming the field (never clamped, rounded or truncated; never a DataError from a
column too small); a price below what every enabled payment channel accepts is refused when it is set."""

from __future__ import annotations

import pytest

from domain.catalog.pool import add_account, validate_account
from domain.catalog.products import MAX_DURATION_DAYS, create_product, update_product
from domain.payments.checkout import lowest_channel_minimum
from domain.payments.gateway import GatewayError, PaymentChannel
from domain.shared.errors import ValidationFailed
from domain.shared.validation import parse_rupiah
from infra import db
from tests.helpers import ADMIN, fingerprint, make_product


def _refused(engine, work, field: str, match: str | None = None) -> None:
    before = fingerprint(engine)
    with pytest.raises(ValidationFailed, match=match) as caught:
        db.in_transaction(work)
    assert fingerprint(engine) == before, "a refused call must change nothing"
    assert caught.value.context.get("field") == field


def _create(**fields):
    values = {"slug": "paket-uji", "name": "Paket uji", "price_idr": 75_000, "duration_days": 30} | fields
    return lambda s: create_product(session=s, actor=ADMIN, **values)


def test_75_000_as_typed_is_seventy_five_thousand_rupiah(engine) -> None:
    product = db.in_transaction(_create(price_idr=parse_rupiah("75.000"), lowest_price_idr=10_000))
    assert product.price_idr == 75_000


def test_a_price_below_every_channels_minimum_is_refused(engine) -> None:
    _refused(engine, _create(price_idr=75, lowest_price_idr=1_000), "price_idr", "Rp 75 is below Rp 1.000")
    assert db.in_transaction(_create(price_idr=1_000, lowest_price_idr=1_000)).price_idr == 1_000


def test_without_a_known_minimum_the_price_is_not_checked_against_one(engine) -> None:
    assert db.in_transaction(_create(price_idr=75)).price_idr == 75  # a gateway did not answer: None


def test_changing_the_price_is_checked_other_changes_of_a_cheap_package_are_not(engine) -> None:
    product = make_product(price_idr=500)  # saved before the rule (or without a known minimum)
    _refused(
        engine,
        lambda s: update_product(session=s, actor=ADMIN, product_id=product.id, price_idr=700, lowest_price_idr=1_000),
        "price_idr",
    )
    changed = db.in_transaction(
        lambda s: update_product(session=s, actor=ADMIN, product_id=product.id, is_active=False, lowest_price_idr=1_000)
    )
    assert (changed.is_active, changed.price_idr) == (False, 500), "it can still be taken off sale"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"duration_days": 0}, "duration_days"),
        ({"duration_days": MAX_DURATION_DAYS + 1}, "duration_days"),
        ({"duration_days": 1.5}, "duration_days"),
        ({"duration_days": True}, "duration_days"),
        ({"price_idr": 10**12}, "price_idr"),  # past PostgreSQL's INTEGER: it was a DataError (a 500)
        ({"price_idr": 1_000_000_001}, "price_idr"),
        ({"price_idr": True}, "price_idr"),
        ({"sort_order": 10**12}, "sort_order"),
        ({"sort_order": 2.5}, "sort_order"),
    ],
)
def test_numbers_a_package_cannot_use_are_refused(engine, fields, field) -> None:
    _refused(engine, _create(**fields), field)


def test_numbers_are_checked_on_update_too(engine) -> None:
    product = make_product()
    for changes, field in (({"sort_order": 10**12}, "sort_order"), ({"duration_days": 0}, "duration_days")):
        _refused(engine, lambda s, c=changes: update_product(session=s, actor=ADMIN, product_id=product.id, **c), field)


@pytest.mark.parametrize("typed", [2.5, "2.5", "10.000", "0", "501", "dua"])
def test_max_seats_are_refused_not_truncated(engine, typed) -> None:
    _refused(
        engine,
        lambda s: add_account(session=s, actor=ADMIN, email="team@example.com", password="pw", max_seats=typed),
        "max_seats",
    )


def test_max_seats_that_can_be_used() -> None:
    for typed, seats in (("3", 3), (" 3 ", 3), (3, 3), (3.0, 3), ("", None), (None, None)):
        assert validate_account(email="a@example.com", password="pw", max_seats=typed).max_seats == seats, typed


class Gateway:
    def __init__(self, *minimums: int, down: bool = False) -> None:
        self.name, self.minimums, self.down = "fake", minimums, down

    def channels(self) -> list[PaymentChannel]:
        if self.down:
            raise GatewayError("timeout")
        return [
            PaymentChannel(code=f"C{m}", name="c", group="QRIS", kind="direct", minimum_amount=m) for m in self.minimums
        ]


def test_the_lowest_minimum_over_every_enabled_channel() -> None:
    assert lowest_channel_minimum([Gateway(10_000, 1_000), Gateway(5_000)]) == 1_000
    assert lowest_channel_minimum([Gateway(10_000), Gateway(0)]) == 0, "a channel without a minimum"
    assert lowest_channel_minimum([Gateway(10_000), Gateway(down=True)]) is None, "unknown: not checked"
    assert lowest_channel_minimum([]) is None and lowest_channel_minimum([Gateway()]) is None
