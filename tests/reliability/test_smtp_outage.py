"""The SMTP server goes away in the middle of a purchase burst and comes back: every e-mail the
burst queued reaches the server exactly once (real aiosmtpd on loopback, real outbox job)."""

from __future__ import annotations

import email
import secrets
import threading
from collections import Counter
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from sqlmodel import select

from domain.orders.orders import create_order
from domain.payments.checkout import attach_checkout
from domain.payments.gateway import Checkout
from domain.shared.models import EmailOutbox, MailStatus, Order
from infra import db
from infra.settings import Settings
from infra.types import utcnow
from integrations.smtp import SmtpSender
from runtime.delivery import deliver_outbox
from tests.helpers import invariants, make_account, make_product, pay
from tests.live import free_port

ORDERS, BUYERS = 80, 4


class Inbox:
    """An SMTP server on loopback that can be stopped and started again on the same port."""

    def __init__(self) -> None:
        self.port, self.received = free_port(), Counter[tuple[str, str]]()
        self.controller: Controller | None = None

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        message = email.message_from_bytes(envelope.original_content)
        self.received[
            (envelope.rcpt_tos[0], str(email.header.make_header(email.header.decode_header(message["Subject"]))))
        ] += 1
        return "250 OK"

    def up(self) -> None:
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def down(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


class GatedSender(SmtpSender):
    """The real SMTP sender; the test takes the gate to switch the server off between two messages,
    never in the middle of one (a cut inside DATA is the one case SMTP itself cannot make exactly-once)."""

    def __init__(self, settings: Settings, gate: threading.Lock) -> None:
        super().__init__(settings)
        self.gate = gate

    def send(self, row: EmailOutbox) -> None:
        with self.gate:
            super().send(row)


def _buy(product, emails: list[str]) -> None:
    for address in emails:

        def work(s, address: str = address) -> Order:
            order, _ = create_order(
                session=s, product_slug=product.slug, email=address, name="Rina", phone="081234567890"
            )
            checkout = Checkout(
                provider="tripay", reference=f"DEV-T{secrets.token_hex(6)}", method="QRIS", checkout_url="http://x/c"
            )
            return attach_checkout(session=s, order_id=order.id, checkout=checkout, actor="customer")

        pay(db.in_transaction(work))


@pytest.mark.slow
def test_smtp_outage_during_a_purchase_burst_loses_and_duplicates_nothing(engine) -> None:
    product = make_product()
    for _ in range(6):
        make_account(max_seats=10)  # 60 seats: 20 buyers wait for stock and get that e-mail instead
    inbox, gate, stop = Inbox(), threading.Lock(), threading.Event()
    settings = Settings(_env_file=None, SMTP_HOST="127.0.0.1", SMTP_PORT=inbox.port, SMTP_TLS=False)
    sender = GatedSender(settings, gate)
    rounds = Counter[str]()

    def deliver_until_stopped() -> None:  # the outbox job, on the real clock: failures wait their backoff
        while not stop.is_set():
            report = deliver_outbox(sender=sender)
            rounds["retrying"] += report.retrying
            rounds["rounds"] += 1
            stop.wait(0.05)

    inbox.up()
    addresses = [f"burst{i}-{secrets.token_hex(2)}@example.com" for i in range(ORDERS)]
    buyers = [threading.Thread(target=_buy, args=(product, addresses[i::BUYERS])) for i in range(BUYERS)]
    job = threading.Thread(target=deliver_until_stopped)
    try:
        job.start()
        for buyer in buyers:
            buyer.start()
        while sum(inbox.received.values()) < 30 and any(b.is_alive() for b in buyers):
            stop.wait(0.02)
        with gate:
            inbox.down()
        for buyer in buyers:
            buyer.join(timeout=120)
        seen = rounds["rounds"]
        while rounds["rounds"] < seen + 3:  # the job keeps running into the dead server
            stop.wait(0.05)
        with gate:
            inbox.up()
        stop.set()
        job.join(timeout=60)
        failed_during_outage = rounds["retrying"]
        later = utcnow() + timedelta(hours=2)  # past every backoff the outage caused
        while deliver_outbox(sender=sender, now=later).sent:
            pass
    finally:
        stop.set()
        inbox.down()

    with db.read_session() as s:
        rows = s.exec(select(EmailOutbox)).all()
        statuses = Counter(s.exec(select(Order.status)))
    print(f"smtp outage: {len(rows)} e-mails, {failed_during_outage} attempts failed during the outage")
    assert statuses == {"fulfilled": 60, "pending_stock": 20}
    assert failed_during_outage > 0, "the outage hit deliveries"
    assert Counter(r.status for r in rows) == {MailStatus.SENT: 2 * ORDERS}, "nothing lost, nothing given up"
    assert inbox.received == Counter((r.to, r.subject) for r in rows), "each e-mail arrived exactly once"
    assert set(inbox.received.values()) == {1}
    assert invariants() == []
