"""The admin's words (issue #18): every state in Indonesian and English with a colour, one date format, whole
gauge ticks, the order timeline as sentences."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from domain.orders.admin_actions import TimelineEntry
from domain.shared.models import (
    AccountStatus,
    AssignmentStatus,
    Delivery,
    Driver,
    EventOutcome,
    Health,
    InviteState,
    MailStatus,
    OrderStatus,
    SoldOutMode,
    TaskKind,
    TaskStatus,
)
from pages.admin.overview import gauge, whole_scale
from pages.admin.timeline import byline, sentence
from pages.admin.words import (
    ACTION_WORDS,
    STATES,
    action_word,
    actor_word,
    entity_word,
    parse_day,
    state_colour,
    state_word,
    when,
)

ENUMS = {
    "order": OrderStatus,
    "assignment": AssignmentStatus,
    "account": AccountStatus,
    "health": Health,
    "invite": InviteState,
    "delivery": Delivery,
    "driver": Driver,
    "task": TaskStatus,
    "task_kind": TaskKind,
    "mail": MailStatus,
    "webhook": EventOutcome,
    "sold_out": SoldOutMode,
}
CODE = re.compile(r"\b[a-z]+_[a-z_]+\b|\b[A-Z]{2,}_[A-Z_]+\b")  # payment_expired, TO_INVITE


@pytest.mark.parametrize("kind", ENUMS)
def test_every_state_of_every_enum_has_words_in_both_languages_and_a_colour(kind: str) -> None:
    for member in ENUMS[kind]:
        indonesian, english = state_word(kind, member, "id"), state_word(kind, member, "en")
        assert indonesian and english and indonesian != member.value, (kind, member)
        assert not CODE.search(indonesian) and not CODE.search(english), (kind, member)
        assert state_colour(kind, member) in {"green-9", "amber-4", "red-9", "grey-8", "blue-9", "deep-orange-10"}
    assert set(STATES[kind]) == {m.value for m in ENUMS[kind]}, "no state without words, no words without a state"


def test_the_issue_s_codes_read_as_words() -> None:
    assert state_word("order", "fulfilled") == "Aktif (terlayani)"
    assert state_word("order", "payment_expired") == "Tidak dibayar (kedaluwarsa)"
    assert state_word("delivery", "CREDENTIALS") == "Login bersama"
    assert state_word("invite", "TO_INVITE") == "Perlu diundang"
    assert state_word("yes_no", True) == "Ya" and state_word("yes_no", False, "en") == "No"
    assert state_word("order", "no-such-code") == "Tidak dikenal"  # never the code itself


def test_every_audit_action_entity_and_actor_reads_as_words() -> None:
    for action in ACTION_WORDS:
        assert "." not in action_word(action, "id") and "." not in action_word(action, "en"), action
    assert action_word("order.something_new") == "Pesanan diubah"
    assert entity_word("assignment") == "Kursi pelanggan" and entity_word("weird") == "Data lain"
    assert actor_word("admin:owner@x.id") == "owner@x.id" and actor_word("scheduler") == "Jadwal otomatis"


def test_one_date_format_in_jakarta_time() -> None:
    moment = datetime(2026, 12, 2, 7, 5, tzinfo=UTC)  # 14.05 in Jakarta
    assert when(moment, "id") == "02 Des 2026 14.05 WIB"
    assert when(moment, "en") == "02 Dec 2026 14.05 WIB"
    assert when(None) == ""


def test_a_day_is_read_in_the_admin_s_words_or_iso_and_nothing_else() -> None:
    start = parse_day("02 Des 2026")
    assert start is not None and start.isoformat() == "2026-12-02T00:00:00+07:00"
    assert parse_day("2 dec 2026") == start == parse_day("2026-12-02")
    end = parse_day("02 Des 2026", end=True)
    assert end is not None and end.isoformat() == "2026-12-03T00:00:00+07:00"
    for bad in ("12/02/2026", "31 Feb 2026", "kemarin", ""):
        assert parse_day(bad) is None, bad


@pytest.mark.parametrize("maximum", [1, 3, 5, 6, 7, 14, 28, 100, 333])
def test_the_seat_gauge_ticks_are_whole_seats(maximum: int) -> None:
    top, steps = whole_scale(maximum)
    assert top >= maximum and top % steps == 0, (top, steps)
    series = gauge("Kursi kosong", 2, maximum, 3)["series"][0]
    assert series["max"] % series["splitNumber"] == 0


def _entry(event: str, facts: dict, kind: str = "audit") -> TimelineEntry:
    return TimelineEntry(datetime(2026, 12, 2, 7, 5, tzinfo=UTC), kind, "raw title", {"raw": 1}, event, facts)


def test_the_timeline_reads_as_sentences() -> None:
    paid = _entry("order.fulfil", {"actor": "tripay", "method": "QRIS", "amount_idr": 79_000})
    assert sentence(paid, "id") == "Dibayar lewat QRIS · Rp 79.000"
    assert sentence(paid, "en") == "Paid by QRIS · Rp 79.000"
    seat = _entry("assignment.create", {"account": "x@y.id", "seats_used": 2, "max_seats": 5})
    assert sentence(seat, "id") == "Kursi di akun x@y.id (2/5)"
    mail = _entry("email", {"kind": "access_ready", "status": "SENT"}, "email")
    assert sentence(mail, "id") == "E-mail akses terkirim"
    hook = _entry("payment", {"provider": "tripay", "outcome": "applied", "signature_valid": False}, "payment")
    assert sentence(hook, "id") == "Pemberitahuan dari Tripay: Diterapkan · tanda tangan TIDAK VALID"
    revoked = _entry("assignment.revoke", {"actor": "admin:o@x.id", "reason": "minta berhenti"})
    assert sentence(revoked, "id") == "Kursi dicabut · alasan: minta berhenti"
    assert byline(revoked, "id") == "02 Des 2026 14.05 WIB · oleh o@x.id"


def test_the_label_tables_the_pages_import_answer_in_the_admin_s_language(monkeypatch: pytest.MonkeyPatch) -> None:
    from pages.admin import dates, lang, words

    assert words.STATUS_LABELS[AccountStatus.AVAILABLE] == "Tersedia"
    assert words.INVITE_LABELS.get("TO_INVITE") == "Perlu diundang" and words.INVITE_LABELS.get("nope", "") == ""
    for module in (lang, dates):  # (an admin who switched: the language their session holds)
        monkeypatch.setattr(module, "admin_lang", lambda: "en")
    assert words.STATUS_LABELS[AccountStatus.AVAILABLE] == "Available"
    assert {h: words.HEALTH_LABELS[h] for h in Health}[Health.BANNED] == "Banned"
    assert words.when(datetime(2026, 12, 2, 7, 5, tzinfo=UTC)) == "02 Dec 2026 14.05 WIB"


def test_the_chart_s_days_and_the_gauge_s_number_are_written_the_indonesian_way() -> None:
    from pages.admin.overview import _day_label

    assert [_day_label(d) for d in ("03/11", "01/12", "whatever")] == ["03 Nov", "01 Des", "whatever"]
    detail = gauge("Kursi terpakai", 1.1, 100, None, "%")["series"][0]["detail"]
    assert "id-ID" in detail[":formatter"] and "formatter" not in detail  # 1,1% — not 1.1%


def test_every_actor_the_code_writes_reads_as_words() -> None:
    assert actor_word("tripay_webhook") == "Tripay (pemberitahuan bayar)"
    assert actor_word("midtrans_webhook", "en") == "Midtrans (payment notice)"
    for actor in ("customer", "api", "scheduler", "deadline", "workspace", "system"):
        assert actor_word(actor) != actor and "_" not in actor_word(actor), actor


def test_an_audit_entry_s_changes_read_as_words_money_and_wib_times() -> None:
    from pages.admin.logs import _summary

    assert _summary({"before": {"status": "pending_payment"}, "after": {"status": "fulfilled"}}) == (
        "Status: Menunggu bayar → Aktif (terlayani)"
    )
    created = _summary({"after": {"price_idr": 99_000, "is_active": True, "end_at": "2026-12-02T07:05:00+00:00"}})
    assert created == "Harga: Rp 99.000; Aktif: Ya; Berakhir: 02 Des 2026 14.05 WIB"  # new values, no arrow
    assert _summary({"order_code": "AG-1", "method": "QRIS"}) == "Kode pesanan: AG-1, Metode: QRIS"


def test_every_customer_e_mail_kind_is_named_on_the_timeline() -> None:
    from pages.admin.timeline import mail_kind

    kinds = ("order_created", "access_ready", "access_moved", "pending_stock", "seat_ended", "seat_revoked")
    kinds += ("seat_extended", "renewal", "renewal_elsewhere", "login_changed", "refunded", "back_in_stock")
    for kind in (*kinds, "reminder_3d"):
        assert mail_kind(kind, "id") != "E-mail" and mail_kind(kind, "en") != "E-mail", kind
