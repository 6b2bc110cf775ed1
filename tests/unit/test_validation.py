"""E-mail addresses (email-validator) and Indonesian mobile numbers (phonenumbers), accepted and refused."""

from __future__ import annotations

import pytest

from domain.shared.errors import ValidationFailed
from domain.shared.validation import normalize_email, normalize_phone, parse_rupiah, parse_whole_number


@pytest.mark.parametrize(
    "bad",
    [
        "budi.@gmail.com",  # a dot just before the @
        "a..b@gmail.com",  # two dots in a row
        "x@-gmail.com",  # a domain label starting with a dash
        ".budi@gmail.com",
        "budi@gmail.com.",
        "budi@gmail..com",
        "budi@gmail",  # no dot in the domain
        "budi@localhost",
        "budi@contoh.test",  # special-use domains other than .invalid stay refused
        "budi@contoh.local",
        '"budi"@gmail.com',  # quoted local parts
        "Budi <budi@gmail.com>",  # a display name
        "budi@[127.0.0.1]",  # a domain literal
        "budi@" + "a" * 250 + ".com",  # longer than 254 altogether
    ],
)
def test_malformed_addresses_are_refused_naming_their_field(bad: str) -> None:
    with pytest.raises(ValidationFailed, match="is not a valid email address") as refused:
        normalize_email(bad, field="customer")
    assert refused.value.context["field"] == "customer"


def test_an_internationalised_local_part_is_accepted() -> None:
    assert normalize_email("andré@contoh.id") == "andré@contoh.id"
    assert normalize_email(" ANDRÉ@Contoh.ID ") == "andré@contoh.id"
    assert normalize_email("andre\u0301@contoh.id") == "andré@contoh.id", "stored composed (NFC)"


def test_an_internationalised_domain_is_stored_in_its_ascii_form() -> None:
    assert normalize_email("budi@bücher.de") == normalize_email("budi@xn--bcher-kva.de") == "budi@xn--bcher-kva.de"


@pytest.mark.parametrize(
    "address",
    [
        "budi@example.com",  # the tests' domain: no DNS is asked, so it passes
        "o'brien+shop@example.com",
        "admin@demo.aksesgpt.invalid",  # the demo admin and the [DEMO] pool accounts
        "demo-team@demo.aksesgpt.invalid",
        "c1@bench.invalid",
        "a@b.co",
    ],
)
def test_test_and_demo_addresses_are_accepted_unchanged(address: str) -> None:
    assert normalize_email(address) == address


def test_the_longest_storable_address_fits_its_column() -> None:
    address = "b" * 64 + "@" + ".".join(["a" * 63, "a" * 63, "a" * 57, "com"])
    assert len(address) == 254
    assert normalize_email(address) == address


@pytest.mark.parametrize(
    "raw",
    [
        "081234567890",
        "+6281234567890",
        "6281234567890",
        "0812-3456-7890",
        "+62 812 3456 7890",
        "+62 812-3456-7890",
        "(0812) 3456 7890",
    ],
)
def test_the_tests_mobile_number_in_every_accepted_spelling(raw: str) -> None:
    assert normalize_phone(raw) == "+6281234567890"


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("0811234567", "+62811234567"),  # 10 digits: the shortest Telkomsel numbers
        ("085712345678", "+6285712345678"),
        ("0813 1111 2222", "+6281311112222"),
        ("0881234567890", "+62881234567890"),  # 13 digits
    ],
)
def test_indonesian_mobile_numbers_of_each_length_are_accepted(raw: str, e164: str) -> None:
    assert normalize_phone(raw) == e164


@pytest.mark.parametrize(
    "bad",
    [
        "081234567",  # too short
        "08123456789012",  # 14 digits: too long
        "+628123456789012",
        "+62 800 1234 5678",  # toll-free
        "0800-1-234567",
        "021 2345 678",  # a Jakarta landline
        "+1 415 555 0100",  # not Indonesian
        "812345678901",  # no 0, 62 or +62 in front
        "0812345678x",
        "0812 3456 7890 ext 12",
        "",
    ],
)
def test_anything_but_an_indonesian_mobile_number_is_refused(bad: str) -> None:
    with pytest.raises(ValidationFailed, match="is not an Indonesian mobile number") as refused:
        normalize_phone(bad)
    assert refused.value.context["field"] == "phone"


@pytest.mark.parametrize(
    ("typed", "rupiah"),
    [
        ("75000", 75_000),
        ("75.000", 75_000),
        ("Rp 75.000", 75_000),
        ("Rp75.000,-", 75_000),
        ("1.250.000", 1_250_000),
        ("rp 79.000,00", 79_000),
        (79_000, 79_000),
    ],
)
def test_rupiah_as_indonesians_write_it(typed, rupiah: int) -> None:
    """Trust #16: typing 75.000 saved Rp 75."""
    assert parse_rupiah(typed) == rupiah


@pytest.mark.parametrize("typed", ["75,5", "7.50", "75.00.0", "", "Rp", "0", "-5000", "75 ribu", "1e5", "75.0000"])
def test_rupiah_refuses_what_it_cannot_read_exactly(typed: str) -> None:
    with pytest.raises(ValidationFailed):
        parse_rupiah(typed)


@pytest.mark.parametrize("typed", ["0", "-1", "1.5", 2.5, "", "3650x", True])
def test_whole_numbers_are_refused_not_clamped(typed) -> None:
    """Trust #16: a duration of 0 silently became 1 day."""
    with pytest.raises(ValidationFailed):
        parse_whole_number(typed, "duration_days", minimum=1, maximum=3650)
    assert parse_whole_number("30", "duration_days", minimum=1, maximum=3650) == 30
    assert parse_whole_number(30.0, "duration_days", minimum=1, maximum=3650) == 30
