"""The audit trail: every state change writes one entry in the same transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session, SQLModel

from domain.shared.models import AuditLog
from infra.changes import announce
from infra.rows import insert_at_commit
from infra.types import utcnow

SYSTEM = "system"
SCHEDULER = "scheduler"


def admin_actor(email: str) -> str:
    return f"admin:{email}"


def snapshot(obj: SQLModel, *fields: str) -> dict[str, Any]:
    """The named fields of a row as JSON-safe values, for before/after details."""
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
