"""An order's timeline as sentences ("Dibayar lewat QRIS · Rp 79.000", "Kursi di akun x@y (2/5)", "E-mail akses
terkirim"), in the admin's language; the raw record stays behind a "detail" toggle."""

from __future__ import annotations

from datetime import datetime

from nicegui import ui

from domain.orders.admin_actions import TimelineEntry
from domain.shared.i18n import format_idr
from pages.admin.text import as_json, preformatted
from pages.admin.words import action_word, actor_word, day_words, say, state_word, when

MAIL_KINDS: dict[str, tuple[str, str]] = {
    "order_created": ("E-mail pesanan dibuat", "Order e-mail"),
    "order_lookup": ("E-mail daftar pesanan", "Order lookup e-mail"),
    "access_ready": ("E-mail akses", "Access e-mail"),
    "access_moved": ("E-mail akses baru (pindah akun)", "New access e-mail (moved)"),
    "pending_stock": ("E-mail menunggu stok", "Waiting-for-stock e-mail"),
    "seat_ended": ("E-mail masa aktif habis", "Seat-ended e-mail"),
    "seat_revoked": ("E-mail kursi dicabut", "Seat-revoked e-mail"),
    "seat_extended": ("E-mail perpanjangan", "Extension e-mail"),
    "admin_alert": ("E-mail peringatan admin", "Admin alert e-mail"),
    "renewal": ("E-mail perpanjangan diterima", "Renewal e-mail"),
    "renewal_elsewhere": ("E-mail perpanjangan di akun lain", "Renewal-elsewhere e-mail"),
    "login_changed": ("E-mail login baru (kata sandi diganti)", "New login e-mail (password changed)"),
    "refunded": ("E-mail refund", "Refund e-mail"),
    "back_in_stock": ("E-mail paket tersedia lagi", "Back-in-stock e-mail"),
}
MAIL_DONE = {
    "SENT": ("terkirim", "sent"),
    "PENDING": ("menunggu dikirim", "waiting to be sent"),
    "FAILED": ("gagal dikirim", "failed"),
}
ICONS = {"audit": "history", "payment": "payments", "email": "mail"}


def mail_kind(kind: str, lang: str | None = None) -> str:
    if kind.startswith("reminder_") and kind.endswith("d"):
        days = kind.removeprefix("reminder_").removesuffix("d")
        return say(f"E-mail pengingat ({days} hari lagi)", f"Reminder e-mail ({days} days left)", lang)
    return say(*MAIL_KINDS.get(kind, ("E-mail", "E-mail")), lang)


def _end(value: object, lang: str | None) -> str:
    try:
        return day_words(datetime.fromisoformat(str(value)), lang)
    except ValueError:
        return ""


def _seat(facts: dict, lang: str | None) -> str:
    """'x@y (2/5)': the account and how full it was after this."""
    account = facts.get("account", "")
    if "seats_used" in facts and facts.get("max_seats"):
        return f"{account} ({facts['seats_used']}/{facts['max_seats']})"
    return str(account)


def sentence(entry: TimelineEntry, lang: str | None = None) -> str:
    """What happened, in a sentence."""
    facts = entry.facts
    if entry.event == "payment":
        provider = str(facts.get("provider", "")).capitalize()
        text = say(f"Pemberitahuan dari {provider}", f"Notice from {provider}", lang)
        text += f": {state_word('webhook', facts.get('outcome', ''), lang)}"
        if not facts.get("signature_valid"):
            text += say(" · tanda tangan TIDAK VALID", " · INVALID signature", lang)
        return text
    if entry.event == "email":
        status = MAIL_DONE.get(str(facts.get("status")), ("", ""))
        return f"{mail_kind(str(facts.get('kind', '')), lang)} {say(*status, lang)}".strip()
    action = entry.event
    parts: list[str] = []
    if action in ("order.fulfil", "order.pending_stock", "order.review_accept"):
        method = facts.get("method") or say("gateway", "the gateway", lang)
        parts.append(say(f"Dibayar lewat {method}", f"Paid by {method}", lang))
        parts.append(format_idr(int(facts.get("amount_idr") or 0)))
        if action == "order.pending_stock":
            parts.append(say("menunggu kursi kosong", "waiting for a free seat", lang))
    elif action == "order.checkout" and facts.get("method"):
        method, provider = facts["method"], str(facts.get("provider", "")).capitalize()
        via = f"{method} ({provider})" if provider else method
        parts.append(say(f"Menunggu pembayaran lewat {via}", f"Awaiting payment by {via}", lang))
    elif action == "order.mark_paid":
        parts.append(say("Ditandai dibayar oleh admin", "Marked paid by an admin", lang))
        parts.append(format_idr(int(facts.get("amount_idr") or 0)))
    elif action == "assignment.create":
        parts.append(say(f"Kursi di akun {_seat(facts, lang)}", f"Seat on account {_seat(facts, lang)}", lang))
        if facts.get("end_at"):
            parts.append(
                say(f"aktif sampai {_end(facts['end_at'], lang)}", f"until {_end(facts['end_at'], lang)}", lang)
            )
    elif action == "assignment.move":
        parts.append(say(f"Dipindah ke akun {_seat(facts, lang)}", f"Moved to account {_seat(facts, lang)}", lang))
    elif action == "assignment.extend" and facts.get("end_at"):
        parts.append(
            say(
                f"Diperpanjang sampai {_end(facts['end_at'], lang)}", f"Extended to {_end(facts['end_at'], lang)}", lang
            )
        )
    else:
        parts.append(action_word(action, lang))
    if facts.get("reason"):
        parts.append(say(f"alasan: {facts['reason']}", f"reason: {facts['reason']}", lang))
    return " · ".join(part for part in parts if part)


def byline(entry: TimelineEntry, lang: str | None = None) -> str:
    """When, and who when a person or a job did it: '02 Des 2026 14.05 WIB · oleh owner@x'."""
    actor = entry.facts.get("actor")
    if not actor:
        return when(entry.at, lang)
    return f"{when(entry.at, lang)} · {say('oleh', 'by', lang)} {actor_word(str(actor), lang)}"


def timeline_ui(entries: list[TimelineEntry]) -> None:
    """The timeline, oldest first; each entry's record opens under "Detail"."""
    with ui.timeline(side="right").classes("w-full").mark("order-timeline"):
        for entry in entries:
            with ui.timeline_entry(
                title=sentence(entry), subtitle=byline(entry), icon=ICONS.get(entry.kind, "history")
            ):
                if entry.detail:
                    with ui.expansion(say("Detail", "Details")).classes("w-full text-sm").mark("timeline-detail"):
                        preformatted(as_json(entry.detail))
