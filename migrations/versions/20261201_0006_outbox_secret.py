"""outbox secret: access e-mails keep the account's password encrypted beside masked bodies

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 21:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCRUBBED = "(isi dihapus: e-mail ini memuat kata sandi akun)"


def upgrade() -> None:
    with op.batch_alter_table("email_outbox") as batch:
        batch.add_column(sa.Column("secret_enc", sa.Text(), nullable=True))
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        bind.exec_driver_sql("PRAGMA secure_delete = ON")  # the old bodies' bytes are overwritten, not left free
    # access e-mails sent before this version hold the password in their bodies: keep the row, drop the bodies
    bind.execute(
        sa.text(
            "UPDATE email_outbox SET text = :note, html = :note "
            "WHERE kind = 'access_ready' AND status IN ('SENT', 'FAILED')"
        ),
        {"note": SCRUBBED},
    )


def downgrade() -> None:
    with op.batch_alter_table("email_outbox") as batch:
        batch.drop_column("secret_enc")
