"""The audit trail: every state change writes one entry in the same transaction."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, SQLModel

from domain.shared.models import AuditLog
from infra.changes import announce
from infra.rows import insert_at_commit, table_of
from infra.types import UTCDateTime, utcnow

SYSTEM = "system"
SCHEDULER = "scheduler"


def admin_actor(email: str) -> str:
    return f"admin:{email}"


def snapshot(obj: object, *fields: str) -> dict[str, Any]:
    """The named fields of a row (an object, or a row read with Core) as JSON-safe values, for before/after details."""
    out: dict[str, Any] = {}
    for name in fields:
        value = getattr(obj, name)
        out[name] = value.isoformat() if isinstance(value, datetime) else value
    return out


# what the audit log calls a row of each audited table (the admin's audit filter offers these)
ENTITIES = {
    "orders": "order",
    "chatgpt_accounts": "account",
    "account_assignments": "assignment",
    "admin_users": "admin",
    "products": "product",
    "workspace_tasks": "workspace_task",
    "promo_codes": "promo_code",
    "waitlist_entries": "waitlist",
}
WORKSPACE = "workspace"  # the actor of what the workspace worker and sync decide


def audit_row(
    row: SQLModel,
    *,
    session: Session,
    actor: str,
    action: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    ip: str | None = None,
    **extra: Any,
) -> None:
    """record_audit for a change to `row`: the entity and its id come from the row itself."""
    entity = ENTITIES[str(getattr(row, "__tablename__", ""))]
    record_audit(
        session=session,
        actor=actor,
        action=action,
        entity=entity,
        entity_id=getattr(row, "id", None),
        before=before,
        after=after,
        ip=ip,
        **extra,
    )


_AUDIT_COLUMNS = ["at", "actor", "action", "entity", "entity_id", "details", "ip", "created_at", "updated_at"]


def record_audits_from(
    *,
    session: Session,
    actor: str,
    action: str,
    entity: str,
    entries: sa.Select[Any],
    params: Mapping[str, Any],
    entity_ids: Iterable[int],
) -> None:
    """record_audit for many rows at once, the database building each entry: `entries` selects each entry's
    entity id and details (JSON), in the order the entries are written, with `params` for its binds. One
    INSERT … SELECT, now; the change feed hears of each entity as record_audit announces it."""
    now = sa.bindparam("audit_at", utcnow(), type_=UTCDateTime())
    insert = sa.insert(table_of(AuditLog)).from_select(
        _AUDIT_COLUMNS,
        entries.with_only_columns(
            now,
            sa.cast(sa.bindparam("audit_actor", actor), sa.String()),
            sa.cast(sa.bindparam("audit_action", action), sa.String()),
            sa.cast(sa.bindparam("audit_entity", entity), sa.String()),
            *entries.selected_columns,
            sa.null(),
            now,
            now,
            maintain_column_froms=True,
        ),
    )
    session.connection().execute(insert, dict(params))
    announce(session=session, topics=(entity, *(f"{entity}:{entity_id}" for entity_id in entity_ids)))


def record_audit(
    *,
    session: Session,
    actor: str,
    action: str,
    entity: str,
    entity_id: int | None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    ip: str | None = None,
    **extra: Any,
) -> None:
    """Add an audit entry to the caller's transaction.

    Entries are written together just before the transaction commits (`insert_at_commit`: one
    multi-row INSERT, no model objects), so they share the transaction of the change they describe."""
    details: dict[str, Any] = {}
    if before is not None:
        details["before"] = before
    if after is not None:
        details["after"] = after
    details.update(extra)
    # the change feed hears of every audited change (open pages of this entity, and of its kind, follow it)
    announce(session=session, topics=(entity,) if entity_id is None else (entity, f"{entity}:{entity_id}"))
    now = utcnow()
    insert_at_commit(
        session=session,
        model=AuditLog,
        values={
            "at": now,
            "actor": actor,
            "action": action,
            "entity": entity,
            "entity_id": entity_id,
            "details": details,
            "ip": ip,
            "created_at": now,
            "updated_at": now,
        },
    )
