"""Hypothesis fuzzing of what the forms submit (checkout, admin account form) through the same domain
calls the form handlers make: a refusal is a ValidationFailed naming a field and writes nothing; an
acceptance stores the text as typed (normalised, never interpreted). Nothing else may escape."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlmodel import func, select

from domain.catalog.pool import add_account
from domain.orders.orders import create_order, order_input_errors
from domain.shared.errors import Conflict, ValidationFailed
from domain.shared.models import ChatGPTAccount, Order
from infra import db
from tests.helpers import ADMIN, make_product

HOSTILE = st.sampled_from(
    ["<script>alert(1)</script>", "'; DROP TABLE orders; --", "\x00", "\ud800", "é" * 300, " ", "", "{{7*7}}"]
)
TEXT = st.one_of(HOSTILE, st.text(max_size=200))
VALID_EMAILS = st.from_regex(r"[a-z0-9.'+]{1,20}@example\.com", fullmatch=True)
VALID_PHONES = st.from_regex(r"(\+62|62|0)8[0-9]{8,11}", fullmatch=True)
# mostly valid contact details, so the hostile text reaches the database rather than stopping at the email
EMAILS = st.one_of(VALID_EMAILS, VALID_EMAILS, TEXT, st.builds(lambda t: f"{t}@example.com", st.text(max_size=40)))
PHONES = st.one_of(VALID_PHONES, VALID_PHONES, TEXT)
FUZZ = settings(
    max_examples=120,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _count(model) -> int:
    with db.read_session() as s:
        return s.exec(select(func.count()).select_from(model)).one()


@pytest.mark.slow
def test_checkout_form_input_is_refused_by_field_or_stored_as_text(engine) -> None:
    product = make_product(slug="fuzz-paket")

    @FUZZ
    @given(email=EMAILS, name=TEXT, phone=PHONES, locale=st.one_of(st.sampled_from(["id", "en"]), TEXT))
    @example(email="nul@example.com", name="Budi\x00", phone="081234567890", locale="id")  # PostgreSQL refuses NUL
    @example(email="sur@example.com", name="Budi\ud800", phone="081234567890", locale="id")  # not UTF-8
    def submit(email: str, name: str, phone: str, locale: str) -> None:
        with db.read_session() as s:
            errors = order_input_errors(
                session=s, product_slug=product.slug, email=email, name=name, phone=phone, locale=locale
            )
        before = _count(Order)
        try:
            order, _ = db.in_transaction(
                lambda s: create_order(
                    session=s, product_slug=product.slug, email=email, name=name, phone=phone, locale=locale
                )
            )
        except ValidationFailed as exc:
            assert errors, f"the form would have accepted what the domain refused: {exc.message}"
            assert exc.context.get("field") in errors, (exc.context, errors)
            assert _count(Order) == before, "a refused order wrote nothing"
            return
        assert not errors, f"the form refuses what the domain accepted: {errors}"
        assert order.name == name.strip()
        with db.read_session() as s:  # stored as typed: read back from the database, not from memory
            assert s.get(Order, order.id).name == name.strip()

    submit()


@pytest.mark.slow
def test_admin_account_form_input_is_refused_by_field_or_stored_as_text(engine) -> None:
    @FUZZ
    @given(
        email=EMAILS,
        password=TEXT,
        note=TEXT,
        pool=TEXT,
        delivery=st.one_of(st.sampled_from(["CREDENTIALS", "INVITE"]), TEXT),
        max_seats=st.one_of(st.none(), st.integers(min_value=-(2**70), max_value=2**70)),
    )
    def submit(email: str, password: str, note: str, pool: str, delivery: str, max_seats: int | None) -> None:
        before = _count(ChatGPTAccount)
        try:
            account = db.in_transaction(
                lambda s: add_account(
                    session=s,
                    actor=ADMIN,
                    email=email,
                    password=password,
                    note=note,
                    pool=pool,
                    delivery=delivery,
                    max_seats=max_seats,
                )
            )
        except (ValidationFailed, Conflict) as exc:
            assert exc.context.get("field"), exc.message
            assert _count(ChatGPTAccount) == before, "a refused account wrote nothing"
            return
        assert account.note == note.strip() or account.note == note

    submit()
