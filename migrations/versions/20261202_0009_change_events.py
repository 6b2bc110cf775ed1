"""change feed: what each committed transaction changed, for the other app processes to catch up on

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 04:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "change_events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("topics", sa.Text(), nullable=False),
    )
    op.create_index("ix_change_events_at", "change_events", ["at"])


def downgrade() -> None:
    op.drop_index("ix_change_events_at", table_name="change_events")
    op.drop_table("change_events")
