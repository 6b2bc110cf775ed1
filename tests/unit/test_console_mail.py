"""Trust #15: the development console printed order links with their tokens; it cuts the token short."""

from __future__ import annotations

import logging

import pytest

from domain.notify.mail import OutgoingMail
from integrations.smtp import ConsoleSender


def test_the_console_never_prints_an_order_links_token(caplog: pytest.LogCaptureFixture) -> None:
    token = "M67EyyIfzpvEjiFaNeH5XSN1BUK925N4"
    mail = OutgoingMail(
        to="budi@example.com",
        kind="order_created",
        subject="Pesanan AG-ABC: selesaikan pembayaran",
        text=f"Buka http://localhost:8080/order/AG-ABC?t={token} untuk membayar.",
        html="",
    )
    with caplog.at_level(logging.INFO, logger="aksesgpt.mail"):
        ConsoleSender().send(mail)
    logged = caplog.text
    assert "/order/AG-ABC?t=M67E…" in logged, logged
    assert token not in logged and token[4:] not in logged
