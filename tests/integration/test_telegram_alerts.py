"""Admin alerts on Telegram: a real Bot-API stand-in on loopback, the real client, the real outbox."""

from __future__ import annotations

import asyncio
import logging
import secrets
import threading
from datetime import timedelta

import pytest
from sqlmodel import select

from domain.admin.shop_state import render
from domain.notify import telegram as telegram_module
from domain.notify.telegram import queue_telegram_alert
from domain.shared.models import EmailOutbox, MailStatus, TelegramOutbox
from infra import db
from infra.settings import Settings
from infra.types import utcnow
from integrations.telegram import TelegramBot, telegram_bot_for
from runtime.delivery import deliver_outbox, deliver_telegram_outbox
from runtime.jobs import Job, deliver_telegram, watch_pool
from runtime.outbox import MAX_ATTEMPTS
from runtime.scheduler import TELEGRAM_JOB, build_scheduler, start, stop
from tests.helpers import make_account, smtp_sender
from tests.sinks import TelegramApi

CHAT = "-1001234567890"


@pytest.fixture
def token() -> str:
    return f"{secrets.randbelow(10**9)}:{secrets.token_urlsafe(26)}"  # shaped like a bot token, fake


@pytest.fixture
def telegram():
    api = TelegramApi().start()
    yield api
    api.stop()


@pytest.fixture
def settings(monkeypatch, telegram, token) -> Settings:
    configured = Settings(
        _env_file=None,
        ADMIN_EMAIL="boss@example.com",
        TELEGRAM_BOT_TOKEN=token,
        TELEGRAM_CHAT_ID=CHAT,
        TELEGRAM_API_BASE=telegram.url,
    )
    monkeypatch.setattr("infra.settings.get_settings", lambda: configured)
    return configured


def _bot(settings: Settings) -> TelegramBot:
    bot = telegram_bot_for(settings)
    assert bot is not None
    return bot


def test_low_pool_reaches_telegram_and_email_once_per_debounce_window(engine, settings, telegram, inbox, token) -> None:
    make_account(max_seats=2)
    bot, now = _bot(settings), utcnow()
    for minutes in (0, 30, 59):  # one window: the alert is raised three times, sent once
        watch_pool(5, now=now + timedelta(minutes=minutes))
        deliver_telegram(bot, now=now + timedelta(minutes=minutes))
        deliver_outbox(sender=smtp_sender(inbox.port), now=now + timedelta(minutes=minutes))
    assert len(telegram.accepted) == 1 and len(inbox.messages) == 1
    request = telegram.accepted[0]
    assert request.path == f"/bot{token}/sendMessage"
    assert request.body["chat_id"] == CHAT
    assert request.body["text"].startswith("[AksesGPT] Stok kursi menipis: 2 kursi tersisa")
    assert "/admin" in request.body["text"]
    assert inbox.subjects() == ["[AksesGPT] Stok kursi menipis: 2 kursi tersisa"]

    watch_pool(5, now=now + timedelta(minutes=61))  # the next window
    deliver_telegram(bot, now=now + timedelta(minutes=61))
    deliver_outbox(sender=smtp_sender(inbox.port), now=now + timedelta(minutes=61))
    assert len(telegram.accepted) == 2 and len(inbox.messages) == 2
    bot.close()


def test_an_outage_keeps_the_alert_and_it_arrives_once_when_telegram_is_back(
    engine, settings, telegram, token, caplog
) -> None:
    caplog.set_level(logging.DEBUG)
    make_account(max_seats=1)
    bot, now = _bot(settings), utcnow()
    telegram.outage = True
    watch_pool(5, now=now)
    report = deliver_telegram_outbox(sender=bot, now=now)
    assert (report.sent, report.retrying) == (0, 1)
    with db.read_session() as s:
        row = s.exec(select(TelegramOutbox)).one()
    assert row.status == MailStatus.PENDING and row.attempts == 1
    assert timedelta(minutes=1) <= row.next_attempt_at - now < timedelta(minutes=1, seconds=10)
    assert "Telegram HTTP 502" in row.last_error and "/bot<token>/sendMessage" in row.last_error
    assert deliver_telegram_outbox(sender=bot, now=now + timedelta(seconds=30)).retrying == 0, "not due yet"
    assert 'aksesgpt_outbox_telegram{status="PENDING"} 1.0' in render().decode()  # the backlog, for scraping

    telegram.outage = False
    assert deliver_telegram_outbox(sender=bot, now=now + timedelta(minutes=2)).sent == 1
    assert deliver_telegram_outbox(sender=bot, now=now + timedelta(hours=2)).sent == 0, "nothing twice"
    assert len(telegram.accepted) == 1 and len(telegram.requests) == 2
    assert "HTTP Request: POST" in caplog.text  # httpx's request line was logged, with the token redacted
    assert token not in caplog.text and token not in (row.last_error or "")
    bot.close()


def test_telegram_unreachable_ten_times_is_failed_and_emailed_not_telegrammed(engine, settings, token) -> None:
    make_account(max_seats=1)
    dead = TelegramBot(api_base="http://127.0.0.1:9", token=token)  # discard port: connection refused
    now = utcnow()
    watch_pool(5, now=now)
    for _ in range(MAX_ATTEMPTS):
        deliver_telegram_outbox(sender=dead, now=now)
        now += timedelta(hours=2)
    with db.read_session() as s:
        rows = s.exec(select(TelegramOutbox)).all()
        mails = s.exec(select(EmailOutbox).where(EmailOutbox.kind == "admin_alert")).all()
    # one row only: no Telegram alert about Telegram failing
    assert [(r.status, r.attempts) for r in rows] == [(MailStatus.FAILED, MAX_ATTEMPTS)]
    assert "Telegram unreachable: ConnectError" in rows[0].last_error and token not in rows[0].last_error
    assert sorted(m.subject for m in mails) == [
        "[AksesGPT] Peringatan Telegram gagal terkirim",
        "[AksesGPT] Stok kursi menipis: 1 kursi tersisa",
    ]
    dead.close()


def test_without_both_telegram_settings_alerts_go_by_email_only(engine, monkeypatch, token) -> None:
    half = Settings(_env_file=None, ADMIN_EMAIL="boss@example.com", TELEGRAM_BOT_TOKEN=token)
    monkeypatch.setattr("infra.settings.get_settings", lambda: half)
    assert telegram_bot_for(half) is None
    make_account(max_seats=1)
    watch_pool(5)
    with db.read_session() as s:
        assert s.exec(select(TelegramOutbox)).all() == []
        assert len(s.exec(select(EmailOutbox)).all()) == 1


def test_a_committed_alert_brings_the_telegram_job_forward_long_before_its_interval(engine, settings) -> None:
    """An owner's new-sale notice or alert leaves within about a second of its commit, not at the 30 s interval."""
    runs: list[int] = []
    ran = threading.Event()

    def deliver() -> str:
        runs.append(1)
        ran.set()
        return "delivered"

    def alert(session) -> None:
        queue_telegram_alert(session=session, chat_id=CHAT, key="test", text="Pesanan baru dibayar")
        queue_telegram_alert(session=session, chat_id=CHAT, key="test-2", text="Stok menipis")

    async def scenario() -> bool:
        scheduler = build_scheduler([Job(TELEGRAM_JOB, 3600, deliver)])  # an hour between runs
        start(scheduler)  # runs every job once, two seconds after start
        try:
            assert await asyncio.to_thread(ran.wait, 30)
            ran.clear()
            await asyncio.to_thread(db.in_transaction, alert)
            return await asyncio.to_thread(ran.wait, 30)
        finally:
            stop(scheduler)

    assert asyncio.run(scenario())
    assert len(runs) == 2  # two messages, one wake
    assert telegram_module._wake_delivery is None  # stopping the scheduler unhooks it
    with db.read_session() as s:
        assert len(s.exec(select(TelegramOutbox)).all()) == 2
