"""SQL and HTML injection strings in customer fields reach the admin's tables and order detail as text:
stored exactly as typed, shown in text cells, never inside an element that renders HTML."""

from __future__ import annotations

import pytest
from nicegui import ui
from nicegui.testing import User
from sqlmodel import select

from domain.admin.admins import create_admin
from domain.orders.orders import create_order, record_payment
from domain.shared.models import EmailOutbox
from infra import db
from tests.ui.test_admin import EMAIL, PASSWORD, _login, _rows

HOSTILE_NAME = "``` <img src=x onerror=alert(1)> ``` <script>alert('x')</script>'; DROP TABLE orders; --"
HOSTILE_EMAIL = "o'brien+x--@example.com"


@pytest.fixture
def owner(engine):
    return db.in_transaction(lambda s: create_admin(session=s, email=EMAIL, password=PASSWORD))


@pytest.fixture
def hostile_order():
    def work(s):
        order, _ = create_order(
            session=s, product_slug="paket-30-hari", email=HOSTILE_EMAIL, name=HOSTILE_NAME, phone="081234567890"
        )
        return record_payment(session=s, order_id=order.id, amount_idr=order.amount_idr, actor="test").order

    return db.in_transaction(work)


def raw_html_showing(user: User, text: str) -> list[str]:
    """Elements whose content the browser takes as HTML (ui.html, ui.markdown, ui.code's markdown), sanitised or
    not, and that contain `text`: there must be none. Sanitising stops scripts, not a closed code fence followed
    by HTML that draws over the page (trust #2)."""
    found = []
    for element in user.client.elements.values():
        if isinstance(element, (ui.html, ui.markdown)):
            if text in str(element.props.get("innerHTML", "")) + str(getattr(element, "content", "")):
                found.append(f"{type(element).__name__} #{element.id}")
    return found


async def test_injection_strings_are_text_in_admin_tables_and_detail(user: User, owner, hostile_order) -> None:
    assert (hostile_order.name, hostile_order.email) == (HOSTILE_NAME, HOSTILE_EMAIL), "stored as typed"
    await _login(user)
    await user.open("/admin/orders")
    assert HOSTILE_EMAIL in {r["email"] for r in _rows(user, "orders-table")}
    await user.open("/admin/assignments")
    assert HOSTILE_EMAIL in {r["customer_email"] for r in _rows(user, "assignments-table")}
    await user.open(f"/admin/orders/{hostile_order.code}")
    await user.should_see(HOSTILE_EMAIL)
    for text in (HOSTILE_NAME, HOSTILE_EMAIL, "<script>", "<img"):
        assert raw_html_showing(user, text) == [], text
    with db.read_session() as s:  # the e-mails greet the customer by name: escaped in their HTML too
        mails = s.exec(select(EmailOutbox).where(EmailOutbox.order_id == hostile_order.id)).all()
    assert mails and all("<script>" not in m.html and "<img src=x" not in m.html for m in mails)
    assert any("&lt;script&gt;" in m.html for m in mails)
