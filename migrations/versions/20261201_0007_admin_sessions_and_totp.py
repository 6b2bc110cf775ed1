"""admin sessions and two-factor sign-in: sessions_valid_after, TOTP secret, last step, recovery codes

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 22:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("admin_users") as batch:
        batch.add_column(sa.Column("sessions_valid_after", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(
            sa.Column(
                "totp_secret_enc", sqlmodel.sql.sqltypes.AutoString(length=1024), nullable=False, server_default=""
            )
        )
        batch.add_column(sa.Column("totp_confirmed_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("totp_last_step", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("recovery_codes", sa.JSON(), nullable=False, server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("admin_users") as batch:
        for column in (
            "recovery_codes",
            "totp_last_step",
            "totp_confirmed_at",
            "totp_secret_enc",
            "sessions_valid_after",
        ):
            batch.drop_column(column)
