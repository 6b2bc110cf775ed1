"""Every refusal the domain raises reaches the admin in Indonesian (or English when switched), never as raised."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from domain.shared.errors import Conflict, DomainError, IllegalTransition, NotFound, ValidationFailed
from pages.admin.error_words import FALLBACK, GENERIC, error_text, known, problem_text, raised_in_indonesian

ERRORS = {"NotFound": NotFound, "ValidationFailed": ValidationFailed, "Conflict": Conflict}
ERRORS |= {"IllegalTransition": IllegalTransition, "DomainError": DomainError}
NUMBERS = ("MAX", "MIN", "len(", "seats", ".id", "capacity", "limit", "max_length", "minimum", "maximum", "count")


def _sample(node: ast.expr) -> str:
    """A stand-in for a value formatted into a message, of the kind its source names."""
    source = ast.unparse(node)
    if "ord(" in source:
        return "200B"
    if "format_idr" in source:
        return "Rp 10.000"
    if "email" in source:
        return "pelanggan@contoh.id"
    if source == "field":
        return "email"
    if source in ("n", "oid", "used", "seat_id"):  # counts and ids
        return "3"
    if any(part in source for part in NUMBERS):
        return "3"
    return "X1"


def _render(node: ast.expr) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _render(node.body) + _render(node.orelse)
    if isinstance(node, ast.JoinedStr):
        text = ""
        for part in node.values:
            if isinstance(part, ast.Constant):
                text += str(part.value)
            elif isinstance(part, ast.FormattedValue):
                value = _sample(part.value)
                text += repr(value) if part.conversion == ord("r") else value
        return [text]
    return []


def raised_messages() -> list[tuple[str, str, type[DomainError]]]:
    """(where, message, error class) of every `raise SomeDomainError("...")` under domain/."""
    found = []
    for path in sorted(Path("domain").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if not (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)):
                continue
            call = node.exc
            if isinstance(call.func, ast.Name) and call.func.id in ERRORS and call.args:
                for message in _render(call.args[0]):
                    found.append((f"{path}:{node.lineno}", message, ERRORS[call.func.id]))
    return found


MESSAGES = raised_messages()


def test_the_walk_finds_the_domain_s_refusals() -> None:
    assert len(MESSAGES) > 90
    assert any("is already in the pool" in message for _, message, _ in MESSAGES)


@pytest.mark.parametrize(("where", "message", "kind"), MESSAGES, ids=[w for w, _, _ in MESSAGES])
def test_each_refusal_has_its_own_sentence_in_both_languages(where: str, message: str, kind: type[DomainError]) -> None:
    assert known(message), f"{where}: no words for {message!r}"
    indonesian, english = error_text(kind(message), "id"), error_text(kind(message), "en")
    if raised_in_indonesian(message):  # already the owner's words: shown as raised, only its English differs
        assert indonesian == message and english != message
    else:
        assert indonesian != message
    assert "{" not in indonesian and not re.search(r"[a-z]+_[a-z]+", indonesian)
    assert indonesian not in (GENERIC[kind][0] if kind in GENERIC else "", FALLBACK[0])
    assert english and "{" not in english


def test_the_issue_s_examples_read_in_indonesian() -> None:
    assert error_text(Conflict("account a@b.id is already in the pool"), "id") == "Akun a@b.id sudah ada di daftar akun"
    assert error_text(Conflict("you cannot disable your own account"), "id") == (
        "Anda tidak bisa menonaktifkan akun Anda sendiri"
    )
    assert error_text(ValidationFailed("'bukan-email' is not a valid email address"), "id") == (
        "'bukan-email' bukan alamat e-mail yang sah"
    )


def test_codes_inside_a_message_become_words() -> None:
    text = error_text(IllegalTransition("order AG-1 is fulfilled; only paid orders can be refunded"), "id")
    assert "fulfilled" not in text and "Aktif (terlayani)" in text
    assert "price" not in error_text(ValidationFailed("price_idr is required"), "id")
    assert error_text(ValidationFailed("price_idr is required"), "en") == "Price is required"


def test_an_unknown_refusal_falls_back_to_a_plain_sentence_with_nothing_internal() -> None:
    assert error_text(Conflict("the frobnicator is wedged (code 17)"), "id") == GENERIC[Conflict][0]
    assert error_text(DomainError("boom at 0xdeadbeef"), "id") == FALLBACK[0]
    assert error_text(NotFound("nope"), "en") == GENERIC[NotFound][1]


def test_a_refusal_the_domain_words_in_indonesian_is_shown_as_raised_and_has_its_english() -> None:
    refusal = ValidationFailed("Batas waktu bayar harus bilangan bulat dari 10 sampai 1440 menit.")
    assert error_text(refusal, "id") == "Batas waktu bayar harus bilangan bulat dari 10 sampai 1440 menit."
    assert error_text(refusal, "en") == "The payment window must be a whole number from 10 to 1440 minutes"
    assert error_text(ValidationFailed("Slogan wajib diisi."), "en") == "The tagline is required"
    assert error_text(ValidationFailed("Pengaturan 'shop_name' tidak dikenal."), "id") == (
        "Pengaturan itu tidak dikenal; muat ulang halaman"
    )
    assert not raised_in_indonesian("price_idr is required")


def test_a_refusal_a_page_wrote_in_its_own_words_is_shown_as_written() -> None:
    said = ValidationFailed("Harga tidak terbaca: tulis misalnya 75.000", said=True)
    assert error_text(said, "id") == "Harga tidak terbaca: tulis misalnya 75.000"


def data_check_findings() -> list[str]:
    """Every finding domain/admin/invariants.py words (its f-strings), with stand-in values."""
    tree = ast.parse(Path("domain/admin/invariants.py").read_text())
    return [text for node in ast.walk(tree) if isinstance(node, ast.JoinedStr) for text in _render(node)]


def test_every_data_check_finding_reads_as_a_sentence() -> None:
    findings = data_check_findings()
    assert len(findings) >= 9
    for finding in findings:
        said = problem_text(finding, "id")
        assert said != problem_text("something new", "id"), finding
        assert not re.search(r"\b(ACTIVE|ASSIGNED|AVAILABLE|seats_used|TO_INVITE)\b", said), said
