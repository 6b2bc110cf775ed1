"""seat pick index: the allocation's pick reads one index entry instead of sorting the pool

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 16:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# An expression index: SQLite's reflection skips it, so a later migration that rebuilds chatgpt_accounts
# with op.batch_alter_table on SQLite would silently lose it; such a migration must create it again.
PICK_COLUMNS = ["pool", "status", sa.text("seats_used DESC"), sa.text("(coalesce(max_seats, 1) - seats_used)"), "id"]


def upgrade() -> None:
    op.create_index("ix_chatgpt_accounts_pick", "chatgpt_accounts", PICK_COLUMNS)
    op.drop_index("ix_chatgpt_accounts_pool_status", table_name="chatgpt_accounts")


def downgrade() -> None:
    op.create_index("ix_chatgpt_accounts_pool_status", "chatgpt_accounts", ["pool", "status"])
    op.drop_index("ix_chatgpt_accounts_pick", table_name="chatgpt_accounts")
