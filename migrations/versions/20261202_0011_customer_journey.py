"""customer journey: login help (TOTP secret, pasted login code), renewals, WhatsApp outbox, promo codes,
channel fees and payment instructions, refund requests, the sold-out waitlist

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 08:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_S = sqlmodel.sql.sqltypes.AutoString
_TS = sa.DateTime(timezone=True)
PICK_COLUMNS = ["pool", "status", sa.text("seats_used DESC"), sa.text("(coalesce(max_seats, 1) - seats_used)"), "id"]
OUTBOX_STATUS = "status IN ('PENDING', 'SENT', 'FAILED')"


def upgrade() -> None:
    op.create_table(
        "promo_codes",
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", _S(length=32), nullable=False),
        sa.Column("kind", _S(length=8), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.Column("min_amount_idr", sa.Integer(), nullable=False),
        sa.Column("max_uses", sa.Integer(), nullable=True),
        sa.Column("max_uses_per_customer", sa.Integer(), nullable=True),
        sa.Column("valid_from", _TS, nullable=True),
        sa.Column("valid_until", _TS, nullable=True),
        sa.Column("product_ids", sa.JSON(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("note", _S(length=200), nullable=False),
        sa.CheckConstraint("kind IN ('percent', 'fixed')", name="ck_promo_codes_kind"),
        sa.CheckConstraint("value > 0", name="ck_promo_codes_value_positive"),
        sa.PrimaryKeyConstraint("id", name="pk_promo_codes"),
        sa.UniqueConstraint("code", name="uq_promo_codes_code"),
    )
    op.drop_index("ix_chatgpt_accounts_pick", table_name="chatgpt_accounts")
    with op.batch_alter_table("chatgpt_accounts") as batch:
        batch.add_column(sa.Column("totp_secret_enc", _S(length=1024), nullable=False, server_default=""))
        batch.add_column(sa.Column("login_code_enc", _S(length=1024), nullable=False, server_default=""))
        batch.add_column(sa.Column("login_code_at", _TS, nullable=True))
    op.create_index("ix_chatgpt_accounts_pick", "chatgpt_accounts", PICK_COLUMNS)
    with op.batch_alter_table("orders") as batch:
        batch.add_column(sa.Column("renews_order_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("notify_whatsapp", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("discount_idr", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("promo_code_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("fee_customer_idr", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("pay_instructions", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("refund_requested_at", _TS, nullable=True))
        batch.create_foreign_key("fk_orders_renews_order_id_orders", "orders", ["renews_order_id"], ["id"])
        batch.create_foreign_key("fk_orders_promo_code_id_promo_codes", "promo_codes", ["promo_code_id"], ["id"])
        batch.create_index("ix_orders_renews_order_id", ["renews_order_id"])
    op.create_table(
        "whatsapp_outbox",
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("status", _S(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", _TS, nullable=False),
        sa.Column("last_error", _S(length=1000), nullable=True),
        sa.Column("sent_at", _TS, nullable=True),
        sa.Column("to", _S(length=20), nullable=False),
        sa.Column("kind", _S(length=40), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(OUTBOX_STATUS, name="ck_whatsapp_outbox_status"),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name="fk_whatsapp_outbox_order_id_orders"),
        sa.PrimaryKeyConstraint("id", name="pk_whatsapp_outbox"),
    )
    op.create_index("ix_whatsapp_outbox_status_next", "whatsapp_outbox", ["status", "next_attempt_at"])
    op.create_index("ix_whatsapp_outbox_order_id", "whatsapp_outbox", ["order_id"])
    op.create_table(
        "promo_uses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("promo_code_id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("customer", _S(length=254), nullable=False),
        sa.Column("discount_idr", sa.Integer(), nullable=False),
        sa.Column("at", _TS, nullable=False),
        sa.ForeignKeyConstraint(["promo_code_id"], ["promo_codes.id"], name="fk_promo_uses_promo_code_id_promo_codes"),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name="fk_promo_uses_order_id_orders"),
        sa.PrimaryKeyConstraint("id", name="pk_promo_uses"),
        sa.UniqueConstraint("order_id", name="uq_promo_uses_order_id"),
    )
    op.create_index("ix_promo_uses_promo_code_id", "promo_uses", ["promo_code_id"])
    op.create_index("ix_promo_uses_customer", "promo_uses", ["customer"])
    op.create_table(
        "waitlist_entries",
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("email", _S(length=254), nullable=False),
        sa.Column("phone", _S(length=20), nullable=False),
        sa.Column("locale", _S(length=8), nullable=False),
        sa.Column("notified_at", _TS, nullable=True),
        sa.ForeignKeyConstraint(["product_id"], ["products.id"], name="fk_waitlist_entries_product_id_products"),
        sa.PrimaryKeyConstraint("id", name="pk_waitlist_entries"),
    )
    op.create_index("ix_waitlist_entries_product_notified", "waitlist_entries", ["product_id", "notified_at"])


def downgrade() -> None:
    op.drop_index("ix_waitlist_entries_product_notified", table_name="waitlist_entries")
    op.drop_table("waitlist_entries")
    op.drop_index("ix_promo_uses_customer", table_name="promo_uses")
    op.drop_index("ix_promo_uses_promo_code_id", table_name="promo_uses")
    op.drop_table("promo_uses")
    op.drop_index("ix_whatsapp_outbox_order_id", table_name="whatsapp_outbox")
    op.drop_index("ix_whatsapp_outbox_status_next", table_name="whatsapp_outbox")
    op.drop_table("whatsapp_outbox")
    with op.batch_alter_table("orders") as batch:
        batch.drop_index("ix_orders_renews_order_id")
        batch.drop_constraint("fk_orders_promo_code_id_promo_codes", type_="foreignkey")
        batch.drop_constraint("fk_orders_renews_order_id_orders", type_="foreignkey")
        for column in (
            "refund_requested_at",
            "pay_instructions",
            "fee_customer_idr",
            "promo_code_id",
            "discount_idr",
            "notify_whatsapp",
            "renews_order_id",
        ):
            batch.drop_column(column)
    op.drop_index("ix_chatgpt_accounts_pick", table_name="chatgpt_accounts")
    with op.batch_alter_table("chatgpt_accounts") as batch:
        for column in ("login_code_at", "login_code_enc", "totp_secret_enc"):
            batch.drop_column(column)
    op.create_index("ix_chatgpt_accounts_pick", "chatgpt_accounts", PICK_COLUMNS)
    op.drop_table("promo_codes")
