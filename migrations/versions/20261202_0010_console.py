"""owner's console: package sold-out mode, account display name / monthly cost / retirement / renewal reminder,
order fees and refunds, manual payments, shop settings

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 08:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_S = sqlmodel.sql.sqltypes.AutoString
_TS = sa.DateTime(timezone=True)

# the seat pick's expression index (0005): SQLite's batch rebuild of chatgpt_accounts would lose it
PICK_COLUMNS = ["pool", "status", sa.text("seats_used DESC"), sa.text("(coalesce(max_seats, 1) - seats_used)"), "id"]


def upgrade() -> None:
    with op.batch_alter_table("products") as batch:
        batch.add_column(sa.Column("sold_out_mode", _S(length=8), nullable=False, server_default="queue"))
        batch.create_check_constraint("ck_products_sold_out_mode", "sold_out_mode IN ('queue', 'stop')")
    op.drop_index("ix_chatgpt_accounts_pick", table_name="chatgpt_accounts")
    with op.batch_alter_table("chatgpt_accounts") as batch:
        batch.add_column(sa.Column("display_name", _S(length=120), nullable=False, server_default=""))
        batch.add_column(sa.Column("monthly_cost_idr", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("retired_at", _TS, nullable=True))
        batch.add_column(sa.Column("subscription_reminded_at", _TS, nullable=True))
    op.create_index("ix_chatgpt_accounts_pick", "chatgpt_accounts", PICK_COLUMNS)
    with op.batch_alter_table("orders") as batch:
        batch.add_column(sa.Column("fee_idr", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("refunded_amount_idr", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("refund_method", _S(length=32), nullable=True))
        batch.add_column(sa.Column("refunded_at", _TS, nullable=True))
    op.create_table(
        "manual_payments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", _TS, nullable=False),
        sa.Column("kind", _S(length=16), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("assignment_id", sa.Integer(), nullable=True),
        sa.Column("amount_idr", sa.Integer(), nullable=False),
        sa.Column("method", _S(length=32), nullable=False),
        sa.Column("actor", _S(length=120), nullable=False),
        sa.Column("note", _S(length=500), nullable=False),
        sa.CheckConstraint("amount_idr >= 0", name="ck_manual_payments_amount_nonneg"),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name="fk_manual_payments_order_id_orders"),
        sa.ForeignKeyConstraint(
            ["assignment_id"], ["account_assignments.id"], name="fk_manual_payments_assignment_id_account_assignments"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_manual_payments"),
    )
    op.create_index("ix_manual_payments_at", "manual_payments", ["at"])
    op.create_index("ix_manual_payments_order_id", "manual_payments", ["order_id"])
    op.create_table(
        "shop_settings",
        sa.Column("key", _S(length=64), nullable=False),
        sa.Column("value", sa.JSON(), nullable=True),
        sa.Column("updated_at", _TS, nullable=False),
        sa.Column("updated_by", _S(length=120), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_shop_settings"),
    )


def downgrade() -> None:
    op.drop_table("shop_settings")
    op.drop_index("ix_manual_payments_order_id", table_name="manual_payments")
    op.drop_index("ix_manual_payments_at", table_name="manual_payments")
    op.drop_table("manual_payments")
    with op.batch_alter_table("orders") as batch:
        for column in ("refunded_at", "refund_method", "refunded_amount_idr", "fee_idr"):
            batch.drop_column(column)
    op.drop_index("ix_chatgpt_accounts_pick", table_name="chatgpt_accounts")
    with op.batch_alter_table("chatgpt_accounts") as batch:
        for column in ("subscription_reminded_at", "retired_at", "monthly_cost_idr", "display_name"):
            batch.drop_column(column)
    op.create_index("ix_chatgpt_accounts_pick", "chatgpt_accounts", PICK_COLUMNS)
    with op.batch_alter_table("products") as batch:
        batch.drop_constraint("ck_products_sold_out_mode", type_="check")
        batch.drop_column("sold_out_mode")
