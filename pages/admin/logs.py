"""The logs: audit entries (filters, before/after, CSV export), payment callbacks, and the e-mail outbox."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from nicegui import ui
from sqlmodel import Session

from domain.admin.listing import MAX_ROW_ID, Page, audit_page, events_page, filter_id, outbox_message, outbox_page
from domain.shared.errors import ValidationFailed
from domain.shared.i18n import WIB
from domain.shared.models import AuditLog, EmailOutbox, EventOutcome, MailStatus, PaymentEvent
from infra import db
from pages.admin.frame import Refused, fetch, live, still_valid
from pages.admin.table import Listing, ServerTable, column, stored_id, wib
from pages.admin.text import as_json, preformatted

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
ENTITIES = {
    "": "Semua",
    "order": "order",
    "assignment": "assignment",
    "account": "account",
    "product": "product",
    "admin": "admin",
}
PER_PAGE = 50
CSV_PAGE = 200
CSV_CAP = 100_000


def _day(text: str, end: bool = False) -> datetime | None:
    try:
        day = datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=WIB)
    except ValueError:
        return None
    return day + timedelta(days=1) if end else day


def _summary(details: dict[str, Any]) -> str:
    before, after = details.get("before") or {}, details.get("after") or {}
    changed = [f"{k}: {before.get(k)} → {after.get(k)}" for k in after if before.get(k) != after.get(k)]
    return (
        "; ".join(changed)[:160]
        if changed
        else ", ".join(f"{k}={v}" for k, v in details.items() if k not in ("before", "after"))[:160]
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
            actor=entry.actor,
            action=entry.action,
            entity_label=f"{entry.entity} #{entry.entity_id}" if entry.entity_id is not None else entry.entity,
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
    return AuditView(filters, audit_listing(filters, 1, PER_PAGE))


def audit_csv(filters: AuditFilters) -> bytes:
    """The whole filtered view, a page at a time, capped for safety."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["at_utc", "actor", "action", "entity", "entity_id", "ip", "details"])
    with db.read_session() as session:
        page = 1
        while True:
            result = _audit_page(session, filters, page, CSV_PAGE)
            for e in result.rows:
                details = json.dumps(e.details, ensure_ascii=False, default=str)
                writer.writerow([e.at.isoformat(), e.actor, e.action, e.entity, e.entity_id, e.ip or "", details])
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

    @classmethod
    def of(cls, e: PaymentEvent) -> EventRow:
        return cls(
            id=stored_id(e.id),
            at=wib(e.created_at),
            provider=e.provider,
            event_key=e.event_key,
            outcome=e.outcome,
            signature="valid" if e.signature_valid else "TIDAK VALID",
            latency_ms=round(e.latency_ms, 1) if e.latency_ms is not None else "",
            detail=e.detail,
            raw=e.raw_body,
            headers=e.headers,
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

    @classmethod
    def of(cls, m: EmailOutbox) -> MailRow:
        return cls(
            id=stored_id(m.id),
            at=wib(m.created_at),
            to=m.to,
            kind=m.kind,
            subject=m.subject,
            status=m.status,
            attempts=m.attempts,
            last_error=m.last_error or "",
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
        ui.label(f"{row.action} — {row.actor} — {row.at} WIB").classes("text-lg font-bold")
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
                        "k": k,
                        "b": str(before.get(k, "")),
                        "a": str(after.get(k, "")),
                        "changed": before.get(k) != after.get(k),
                    }
                    for k in keys
                ],
                row_key="k",
            ).classes("w-full").props("dense flat bordered").mark("audit-diff")
        extra = {k: v for k, v in details.items() if k not in ("before", "after")}
        if extra:
            preformatted(as_json(extra)).mark("audit-details")
        ui.button("Tutup", on_click=dialog.close).props("flat")
    dialog.open()


def audit_filters(view: AuditView, table: ServerTable) -> None:
    """Actor, action, entity and date filters, applied together; the CSV export takes the same filters."""
    filters = view.filters
    actor = ui.input("Pelaku").props("dense outlined clearable").classes("w-44").mark("audit-actor")
    action = ui.input("Tindakan (awalan)").props("dense outlined clearable").classes("w-44").mark("audit-action")
    entity_in = ui.select(ENTITIES, value=filters.entity, label="Entitas").props("dense outlined").classes("w-36")
    entity_id_in = (
        ui.input("ID", value="" if filters.entity_id is None else str(filters.entity_id))
        .props("dense outlined clearable inputmode=numeric")
        .classes("w-28")
        .mark("audit-entity-id")
    )
    since = ui.input("Dari (YYYY-MM-DD)").props("dense outlined type=date").classes("w-40")
    until = ui.input("Sampai").props("dense outlined type=date").classes("w-40")

    async def apply() -> None:
        try:
            entity_id = filter_id(entity_id_in.value, "entity_id")
        except ValidationFailed:
            ui.notify(f"ID harus bilangan bulat dari 1 sampai {MAX_ROW_ID}", type="negative")
            return
        filters.actor, filters.action = actor.value or "", action.value or ""
        filters.entity, filters.entity_id = entity_in.value or "", entity_id
        filters.since, filters.until = _day(since.value or ""), _day(until.value or "", end=True)
        await table.refresh(first_page=True)

    async def export() -> None:
        content = await fetch(audit_csv, filters)
        if not isinstance(content, Refused):
            ui.download(content, "audit-log.csv", "text/csv")

    ui.button("Terapkan", on_click=apply).mark("audit-apply")
    ui.button("Ekspor CSV", icon="download", on_click=export).props("outline")


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
        ui.label("Isi mentah").classes("text-sm text-slate-500")
        preformatted(row.raw or "(kosong)").mark("raw-body")
        ui.button("Tutup", on_click=dialog.close).props("flat")
    dialog.open()


def webhooks_ui(view: WebhooksView) -> None:
    filters = view.filters
    with ui.row().classes("w-full items-end gap-3"):
        provider = (
            ui.select({"": "Semua", "tripay": "Tripay", "midtrans": "Midtrans"}, value="", label="Gateway")
            .props("dense outlined")
            .classes("w-36")
        )
        outcome_in = (
            ui.select({"": "Semua", **{o.value: o.value for o in EventOutcome}}, value=filters.outcome, label="Hasil")
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
        with ui.expansion("Sumber HTML").classes("w-full text-sm"):
            preformatted(mail.html).mark("mail-html")
        ui.button("Tutup", on_click=dialog.close).props("flat")
    dialog.open()


def outbox_ui(view: OutboxView) -> None:
    filters = view.filters
    with ui.row().classes("w-full items-end gap-3"):
        status = (
            ui.select({"": "Semua", **{s.value: s.value for s in MailStatus}}, value="", label="Status")
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
    table.opens(MailRow, mail_dialog)

    async def apply() -> None:
        filters.status = status.value or ""
        await table.refresh(first_page=True)

    status.on_value_change(apply)
    live(table.refresh, ("mail",))
