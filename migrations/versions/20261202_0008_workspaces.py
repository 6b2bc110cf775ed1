"""workspaces: account driver, tokens and health; package warranty; workspace tasks, attempts and roster

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 01:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_S = sqlmodel.sql.sqltypes.AutoString
_TS = sa.DateTime(timezone=True)
_HEALTH = "'OK', 'TOKEN_EXPIRED', 'FULL', 'RESTRICTED', 'BANNED', 'SUBSCRIPTION_ENDED', 'UNREACHABLE'"


# the seat pick's expression index (0005): SQLite's batch rebuild of chatgpt_accounts would lose it, so it is
# dropped before and made again after
PICK_COLUMNS = ["pool", "status", sa.text("seats_used DESC"), sa.text("(coalesce(max_seats, 1) - seats_used)"), "id"]


def upgrade() -> None:
    op.drop_index("ix_chatgpt_accounts_pick", table_name="chatgpt_accounts")
    with op.batch_alter_table("chatgpt_accounts") as batch:
        batch.add_column(sa.Column("driver", _S(length=16), nullable=False, server_default="manual"))
        batch.add_column(sa.Column("workspace_id", _S(length=120), nullable=False, server_default=""))
        batch.add_column(sa.Column("access_token_enc", sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("session_token_enc", sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("health", _S(length=24), nullable=False, server_default="OK"))
        batch.add_column(sa.Column("health_changed_at", _TS, nullable=True))
        batch.add_column(sa.Column("last_sync_at", _TS, nullable=True))
        batch.add_column(sa.Column("last_error", _S(length=500), nullable=False, server_default=""))
        batch.add_column(sa.Column("failures_in_row", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("subscription_expires_at", _TS, nullable=True))
        batch.add_column(sa.Column("members_count", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("invites_count", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("strangers_count", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("allow_list", sa.JSON(), nullable=False, server_default="[]"))
        batch.create_check_constraint("ck_chatgpt_accounts_driver", "driver IN ('manual', 'chatgpt')")
        batch.create_check_constraint("ck_chatgpt_accounts_health", f"health IN ({_HEALTH})")
    op.create_index("ix_chatgpt_accounts_pick", "chatgpt_accounts", PICK_COLUMNS)
    with op.batch_alter_table("products") as batch:
        batch.add_column(sa.Column("warranty_days", sa.Integer(), nullable=True))
    with op.batch_alter_table("account_assignments") as batch:
        batch.add_column(sa.Column("missing_syncs", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("access_reported_at", _TS, nullable=True))

    op.create_table(
        "workspace_tasks",
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("assignment_id", sa.Integer(), nullable=True),
        sa.Column("kind", _S(length=16), nullable=False),
        sa.Column("email", _S(length=254), nullable=False),
        sa.Column("status", _S(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("ghosts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", _TS, nullable=False),
        sa.Column("confirm_by", _TS, nullable=True),
        sa.Column("last_error", _S(length=1000), nullable=True),
        sa.Column("done_at", _TS, nullable=True),
        sa.Column("reason", _S(length=120), nullable=False),
        sa.CheckConstraint("kind IN ('invite', 'remove')", name="ck_workspace_tasks_kind"),
        sa.CheckConstraint(
            "status IN ('PENDING', 'CONFIRMING', 'DONE', 'FAILED', 'CANCELLED')", name="ck_workspace_tasks_status"
        ),
        sa.ForeignKeyConstraint(
            ["account_id"], ["chatgpt_accounts.id"], name="fk_workspace_tasks_account_id_chatgpt_accounts"
        ),
        sa.ForeignKeyConstraint(
            ["assignment_id"], ["account_assignments.id"], name="fk_workspace_tasks_assignment_id_account_assignments"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_workspace_tasks"),
    )
    op.create_index("ix_workspace_tasks_account_id", "workspace_tasks", ["account_id"])
    op.create_index("ix_workspace_tasks_assignment_id", "workspace_tasks", ["assignment_id"])
    op.create_index("ix_workspace_tasks_status_next", "workspace_tasks", ["status", "next_attempt_at"])
    where = sa.text("status IN ('PENDING', 'CONFIRMING') AND assignment_id IS NOT NULL")
    op.create_index(
        "uq_workspace_tasks_open_per_assignment",
        "workspace_tasks",
        ["assignment_id", "kind"],
        unique=True,
        sqlite_where=where,
        postgresql_where=where,
    )

    op.create_table(
        "workspace_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("at", _TS, nullable=False),
        sa.Column("action", _S(length=24), nullable=False),
        sa.Column("outcome", _S(length=24), nullable=False),
        sa.Column("detail", _S(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["task_id"], ["workspace_tasks.id"], name="fk_workspace_attempts_task_id_workspace_tasks"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_workspace_attempts"),
    )
    op.create_index("ix_workspace_attempts_task_id", "workspace_attempts", ["task_id"])

    op.create_table(
        "workspace_seen",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("email", _S(length=254), nullable=False),
        sa.Column("kind", _S(length=16), nullable=False),
        sa.Column("member_id", _S(length=120), nullable=False),
        sa.Column("role", _S(length=40), nullable=False),
        sa.Column("is_stranger", sa.Boolean(), nullable=False),
        sa.Column("first_seen_at", _TS, nullable=False),
        sa.Column("last_seen_at", _TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["chatgpt_accounts.id"], name="fk_workspace_seen_account_id_chatgpt_accounts"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_workspace_seen"),
        sa.UniqueConstraint("account_id", "email", name="uq_workspace_seen_account_email"),
    )
    op.create_index("ix_workspace_seen_account_id", "workspace_seen", ["account_id"])


def downgrade() -> None:
    op.drop_table("workspace_seen")
    op.drop_table("workspace_attempts")
    op.drop_table("workspace_tasks")
    with op.batch_alter_table("account_assignments") as batch:
        batch.drop_column("access_reported_at")
        batch.drop_column("missing_syncs")
    with op.batch_alter_table("products") as batch:
        batch.drop_column("warranty_days")
    op.drop_index("ix_chatgpt_accounts_pick", table_name="chatgpt_accounts")
    with op.batch_alter_table("chatgpt_accounts") as batch:
        batch.drop_constraint("ck_chatgpt_accounts_health", type_="check")
        batch.drop_constraint("ck_chatgpt_accounts_driver", type_="check")
        for column in (
            "allow_list",
            "strangers_count",
            "invites_count",
            "members_count",
            "subscription_expires_at",
            "failures_in_row",
            "last_error",
            "last_sync_at",
            "health_changed_at",
            "health",
            "session_token_enc",
            "access_token_enc",
            "workspace_id",
            "driver",
        ):
            batch.drop_column(column)
    op.create_index("ix_chatgpt_accounts_pick", "chatgpt_accounts", PICK_COLUMNS)
