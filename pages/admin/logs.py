"""The logs: audit entries (filters, before/after, CSV export), payment callbacks, and the e-mail outbox."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta
from typing import Any

from nicegui import run, ui

from domain.admin.listing import audit_page, events_page, outbox_message, outbox_page
from domain.shared.i18n import WIB
from domain.shared.models import AuditLog, EmailOutbox, EventOutcome, MailStatus
from infra import db
from pages.admin.frame import admin_frame
from pages.admin.table import ServerTable, wib

AUDIT_COLUMNS = [
    {"name": "at", "label": "Waktu (WIB)", "field": "at", "align": "left"},
    {"name": "actor", "label": "Pelaku", "field": "actor", "align": "left"},
    {"name": "action", "label": "Tindakan", "field": "action", "align": "left"},
    {"name": "entity", "label": "Entitas", "field": "entity_label", "align": "left"},
    {"name": "ip", "label": "IP", "field": "ip", "align": "left"},
    {"name": "changes", "label": "Perubahan", "field": "summary", "align": "left"},
]
CLICKABLE = (
    '<q-tr :props="props" class="cursor-pointer" @click="$parent.$emit(\'open\', props.row)">'
    '<q-td v-for="col in props.cols" :key="col.name" :props="props">{{ col.value }}</q-td></q-tr>'
)


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


def audit_row(entry: AuditLog) -> dict[str, Any]:
    return {
        "id": entry.id,
        "at": wib(entry.at),
        "actor": entry.actor,
        "action": entry.action,
        "entity_label": f"{entry.entity} #{entry.entity_id}" if entry.entity_id is not None else entry.entity,
        "ip": entry.ip or "",
        "summary": _summary(entry.details),
        "details": entry.details,
    }


def diff_dialog(row: dict[str, Any]) -> None:
    details = row.get("details") or {}
    before, after = details.get("before") or {}, details.get("after") or {}
    with ui.dialog() as dialog, ui.card().classes("w-full max-w-3xl"):
        ui.label(f"{row['action']} — {row['actor']} — {row['at']} WIB").classes("text-lg font-bold")
        if before or after:
            keys = list(dict.fromkeys([*before, *after]))
            ui.table(
                columns=[
                    {"name": "k", "label": "Kolom", "field": "k", "align": "left"},
                    {"name": "b", "label": "Sebelum", "field": "b", "align": "left"},
                    {"name": "a", "label": "Sesudah", "field": "a", "align": "left"},
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
            ui.code(json.dumps(extra, indent=1, ensure_ascii=False, default=str)).classes("w-full text-xs")
        ui.button("Tutup", on_click=dialog.close).props("flat")
    dialog.open()


def register() -> None:
    @ui.page("/admin/audit", title="Audit — AksesGPT admin")
    async def audit(entity: str = "", entity_id: int | None = None) -> None:
        async with admin_frame("Audit log") as admin:
            if admin is None:
                return
            filters: dict[str, Any] = {
                "actor": "",
                "action": "",
                "entity": entity,
                "entity_id": entity_id,
                "since": None,
                "until": None,
            }

            def query(page: int, per_page: int) -> tuple[list[dict[str, Any]], int]:
                with db.read_session() as session:
                    result = audit_page(session=session, page=page, per_page=per_page, **filters)
                return [audit_row(e) for e in result.rows], result.total

            with ui.row().classes("w-full items-end gap-3 flex-wrap"):
                actor = ui.input("Pelaku").props("dense outlined clearable").classes("w-44").mark("audit-actor")
                action = (
                    ui.input("Tindakan (awalan)").props("dense outlined clearable").classes("w-44").mark("audit-action")
                )
                entity_in = (
                    ui.select(
                        {
                            "": "Semua",
                            "order": "order",
                            "assignment": "assignment",
                            "account": "account",
                            "product": "product",
                            "admin": "admin",
                        },
                        value=entity,
                        label="Entitas",
                    )
                    .props("dense outlined")
                    .classes("w-36")
                )
                entity_id_in = (
                    ui.number("ID", value=entity_id, precision=0).props("dense outlined clearable").classes("w-24")
                )
                since = ui.input("Dari (YYYY-MM-DD)").props("dense outlined type=date").classes("w-40")
                until = ui.input("Sampai").props("dense outlined type=date").classes("w-40")
                ui.button("Terapkan", on_click=lambda: apply()).mark("audit-apply")
                ui.button("Ekspor CSV", icon="download", on_click=lambda: export()).props("outline")
            table = ServerTable(AUDIT_COLUMNS, query, per_page=50, mark="audit-table")
            table.table.add_slot("body", CLICKABLE)
            table.table.on("open", lambda e: diff_dialog(e.args))

            async def apply() -> None:
                filters.update(
                    actor=actor.value or "",
                    action=action.value or "",
                    entity=entity_in.value or "",
                    entity_id=int(entity_id_in.value) if entity_id_in.value is not None else None,
                    since=_day(since.value or ""),
                    until=_day(until.value or "", end=True),
                )
                await table.refresh(first_page=True)

            def csv_of_filtered() -> bytes:
                out = io.StringIO()
                writer = csv.writer(out)
                writer.writerow(["at_utc", "actor", "action", "entity", "entity_id", "ip", "details"])
                with db.read_session() as session:
                    page = 1
                    while True:  # the whole filtered view, a page at a time, capped for safety
                        result = audit_page(session=session, page=page, per_page=200, **filters)
                        for e in result.rows:
                            writer.writerow(
                                [
                                    e.at.isoformat(),
                                    e.actor,
                                    e.action,
                                    e.entity,
                                    e.entity_id,
                                    e.ip or "",
                                    json.dumps(e.details, ensure_ascii=False, default=str),
                                ]
                            )
                        if page * 200 >= min(result.total, 100_000):
                            break
                        page += 1
                return out.getvalue().encode()

            async def export() -> None:
                ui.download(await run.io_bound(csv_of_filtered), "audit-log.csv", "text/csv")

            await table.refresh()

    @ui.page("/admin/webhooks", title="Webhook — AksesGPT admin")
    async def webhooks(outcome: str = "") -> None:
        async with admin_frame("Webhook pembayaran") as admin:
            if admin is None:
                return
            filters = {"provider": "", "outcome": outcome}
            columns = [
                {"name": "at", "label": "Waktu (WIB)", "field": "at", "align": "left"},
                {"name": "provider", "label": "Gateway", "field": "provider", "align": "left"},
                {"name": "key", "label": "Kunci", "field": "event_key", "align": "left"},
                {"name": "outcome", "label": "Hasil", "field": "outcome", "align": "left"},
                {"name": "sig", "label": "Tanda tangan", "field": "signature", "align": "left"},
                {"name": "ms", "label": "ms", "field": "latency_ms", "align": "right"},
                {"name": "detail", "label": "Keterangan", "field": "detail", "align": "left"},
            ]

            def query(page: int, per_page: int) -> tuple[list[dict[str, Any]], int]:
                with db.read_session() as session:
                    result = events_page(session=session, page=page, per_page=per_page, **filters)
                return [
                    {
                        "id": e.id,
                        "at": wib(e.created_at),
                        "provider": e.provider,
                        "event_key": e.event_key,
                        "outcome": e.outcome,
                        "signature": "valid" if e.signature_valid else "TIDAK VALID",
                        "latency_ms": round(e.latency_ms, 1) if e.latency_ms is not None else "",
                        "detail": e.detail,
                        "raw": e.raw_body,
                        "headers": e.headers,
                    }
                    for e in result.rows
                ], result.total

            with ui.row().classes("w-full items-end gap-3"):
                provider = (
                    ui.select({"": "Semua", "tripay": "Tripay", "midtrans": "Midtrans"}, value="", label="Gateway")
                    .props("dense outlined")
                    .classes("w-36")
                )
                outcome_in = (
                    ui.select({"": "Semua", **{o.value: o.value for o in EventOutcome}}, value=outcome, label="Hasil")
                    .props("dense outlined")
                    .classes("w-36")
                    .mark("webhook-outcome")
                )
            table = ServerTable(columns, query, per_page=50, mark="webhooks-table")
            table.table.add_slot("body", CLICKABLE)

            def raw(row: dict[str, Any]) -> None:
                with ui.dialog() as dialog, ui.card().classes("w-full max-w-3xl"):
                    ui.label(f"{row['event_key']} — {row['outcome']}").classes("font-bold")
                    ui.code(json.dumps(row["headers"], indent=1)).classes("w-full text-xs")
                    ui.code(row["raw"] or "(kosong)").classes("w-full text-xs").mark("raw-body")
                    ui.button("Tutup", on_click=dialog.close).props("flat")
                dialog.open()

            table.table.on("open", lambda e: raw(e.args))

            async def apply() -> None:
                filters.update(provider=provider.value or "", outcome=outcome_in.value or "")
                await table.refresh(first_page=True)

            provider.on_value_change(apply)
            outcome_in.on_value_change(apply)
            await table.refresh()
            ui.timer(5.0, table.refresh)

    @ui.page("/admin/outbox", title="Outbox — AksesGPT admin")
    async def outbox() -> None:
        async with admin_frame("Outbox e-mail") as admin:
            if admin is None:
                return
            filters = {"status": "", "kind": ""}
            columns = [
                {"name": "at", "label": "Dibuat (WIB)", "field": "at", "align": "left"},
                {"name": "to", "label": "Kepada", "field": "to", "align": "left"},
                {"name": "kind", "label": "Jenis", "field": "kind", "align": "left"},
                {"name": "subject", "label": "Subjek", "field": "subject", "align": "left"},
                {"name": "status", "label": "Status", "field": "status", "align": "left"},
                {"name": "attempts", "label": "Percobaan", "field": "attempts", "align": "right"},
                {"name": "error", "label": "Galat terakhir", "field": "last_error", "align": "left"},
            ]

            def query(page: int, per_page: int) -> tuple[list[dict[str, Any]], int]:
                with db.read_session() as session:
                    result = outbox_page(session=session, page=page, per_page=per_page, **filters)
                return [
                    {
                        "id": m.id,
                        "at": wib(m.created_at),
                        "to": m.to,
                        "kind": m.kind,
                        "subject": m.subject,
                        "status": m.status,
                        "attempts": m.attempts,
                        "last_error": m.last_error or "",
                    }
                    for m in result.rows
                ], result.total

            def load_html(mail_id: int) -> EmailOutbox | None:
                with db.read_session() as session:
                    return outbox_message(session=session, mail_id=mail_id)

            with ui.row().classes("w-full items-end gap-3"):
                status = (
                    ui.select({"": "Semua", **{s.value: s.value for s in MailStatus}}, value="", label="Status")
                    .props("dense outlined")
                    .classes("w-36")
                )
            table = ServerTable(columns, query, per_page=50, mark="outbox-table")
            table.table.add_slot("body", CLICKABLE)

            async def show(row: dict[str, Any]) -> None:
                mail = await run.io_bound(load_html, row["id"])
                if mail is None:
                    return
                with ui.dialog() as dialog, ui.card().classes("w-full max-w-3xl"):
                    ui.label(f"{mail.subject} → {mail.to}").classes("font-bold")
                    # the e-mail exactly as rendered for the customer, isolated in a sandboxed frame
                    frame = ui.element("iframe").classes("w-full h-[60vh] border").mark("mail-preview")
                    frame.props["sandbox"] = ""
                    frame.props["srcdoc"] = mail.html
                    ui.button("Tutup", on_click=dialog.close).props("flat")
                dialog.open()

            table.table.on("open", lambda e: show(e.args))

            async def apply() -> None:
                filters.update(status=status.value or "")
                await table.refresh(first_page=True)

            status.on_value_change(apply)
            await table.refresh()
            ui.timer(5.0, table.refresh)
