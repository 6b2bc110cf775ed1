"""The logs: audit entries (filters, before/after, CSV export), payment callbacks, and the e-mail outbox."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from nicegui import ui
from sqlmodel import Session

from domain.admin.admins import list_admins
from domain.admin.listing import MAX_ROW_ID, Page, audit_page, events_page, filter_id, outbox_message, outbox_page
from domain.shared.audit import admin_actor
from domain.shared.errors import ValidationFailed
from domain.shared.i18n import format_idr
from domain.shared.models import AuditLog, EmailOutbox, PaymentEvent
from infra import db
from pages.admin.error_words import field_word
from pages.admin.frame import Refused, fetch, live, still_valid
from pages.admin.table import Listing, ServerTable, column, stored_id, wib
from pages.admin.text import as_json, preformatted
from pages.admin.timeline import mail_kind
from pages.admin.words import (
    ACTION_WORDS,
    ENTITY_WORDS,
    STATES,
    action_word,
    actor_word,
    chip_cell,
    chip_fields,
    day_picker,
    entity_word,
    parse_day,
    say,
    state_choices,
    state_word,
    when,
)

AUDIT_COLUMNS = [
    column("at", "Waktu (WIB)"),
    column("actor", "Pelaku"),
    column("action", "Tindakan"),
    column("entity", "Entitas", "entity_label"),
    column("ip", "IP"),
    column("changes", "Perubahan", "summary"),
]
EVENT_COLUMNS = [
    column("at", "Waktu (WIB)"),
    column("provider", "Gateway"),
    column("key", "Kunci", "event_key"),
    column("outcome", "Hasil"),
    column("sig", "Tanda tangan", "signature"),
    column("ms", "ms", "latency_ms", right=True),
    column("detail", "Keterangan"),
]
MAIL_COLUMNS = [
    column("at", "Dibuat (WIB)"),
    column("to", "Kepada"),
    column("kind", "Jenis"),
    column("subject", "Subjek"),
    column("status", "Status"),
    column("attempts", "Percobaan", right=True),
    column("error", "Galat terakhir", "last_error"),
]
ENTITIES = ("", *ENTITY_WORDS)  # what ?entity= may name (the audit links of other pages)
SYSTEM_ACTORS = (
    "customer",
    "api",
    "tripay_webhook",
    "midtrans_webhook",
    "scheduler",
    "deadline",
    "workspace",
    "system",
)
PER_PAGE = 50
CSV_PAGE = 200
CSV_CAP = 100_000


def _value(key: str, value: object) -> str:
    """A before/after value as the admin reads it: states in words, times in WIB, yes/no."""
    kinds = {"status": "", "health": "health", "invite_state": "invite", "delivery": "delivery", "driver": "driver"}
    if isinstance(value, bool):
        return state_word("yes_no", value)
    if isinstance(value, int) and (key.endswith("_idr") or key in ("amount", "price")):
        return format_idr(value)
    if key in kinds and isinstance(value, str):
        kind = kinds[key] or next((k for k in ("order", "assignment", "account") if value in STATES[k]), "")
        return state_word(kind, value) if kind else value
    if isinstance(value, str) and key.endswith("_at"):
        try:
            return when(datetime.fromisoformat(value))
        except ValueError:
            return value
    return "" if value is None else str(value)


def _field(key: str) -> str:
    """A recorded field's name on the page (one not listed keeps its own name: still better than "Isian")."""
    return field_word(key, unknown=(key, key))


def _summary(details: dict[str, Any]) -> str:
    before, after = details.get("before") or {}, details.get("after") or {}
    changed = [
        f"{_field(k)}: " + (f"{_value(k, before[k])} → " if before.get(k) is not None else "") + _value(k, after.get(k))
        for k in after
        if before.get(k) != after.get(k)
    ]
    return (
        "; ".join(changed)[:160]
        if changed
        else ", ".join(f"{_field(k)}: {_value(k, v)}" for k, v in details.items() if k not in ("before", "after"))[:160]
    )


@dataclass
class AuditRow:
    id: int
    at: str
    actor: str
    action: str
    entity_label: str
    ip: str
    summary: str
    details: dict[str, Any]  # the entry's own record: before/after and whatever the action noted

    @classmethod
    def of(cls, entry: AuditLog) -> AuditRow:
        return cls(
            id=stored_id(entry.id),
            at=wib(entry.at),
            actor=actor_word(entry.actor),
            action=action_word(entry.action),
            entity_label=entity_word(entry.entity) + (f" #{entry.entity_id}" if entry.entity_id is not None else ""),
            ip=entry.ip or "",
            summary=_summary(entry.details),
            details=entry.details,
        )


@dataclass
class AuditFilters:
    actor: str = ""
    action: str = ""
    entity: str = ""
    entity_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class AuditView:
    filters: AuditFilters
    first: Listing[AuditRow] = field(default_factory=lambda: Listing([], 0))
    admins: list[str] = field(default_factory=list)  # the admins' e-mails, for the "who" filter


def _audit_page(session: Session, filters: AuditFilters, page: int, per_page: int) -> Page[AuditLog]:
    return audit_page(
        session=session,
        actor=filters.actor,
        action=filters.action,
        entity=filters.entity,
        entity_id=filters.entity_id,
        since=filters.since,
        until=filters.until,
        page=page,
        per_page=per_page,
    )


def audit_listing(filters: AuditFilters, page: int, per_page: int) -> Listing[AuditRow]:
    with db.read_session() as session:
        result = _audit_page(session, filters, page, per_page)
    return Listing([AuditRow.of(e) for e in result.rows], result.total)


def load_audit(filters: AuditFilters) -> AuditView:
    with db.read_session() as session:
        admins = [a.email for a in list_admins(session=session)]
    return AuditView(filters, audit_listing(filters, 1, PER_PAGE), admins)


def actor_choices(admins: list[str]) -> dict[str, str]:
    """Who may have done it: every admin, then the shop's own processes, in words."""
    everyone = {"": say("Semua", "All")} | {admin_actor(email): email for email in admins}
    return everyone | {actor: actor_word(actor) for actor in SYSTEM_ACTORS}


def action_choices() -> dict[str, str]:
    return {"": say("Semua", "All")} | {action: action_word(action) for action in ACTION_WORDS}


def entity_choices() -> dict[str, str]:
    return {"": say("Semua", "All")} | {entity: entity_word(entity) for entity in ENTITY_WORDS}


def audit_csv(filters: AuditFilters) -> bytes:
    """The whole filtered view, a page at a time, capped for safety."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["waktu_wib", "pelaku", "tindakan", "kode_tindakan", "entitas", "id", "ip", "detail"])
    with db.read_session() as session:
        page = 1
        while True:
            result = _audit_page(session, filters, page, CSV_PAGE)
            for e in result.rows:
                details = json.dumps(e.details, ensure_ascii=False, default=str)
                writer.writerow(
                    [
                        when(e.at),
                        actor_word(e.actor),
                        action_word(e.action),
                        e.action,
                        entity_word(e.entity),
                        e.entity_id,
                        e.ip or "",
                        details,
                    ]
                )
            if page * CSV_PAGE >= min(result.total, CSV_CAP):
                break
            page += 1
    return out.getvalue().encode()


@dataclass
class EventRow:
    id: int
    at: str
    provider: str
    event_key: str
    outcome: str
    signature: str
    latency_ms: float | str  # "" when not measured
    detail: str
    raw: str
    headers: dict[str, Any]
    outcome_colour: str = ""
    outcome_ink: str = ""
    sig_colour: str = ""
    sig_ink: str = ""

    @classmethod
    def of(cls, e: PaymentEvent) -> EventRow:
        (outcome_colour, outcome_ink), (sig_colour, sig_ink) = (
            chip_fields("webhook", e.outcome),
            chip_fields("signature", e.signature_valid),
        )
        return cls(
            id=stored_id(e.id),
            at=wib(e.created_at),
            provider=e.provider,
            event_key=e.event_key,
            outcome=state_word("webhook", e.outcome),
            signature=state_word("signature", e.signature_valid),
            latency_ms=round(e.latency_ms, 1) if e.latency_ms is not None else "",
            detail=e.detail,
            raw=e.raw_body,
            headers=e.headers,
            outcome_colour=outcome_colour,
            outcome_ink=outcome_ink,
            sig_colour=sig_colour,
            sig_ink=sig_ink,
        )


@dataclass
class EventFilters:
    provider: str = ""
    outcome: str = ""


@dataclass(frozen=True)
class WebhooksView:
    filters: EventFilters
    first: Listing[EventRow] = field(default_factory=lambda: Listing([], 0))


def event_listing(filters: EventFilters, page: int, per_page: int) -> Listing[EventRow]:
    with db.read_session() as session:
        result = events_page(
            session=session, provider=filters.provider, outcome=filters.outcome, page=page, per_page=per_page
        )
    return Listing([EventRow.of(e) for e in result.rows], result.total)


def load_webhooks(filters: EventFilters) -> WebhooksView:
    return WebhooksView(filters, event_listing(filters, 1, PER_PAGE))


@dataclass
class MailRow:
    id: int
    at: str
    to: str
    kind: str
    subject: str
    status: str
    attempts: int
    last_error: str
    status_colour: str = ""
    status_ink: str = ""

    @classmethod
    def of(cls, m: EmailOutbox) -> MailRow:
        colour, ink = chip_fields("mail", m.status)
        return cls(
            id=stored_id(m.id),
            at=wib(m.created_at),
            to=m.to,
            kind=mail_kind(m.kind),
            subject=m.subject,
            status=state_word("mail", m.status),
            attempts=m.attempts,
            last_error=m.last_error or "",
            status_colour=colour,
            status_ink=ink,
        )


@dataclass
class MailFilters:
    status: str = ""
    kind: str = ""


@dataclass(frozen=True)
class OutboxView:
    filters: MailFilters
    first: Listing[MailRow] = field(default_factory=lambda: Listing([], 0))


def mail_listing(filters: MailFilters, page: int, per_page: int) -> Listing[MailRow]:
    with db.read_session() as session:
        result = outbox_page(session=session, status=filters.status, kind=filters.kind, page=page, per_page=per_page)
    return Listing([MailRow.of(m) for m in result.rows], result.total)


def load_outbox(filters: MailFilters) -> OutboxView:
    return OutboxView(filters, mail_listing(filters, 1, PER_PAGE))


def load_mail(mail_id: int) -> EmailOutbox | None:
    with db.read_session() as session:
        return outbox_message(session=session, mail_id=mail_id)


async def diff_dialog(row: AuditRow) -> None:
    if not await still_valid():  # the row came with the page, but a tab whose session ended shows nothing more
        return
    details = row.details or {}
    before, after = details.get("before") or {}, details.get("after") or {}
    with ui.dialog() as dialog, ui.card().classes("w-full max-w-3xl"):
        ui.label(f"{row.action} — {row.actor} — {row.at}").classes("text-lg font-bold")
        if before or after:
            keys = list(dict.fromkeys([*before, *after]))
            ui.table(
                columns=[
                    column("k", "Kolom"),
                    column("b", "Sebelum"),
                    column("a", "Sesudah"),
                ],
                rows=[
                    {
                        "k": _field(k),
                        "b": _value(k, before.get(k, "")),
                        "a": _value(k, after.get(k, "")),
                        "changed": before.get(k) != after.get(k),
                    }
                    for k in keys
                ],
                row_key="k",
            ).classes("w-full").props("dense flat bordered").mark("audit-diff")
        extra = {k: v for k, v in details.items() if k not in ("before", "after")}
        if extra:
            preformatted(as_json(extra)).mark("audit-details")
        ui.button(say("Tutup", "Close"), on_click=dialog.close).props("flat")
    dialog.open()


def audit_filters(view: AuditView, table: ServerTable) -> None:
    """Actor, action, entity and date filters, applied together; the CSV export takes the same filters."""
    filters = view.filters
    actor = (
        ui.select(actor_choices(view.admins), value=filters.actor, label=say("Pelaku", "Who"))
        .props("dense outlined")
        .classes("w-56")
        .mark("audit-actor")
    )
    action = (
        ui.select(action_choices(), value=filters.action, label=say("Tindakan", "Action"), with_input=True)
        .props("dense outlined")
        .classes("w-64")
        .mark("audit-action")
    )
    entity_in = (
        ui.select(entity_choices(), value=filters.entity, label=say("Entitas", "Record"))
        .props("dense outlined")
        .classes("w-44")
        .mark("audit-entity")
    )
    entity_id_in = (
        ui.input("ID", value="" if filters.entity_id is None else str(filters.entity_id))
        .props("dense outlined clearable inputmode=numeric")
        .classes("w-28")
        .mark("audit-entity-id")
    )
    since = day_picker(say("Dari tanggal", "From")).classes("w-44").mark("audit-since")
    until = day_picker(say("Sampai tanggal", "Until")).classes("w-44").mark("audit-until")

    async def apply() -> None:
        try:
            entity_id = filter_id(entity_id_in.value, "entity_id")
        except ValidationFailed:
            ui.notify(
                say(
                    f"ID harus bilangan bulat dari 1 sampai {MAX_ROW_ID}",
                    f"The ID must be a whole number from 1 to {MAX_ROW_ID}",
                ),
                type="negative",
            )
            return
        filters.actor, filters.action = actor.value or "", action.value or ""
        filters.entity, filters.entity_id = entity_in.value or "", entity_id
        filters.since, filters.until = parse_day(since.value or ""), parse_day(until.value or "", end=True)
        if (since.value and filters.since is None) or (until.value and filters.until is None):
            ui.notify(say("Tanggal ditulis seperti 02 Des 2026", "Write dates like 02 Dec 2026"), type="negative")
            return
        await table.refresh(first_page=True)

    async def export() -> None:
        content = await fetch(audit_csv, filters)
        if not isinstance(content, Refused):
            ui.download(content, "audit-log.csv", "text/csv")

    ui.button(say("Terapkan", "Apply"), on_click=apply).mark("audit-apply")
    ui.button(say("Ekspor CSV", "Export CSV"), icon="download", on_click=export).props("outline")


def audit_ui(view: AuditView) -> None:
    bar = ui.row().classes("w-full items-end gap-3 flex-wrap")  # filled below, once the table it filters exists
    table = ServerTable(
        AUDIT_COLUMNS,
        lambda page, per_page: audit_listing(view.filters, page, per_page),
        first=view.first,
        per_page=PER_PAGE,
        mark="audit-table",
    )
    with bar:
        audit_filters(view, table)
    table.opens(AuditRow, diff_dialog)


async def raw_dialog(row: EventRow) -> None:
    if not await still_valid():
        return
    with ui.dialog() as dialog, ui.card().classes("w-full max-w-3xl"):
        ui.label(f"{row.event_key} — {row.outcome}").classes("font-bold")
        ui.label("Header").classes("text-sm text-slate-500")
        preformatted(as_json(row.headers)).mark("raw-headers")
        ui.label(say("Isi mentah", "Raw body")).classes("text-sm text-slate-500")
        preformatted(row.raw or "(kosong)").mark("raw-body")
        ui.button(say("Tutup", "Close"), on_click=dialog.close).props("flat")
    dialog.open()


def webhooks_ui(view: WebhooksView) -> None:
    filters = view.filters
    with ui.row().classes("w-full items-end gap-3"):
        provider = (
            ui.select({"": say("Semua", "All"), "tripay": "Tripay", "midtrans": "Midtrans"}, value="", label="Gateway")
            .props("dense outlined")
            .classes("w-36")
        )
        outcome_in = (
            ui.select(
                state_choices("webhook", everything=say("Semua", "All")),
                value=filters.outcome,
                label=say("Hasil", "Outcome"),
            )
            .props("dense outlined")
            .classes("w-36")
            .mark("webhook-outcome")
        )
    table = ServerTable(
        EVENT_COLUMNS,
        lambda page, per_page: event_listing(filters, page, per_page),
        first=view.first,
        per_page=PER_PAGE,
        mark="webhooks-table",
    )
    table.cell("outcome", chip_cell("outcome"))
    table.cell("sig", chip_cell("sig", "signature"))
    table.opens(EventRow, raw_dialog)

    async def apply() -> None:
        filters.provider, filters.outcome = provider.value or "", outcome_in.value or ""
        await table.refresh(first_page=True)

    provider.on_value_change(apply)
    outcome_in.on_value_change(apply)
    live(table.refresh, ("payment_event",))


async def mail_dialog(row: MailRow) -> None:
    mail = await fetch(load_mail, row.id)
    if mail is None or isinstance(mail, Refused):
        return
    with ui.dialog() as dialog, ui.card().classes("w-full max-w-3xl"):
        ui.label(f"{mail.subject} → {mail.to}").classes("font-bold")
        # the e-mail's text part as text: its HTML is never rendered here (no remote images, no forms)
        preformatted(mail.text).mark("mail-preview")
        with ui.expansion(say("Sumber HTML", "HTML source")).classes("w-full text-sm"):
            preformatted(mail.html).mark("mail-html")
        ui.button(say("Tutup", "Close"), on_click=dialog.close).props("flat")
    dialog.open()


def outbox_ui(view: OutboxView) -> None:
    filters = view.filters
    with ui.row().classes("w-full items-end gap-3"):
        status = (
            ui.select(state_choices("mail", everything=say("Semua", "All")), value="", label="Status")
            .props("dense outlined")
            .classes("w-36")
        )
    table = ServerTable(
        MAIL_COLUMNS,
        lambda page, per_page: mail_listing(filters, page, per_page),
        first=view.first,
        per_page=PER_PAGE,
        mark="outbox-table",
    )
    table.cell("status", chip_cell("status"))
    table.opens(MailRow, mail_dialog)

    async def apply() -> None:
        filters.status = status.value or ""
        await table.refresh(first_page=True)

    status.on_value_change(apply)
    live(table.refresh, ("mail",))
