"""Trust #2: what outsiders wrote (a forged callback's body and headers, customer fields in audit details and
e-mails) is shown in the admin as inert text: never inside an element whose content the browser takes as HTML
(ui.markdown, ui.code, which renders through ui.markdown, ui.html, an iframe's srcdoc), sanitised or not.
DOMPurify stops scripts, not a closed code fence followed by a fake sign-in overlay and remote images."""

from __future__ import annotations

import asyncio

import pytest
from nicegui import ui
from nicegui.testing import User
from sqlmodel import select

from domain.admin.admins import create_admin
from domain.orders.orders import create_order, record_payment
from domain.shared.audit import record_audit
from domain.shared.models import AuditLog, EmailOutbox, PaymentEvent
from infra import db
from tests.ui.test_admin import EMAIL, PASSWORD, _login, _rows

OVERLAY = (
    "```\n</code></pre><div id=fake style=position:fixed;inset:0;z-index:9999;background:white>"
    "session ended</div><img src=http://evil/x>\n```"
)
HEADER = "```</code></pre><img src=http://evil/h>"
NAME = "``` </code></pre><div id=fake>session ended</div><img src=http://evil/x> ```"  # one line, 120 at most


@pytest.fixture
def owner(engine):
    return db.in_transaction(lambda s: create_admin(session=s, email=EMAIL, password=PASSWORD))


def html_holding(user: User, *fragments: str) -> list[str]:
    """Elements whose content the browser parses as HTML and that hold one of `fragments`: there must be none."""
    found = []
    for element in user.client.elements.values():
        html = " ".join(str(element.props.get(key, "")) for key in ("innerHTML", "srcdoc", "content"))
        if isinstance(element, (ui.html, ui.markdown, ui.code)):
            html += " " + str(getattr(element, "content", ""))
        if any(fragment in html for fragment in fragments):
            found.append(f"{type(element).__name__} #{element.id}")
    return found


def text_of(user: User, marker: str) -> str:
    elements = user.find(marker).elements
    assert len(elements) == 1, marker
    element = next(iter(elements))
    assert isinstance(element, ui.label), f"{marker} is a {type(element).__name__}, not plain text"
    return element.text


async def test_a_forged_callback_body_and_headers_are_text_in_the_webhook_log(user: User, owner) -> None:
    response = await user.http_client.post(
        "/callback/tripay",
        content=OVERLAY.encode(),
        headers={"X-Callback-Event": "payment_status", "X-Callback-Signature": "forged", "User-Agent": HEADER},
    )
    assert response.status_code == 401
    for _ in range(50):
        with db.read_session() as s:
            if s.exec(select(PaymentEvent)).first():
                break
        await asyncio.sleep(0.1)  # the callback writer's thread records it
    await _login(user)
    await user.open("/admin/webhooks")
    await user.should_see(marker="webhooks-table")
    row = next(r for r in _rows(user, "webhooks-table") if r["raw"] == OVERLAY)
    user.find("webhooks-table").trigger("open", row)
    await user.should_see(marker="raw-body")
    assert text_of(user, "raw-body") == OVERLAY, "the body, literally"
    assert HEADER in text_of(user, "raw-headers")
    assert html_holding(user, "evil/", "id=fake", "session ended") == []


async def test_audit_details_are_text_in_the_audit_log(user: User, owner) -> None:
    db.in_transaction(
        lambda s: record_audit(
            session=s,
            actor="customer",
            action="order.create",
            entity="order",
            entity_id=1,
            before={"name": "Budi"},
            after={"name": OVERLAY},
            reason=OVERLAY,
        )
    )
    await _login(user)
    await user.open("/admin/audit")
    await user.should_see(marker="audit-table")
    row = next(r for r in _rows(user, "audit-table") if r["action"] == "Pesanan dibuat")
    user.find("audit-table").trigger("open", row)
    await user.should_see(marker="audit-diff")
    assert OVERLAY in {r["a"] for r in next(iter(user.find("audit-diff").elements)).rows}  # a text cell
    assert OVERLAY in text_of(user, "audit-details").replace("\\n", "\n"), "the other details, as JSON text"
    assert html_holding(user, "evil/", "id=fake", "session ended") == []


async def test_the_outbox_preview_and_the_order_timeline_are_text(user: User, owner) -> None:
    def paid(s):
        order, _ = create_order(
            session=s, product_slug="paket-30-hari", email="cust@example.com", name=NAME, phone="081234567890"
        )
        record_audit(session=s, actor="test", action="order.note", entity="order", entity_id=order.id, note=OVERLAY)
        return record_payment(session=s, order_id=order.id, amount_idr=order.amount_idr, actor="test").order

    order = db.in_transaction(paid)
    with db.read_session() as s:
        mail = s.exec(select(EmailOutbox).where(EmailOutbox.order_id == order.id)).first()
        assert s.exec(select(AuditLog).where(AuditLog.entity == "order")).first() is not None
    await _login(user)
    await user.open("/admin/outbox")
    await user.should_see(marker="outbox-table")
    row = next(r for r in _rows(user, "outbox-table") if r["id"] == mail.id)
    user.find("outbox-table").trigger("open", row)
    await user.should_see(marker="mail-preview")
    assert mail.text.strip() in text_of(user, "mail-preview")
    assert html_holding(user, "evil/", "id=fake", "session ended") == []
    await user.open(f"/admin/orders/{order.code}")
    await user.should_see(marker="order-summary")
    labels = [e.text for e in user.client.elements.values() if isinstance(e, ui.label)]
    assert any(OVERLAY in text.replace("\\n", "\n") for text in labels), "the timeline's details, as text"
    assert html_holding(user, "evil/", "id=fake", "session ended") == []
