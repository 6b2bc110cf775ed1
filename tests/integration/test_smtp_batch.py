"""A delivery run over one SMTP connection (aiosmtpd on loopback that records each connection's commands):
every due e-mail goes over it and the session ends with QUIT; a refused recipient fails alone and is
retried after the backoff; an internationalised mailbox goes in a SMTPUTF8 transaction."""

from __future__ import annotations

import email
import email.policy
import time
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP
from sqlmodel import select

from domain.notify.mail import queue_order_lookup
from domain.shared.models import EmailOutbox, MailStatus
from infra import db
from infra.types import utcnow
from runtime.delivery import deliver_outbox
from tests.helpers import make_order, make_product, smtp_sender
from tests.sinks import Inbox

REFUSED = "ditolak@example.com"


class RecordingInbox(Inbox):
    """The Inbox, also keeping the commands of each connection (one list per connection, in order), how many
    connections were closed, and each envelope; refuses the recipients in `refuse` with 550."""

    def __init__(self, *, smtputf8: bool = True) -> None:
        super().__init__()
        self.refuse: set[str] = set()
        self.sessions: list[list[str]] = []
        self.closed = 0
        self.envelopes: list[tuple[list[str], bool]] = []  # (RCPT TO addresses, SMTPUTF8 asked)
        inbox = self

        class RecordingSMTP(SMTP):
            def connection_made(self, transport) -> None:
                if self.transport is None:  # a new connection (not the same one after STARTTLS)
                    self.commands: list[str] = []
                    inbox.sessions.append(self.commands)
                super().connection_made(transport)

            def connection_lost(self, error) -> None:
                inbox.closed += 1
                super().connection_lost(error)

        class RecordingController(Controller):
            def factory(self) -> SMTP:
                return RecordingSMTP(self.handler, **self.SMTP_kwargs)

        self.controller = RecordingController(self, hostname="127.0.0.1", port=self.port, enable_SMTPUTF8=smtputf8)

    def start(self) -> RecordingInbox:
        self.controller.start()
        deadline = time.monotonic() + 5  # start() probes the port once: that connection is not the app's
        while self.closed < len(self.sessions) and time.monotonic() < deadline:
            time.sleep(0.01)
        self.sessions.clear()
        self.closed = 0
        return self

    def wait_closed(self) -> None:
        deadline = time.monotonic() + 5
        while self.closed < len(self.sessions) and time.monotonic() < deadline:
            time.sleep(0.01)

    # aiosmtpd's hooks (N802: their names)
    async def handle_EHLO(self, server, session, envelope, hostname, responses):  # noqa: N802
        server.commands.append("EHLO")
        session.host_name = hostname
        return responses

    async def handle_MAIL(self, server, session, envelope, address, mail_options):  # noqa: N802
        server.commands.append("MAIL")
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        server.commands.append("RCPT")
        if address in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_RSET(self, server, session, envelope):  # noqa: N802
        server.commands.append("RSET")
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        server.commands.append("DATA")
        self.envelopes.append((list(envelope.rcpt_tos), envelope.smtp_utf8))
        return await super().handle_DATA(server, session, envelope)

    async def handle_QUIT(self, server, session, envelope):  # noqa: N802
        server.commands.append("QUIT")
        return "221 Bye"


@pytest.fixture
def box():
    inbox = RecordingInbox().start()
    yield inbox
    inbox.controller.stop()


def _queue_lookups(addresses: list[str]) -> None:
    """One e-mail (the order lookup) to each address, each with its order."""
    product = make_product()
    for address in addresses:
        make_order(product, email=address)
        db.in_transaction(lambda s, a=address: queue_order_lookup(session=s, email=a, lang="id"))


def _row(to: str) -> EmailOutbox:
    with db.read_session() as s:
        return s.exec(select(EmailOutbox).where(EmailOutbox.to == to)).one()


def test_a_delivery_run_sends_every_due_mail_over_one_connection_ended_by_quit(engine, box) -> None:
    addresses = [f"pelanggan{n}@example.com" for n in range(4)]
    _queue_lookups(addresses)

    report = deliver_outbox(sender=smtp_sender(box.port))
    box.wait_closed()

    assert (report.sent, report.retrying, report.failed) == (4, 0, 0)
    assert sorted(m["To"] for m in box.messages) == addresses
    assert len(box.sessions) == 1, f"one connection for the run, not {box.sessions}"
    assert box.sessions[0] == ["EHLO", *["MAIL", "RCPT", "DATA"] * 4, "QUIT"]
    assert box.closed == 1

    assert deliver_outbox(sender=smtp_sender(box.port)).sent == 0
    assert len(box.sessions) == 1, "a run with nothing due opens no connection"


def test_a_refused_recipient_fails_alone_and_is_retried_after_the_backoff(engine, box) -> None:
    addresses = ["ani@example.com", REFUSED, "citra@example.com"]
    _queue_lookups(addresses)
    box.refuse = {REFUSED}
    now = utcnow()

    report = deliver_outbox(sender=smtp_sender(box.port), now=now)
    box.wait_closed()

    assert (report.sent, report.retrying, report.failed) == (2, 1, 0)
    assert sorted(m["To"] for m in box.messages) == ["ani@example.com", "citra@example.com"]
    assert box.sessions and all(commands[-1] == "QUIT" for commands in box.sessions), box.sessions
    assert box.closed == len(box.sessions), "every connection of the run is closed"
    refused = _row(REFUSED)
    assert (refused.status, refused.attempts) == (MailStatus.PENDING, 1)
    assert "550" in refused.last_error and "mailbox unavailable" in refused.last_error
    assert timedelta(minutes=1) <= refused.next_attempt_at - now < timedelta(minutes=1, seconds=10)
    assert all(_row(a).status == MailStatus.SENT for a in addresses if a != REFUSED)

    assert deliver_outbox(sender=smtp_sender(box.port), now=now + timedelta(seconds=30)).sent == 0, "not due yet"
    box.refuse.clear()
    later = deliver_outbox(sender=smtp_sender(box.port), now=now + timedelta(minutes=2))
    assert (later.sent, later.retrying) == (1, 0)
    assert sorted(m["To"] for m in box.messages) == sorted(addresses), "each once, none lost"
    assert (_row(REFUSED).status, _row(REFUSED).attempts) == (MailStatus.SENT, 2)


def test_an_internationalised_mailbox_goes_in_a_smtputf8_transaction(engine, box) -> None:
    _queue_lookups(["andré@contoh.id", "budi@example.com"])

    report = deliver_outbox(sender=smtp_sender(box.port))
    box.wait_closed()

    assert (report.sent, report.retrying) == (2, 0)
    assert box.envelopes == [(["andré@contoh.id"], True), (["budi@example.com"], False)]
    first = email.message_from_bytes(box.messages[0].as_bytes(), policy=email.policy.default)
    assert first["To"] == "andré@contoh.id"
    assert len(box.sessions) == 1 and box.sessions[0][-1] == "QUIT"


def test_a_server_without_smtputf8_retries_that_mailbox_and_sends_the_next(engine) -> None:
    box = RecordingInbox(smtputf8=False).start()
    try:
        _queue_lookups(["andré@contoh.id", "budi@example.com"])
        report = deliver_outbox(sender=smtp_sender(box.port))
        box.wait_closed()
    finally:
        box.controller.stop()

    assert (report.sent, report.retrying) == (1, 1)
    assert [m["To"] for m in box.messages] == ["budi@example.com"], "the failure does not spill into the next"
    assert "SMTPUTF8" in _row("andré@contoh.id").last_error
    assert all(commands[-1] == "QUIT" for commands in box.sessions), box.sessions
