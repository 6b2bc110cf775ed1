"""The tables of DESIGN.md §2. Money is whole rupiah (int); timestamps are aware UTC."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import JSON, Column, Field, SQLModel

from infra.types import UTCDateTime, check_in, utcnow

# Deterministic constraint names, so later migrations (batch mode on SQLite) can address them.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class AccountStatus(StrEnum):
    AVAILABLE = "AVAILABLE"
    ASSIGNED = "ASSIGNED"  # every seat taken
    SUSPENDED = "SUSPENDED"
    RETIRED = "RETIRED"


class Delivery(StrEnum):
    CREDENTIALS = "CREDENTIALS"  # the login is shared with the customer
    INVITE = "INVITE"  # the customer's email is invited to the workspace


class Health(StrEnum):
    """What the last look at a workspace (or the owner, for a CREDENTIALS account) found."""

    OK = "OK"
    TOKEN_EXPIRED = "TOKEN_EXPIRED"  # the access token is refused and could not be renewed
    FULL = "FULL"  # the workspace has no seat left for a sale
    RESTRICTED = "RESTRICTED"  # invites answer success but never arrive ("ghost" invites)
    BANNED = "BANNED"  # deactivated, suspended, not found
    SUBSCRIPTION_ENDED = "SUBSCRIPTION_ENDED"  # the plan ended or lapsed
    UNREACHABLE = "UNREACHABLE"  # too many consecutive failures


DEAD = frozenset({Health.BANNED, Health.SUBSCRIPTION_ENDED, Health.UNREACHABLE, Health.RESTRICTED})
# allocation takes seats only on accounts in these states (FULL accounts have their capacity lowered instead)
SELLABLE = frozenset({Health.OK, Health.FULL})


class Driver(StrEnum):
    MANUAL = "manual"  # the owner invites and removes by hand (the admin's invite queue)
    CHATGPT = "chatgpt"  # ChatGPT's web backend (or the simulator behind CHATGPT_API_BASE)


class OrderStatus(StrEnum):
    PENDING_PAYMENT = "pending_payment"
    PENDING_STOCK = "pending_stock"
    FULFILLED = "fulfilled"
    PAYMENT_EXPIRED = "payment_expired"
    PAYMENT_FAILED = "payment_failed"
    PAYMENT_REVIEW = "payment_review"
    REFUNDED = "refunded"


class AssignmentStatus(StrEnum):
    ACTIVE = "ACTIVE"
    EXPIRED = "EXPIRED"
    REVOKED = "REVOKED"


class InviteState(StrEnum):
    TO_INVITE = "TO_INVITE"
    INVITED = "INVITED"
    JOINED = "JOINED"  # the customer accepted: a member of the workspace (seen by a sync)
    TO_REMOVE = "TO_REMOVE"
    REMOVED = "REMOVED"


class EventOutcome(StrEnum):
    APPLIED = "applied"
    DUPLICATE = "duplicate"
    IGNORED = "ignored"
    REJECTED = "rejected"
    ERROR = "error"


class MailStatus(StrEnum):
    PENDING = "PENDING"
    SENT = "SENT"
    FAILED = "FAILED"


def _ts(**kw: Any) -> Any:
    return Field(sa_type=UTCDateTime(), **kw)


class SoldOutMode(StrEnum):
    QUEUE = "queue"  # sell and serve the order when a seat returns (PENDING_STOCK)
    STOP = "stop"  # the package shows "sold out" and takes no order


class Timestamped(SQLModel):
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime(), nullable=False)
    updated_at: datetime = Field(
        default_factory=utcnow,
        sa_type=UTCDateTime(),
        nullable=False,
        sa_column_kwargs={"onupdate": utcnow},
    )


class Product(Timestamped, table=True):
    __tablename__ = "products"
    __table_args__ = (
        sa.CheckConstraint("price_idr > 0", name="ck_products_price_positive"),
        sa.CheckConstraint("duration_days > 0", name="ck_products_duration_positive"),
        check_in("sold_out_mode", SoldOutMode, "ck_products_sold_out_mode"),
    )

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=64, unique=True)
    name: str = Field(max_length=120)
    description: str = Field(default="", max_length=1000)
    price_idr: int
    duration_days: int
    pool: str = Field(default="default", max_length=64, index=True)
    is_active: bool = True
    is_popular: bool = False
    sort_order: int = 0
    # days from payment within which a customer of a dead account is moved to a healthy one; None: the whole period
    warranty_days: int | None = None
    # when the pool has no free seat: "queue" sells and serves the order when a seat returns, "stop" stops selling
    sold_out_mode: str = Field(default=SoldOutMode.QUEUE, max_length=8)


class ChatGPTAccount(Timestamped, table=True):
    __tablename__ = "chatgpt_accounts"
    __table_args__ = (
        check_in("status", AccountStatus, "ck_chatgpt_accounts_status"),
        check_in("delivery", Delivery, "ck_chatgpt_accounts_delivery"),
        check_in("driver", Driver, "ck_chatgpt_accounts_driver"),
        check_in("health", Health, "ck_chatgpt_accounts_health"),
        sa.CheckConstraint("max_seats IS NULL OR max_seats >= 1", name="ck_chatgpt_accounts_max_seats"),
        sa.CheckConstraint("seats_used >= 0", name="ck_chatgpt_accounts_seats_nonneg"),
        sa.CheckConstraint("seats_used <= COALESCE(max_seats, 1)", name="ck_chatgpt_accounts_seats_within_capacity"),
        # the seat pick (allocation._PICK) reads this index in order and stops at the first row:
        # fullest account first, then the one with the fewest seats left
        sa.Index(
            "ix_chatgpt_accounts_pick",
            "pool",
            "status",
            sa.text("seats_used DESC"),
            sa.text("(coalesce(max_seats, 1) - seats_used)"),
            "id",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True)
    pool: str = Field(default="default", max_length=64)
    delivery: str = Field(default=Delivery.CREDENTIALS, max_length=16)
    password_enc: str = Field(default="", max_length=1024)
    note: str = Field(default="", max_length=500)
    status: str = Field(default=AccountStatus.AVAILABLE, max_length=16)
    max_seats: int | None = None
    seats_used: int = 0
    # the workspace (DESIGN.md §9): who invites and removes (the owner by hand, or the chatgpt driver), the
    # workspace's id and its tokens (encrypted like the password; never shown again after saving)
    driver: str = Field(default=Driver.MANUAL, max_length=16)
    workspace_id: str = Field(default="", max_length=120)
    access_token_enc: str = Field(default="", sa_type=sa.Text())
    session_token_enc: str = Field(default="", sa_type=sa.Text())
    # what the last look found (a sync, a task, the owner, customers' reports); allocation sells only SELLABLE
    health: str = Field(default=Health.OK, max_length=24)
    health_changed_at: datetime | None = _ts(default=None, nullable=True)
    last_sync_at: datetime | None = _ts(default=None, nullable=True)
    last_error: str = Field(default="", max_length=500)
    failures_in_row: int = 0  # consecutive failed calls; WORKSPACE_FAILURES_UNREACHABLE of them: UNREACHABLE
    subscription_expires_at: datetime | None = _ts(default=None, nullable=True)
    members_count: int | None = None  # counted at the last sync
    invites_count: int | None = None
    strangers_count: int | None = None
    # members the owner keeps in the workspace on purpose (never flagged, never removed), lower-case e-mails
    allow_list: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # the name customers see for an invite account's workspace (the note stays private to the admins)
    display_name: str = Field(default="", max_length=120)
    # what the ChatGPT subscription costs the owner each month (reports: costs and profit); None: not recorded
    monthly_cost_idr: int | None = None
    retired_at: datetime | None = _ts(default=None, nullable=True)
    # when the owner was last reminded that subscription_expires_at is near (reset when that date moves)
    subscription_reminded_at: datetime | None = _ts(default=None, nullable=True)
    # login help for CREDENTIALS accounts: the TOTP secret (base32, encrypted like the password), or the latest
    # verification code ChatGPT e-mailed, pasted by the owner (encrypted; shown to active customers for 10 min)
    totp_secret_enc: str = Field(default="", max_length=1024)
    login_code_enc: str = Field(default="", max_length=1024)
    login_code_at: datetime | None = _ts(default=None, nullable=True)

    @property
    def capacity(self) -> int:
        return self.max_seats if self.max_seats is not None else 1

    @property
    def automated(self) -> bool:
        return self.delivery == Delivery.INVITE and self.driver == Driver.CHATGPT


class Order(Timestamped, table=True):
    __tablename__ = "orders"
    __table_args__ = (
        check_in("status", OrderStatus, "ck_orders_status"),
        sa.CheckConstraint("amount_idr > 0", name="ck_orders_amount_positive"),
        sa.UniqueConstraint("provider", "provider_reference", name="uq_orders_provider_reference"),
        sa.Index("ix_orders_status_paid_at", "status", "paid_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True)
    access_token_hash: str = Field(max_length=64)
    email: str = Field(max_length=254, index=True)
    name: str = Field(default="", max_length=120)
    phone: str = Field(default="", max_length=20)
    locale: str = Field(default="id", max_length=8)
    product_id: int = Field(foreign_key="products.id")
    amount_idr: int
    duration_days: int
    pool: str = Field(default="default", max_length=64)
    status: str = Field(default=OrderStatus.PENDING_PAYMENT, max_length=24)
    provider: str | None = Field(default=None, max_length=16)
    provider_reference: str | None = Field(default=None, max_length=64)
    payment_method: str | None = Field(default=None, max_length=32)
    checkout_url: str | None = Field(default=None, max_length=500)
    pay_code: str | None = Field(default=None, max_length=64)
    qr_string: str | None = Field(default=None, max_length=2000)
    payment_expires_at: datetime | None = _ts(default=None, nullable=True)
    paid_at: datetime | None = _ts(default=None, nullable=True)
    paid_amount_idr: int | None = None
    fee_idr: int | None = None  # what the gateway kept (merchant fee), when its callback said
    refunded_amount_idr: int | None = None
    refund_method: str | None = Field(default=None, max_length=32)
    refunded_at: datetime | None = _ts(default=None, nullable=True)
    # a renewal: the order whose seat this order extends (its assignment, on the same account when it can)
    renews_order_id: int | None = Field(default=None, foreign_key="orders.id", index=True)
    notify_whatsapp: bool = False  # the customer asked for messages on WhatsApp too (order.phone)
    discount_idr: int = 0  # what a promo code took off the package's price (amount_idr is after it)
    promo_code_id: int | None = Field(default=None, foreign_key="promo_codes.id")
    fee_customer_idr: int | None = None  # the channel's fee the customer pays on top (Tripay's calculator)
    # the gateway's own payment steps for the channel ([{title, steps: [...]}, …]), stored with the transaction
    pay_instructions: list[Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    refund_requested_at: datetime | None = _ts(default=None, nullable=True)  # a queued customer asked for it


class AccountAssignment(Timestamped, table=True):
    __tablename__ = "account_assignments"
    __table_args__ = (
        check_in("status", AssignmentStatus, "ck_account_assignments_status"),
        sa.CheckConstraint("end_at > start_at", name="ck_account_assignments_period"),
        sa.Index(
            "uq_account_assignments_one_active_per_order",
            "order_id",
            unique=True,
            sqlite_where=sa.text("status = 'ACTIVE'"),
            postgresql_where=sa.text("status = 'ACTIVE'"),
        ),
        sa.Index("ix_account_assignments_status_end_at", "status", "end_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="orders.id", index=True)
    chatgpt_account_id: int = Field(foreign_key="chatgpt_accounts.id", index=True)
    customer_email: str = Field(max_length=254, index=True)
    status: str = Field(default=AssignmentStatus.ACTIVE, max_length=16)
    start_at: datetime = _ts(nullable=False)
    end_at: datetime = _ts(nullable=False)
    ended_at: datetime | None = _ts(default=None, nullable=True)
    end_reason: str | None = Field(default=None, max_length=500)
    invite_state: str | None = Field(default=None, max_length=16)
    reminded_3d_at: datetime | None = _ts(default=None, nullable=True)  # each reminder goes out once
    reminded_1d_at: datetime | None = _ts(default=None, nullable=True)
    missing_syncs: int = 0  # consecutive syncs that found an invited customer neither invited nor a member
    access_reported_at: datetime | None = _ts(default=None, nullable=True)  # the customer's last "doesn't work"


class PaymentEvent(Timestamped, table=True):
    __tablename__ = "payment_events"
    __table_args__ = (check_in("outcome", EventOutcome, "ck_payment_events_outcome"),)

    id: int | None = Field(default=None, primary_key=True)
    provider: str = Field(max_length=16)
    event_key: str = Field(max_length=160, index=True)
    headers: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    raw_body: str = Field(sa_type=sa.Text())
    signature_valid: bool = False
    outcome: str = Field(max_length=16)
    detail: str = Field(default="", max_length=500)
    latency_ms: float | None = None
    order_id: int | None = Field(default=None, foreign_key="orders.id", index=True)


class AuditLog(SQLModel, table=True):
    __tablename__ = "audit_logs"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime(), nullable=False, index=True)
    actor: str = Field(max_length=120)
    action: str = Field(max_length=64, index=True)
    entity: str = Field(max_length=32)
    entity_id: int | None = None
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    ip: str | None = Field(default=None, max_length=45)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime(), nullable=False)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime(), nullable=False)

    __table_args__ = (sa.Index("ix_audit_logs_entity", "entity", "entity_id"),)


class AdminUser(Timestamped, table=True):
    __tablename__ = "admin_users"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True)
    password_hash: str = Field(max_length=255)
    role: str = Field(default="owner", max_length=16)
    is_active: bool = True
    failed_logins: int = 0
    locked_until: datetime | None = _ts(default=None, nullable=True)
    last_login_at: datetime | None = _ts(default=None, nullable=True)
    # sessions signed in before this are over (a password reset, "sign out everywhere")
    sessions_valid_after: datetime | None = _ts(default=None, nullable=True)
    # two-factor sign-in: the TOTP secret encrypted like account passwords, set when its first code was
    # confirmed; the last time step used (a code works once); the recovery codes' hashes, each used once
    totp_secret_enc: str = Field(default="", max_length=1024)
    totp_confirmed_at: datetime | None = _ts(default=None, nullable=True)
    totp_last_step: int = 0
    recovery_codes: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class OutboxRow(Timestamped):
    """What every outbox row carries for its delivery (runtime/outbox.py): PENDING until SENT or FAILED."""

    id: int | None = Field(default=None, primary_key=True)
    status: str = Field(default=MailStatus.PENDING, max_length=16)
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime(), nullable=False)
    last_error: str | None = Field(default=None, max_length=1000)
    sent_at: datetime | None = _ts(default=None, nullable=True)


class EmailOutbox(OutboxRow, table=True):
    __tablename__ = "email_outbox"
    __table_args__ = (
        check_in("status", MailStatus, "ck_email_outbox_status"),
        sa.Index("ix_email_outbox_status_next", "status", "next_attempt_at"),
    )

    to: str = Field(max_length=254)
    kind: str = Field(max_length=40)
    subject: str = Field(max_length=250)
    html: str = Field(sa_type=sa.Text())
    text: str = Field(sa_type=sa.Text())
    order_id: int | None = Field(default=None, foreign_key="orders.id", index=True)
    # the one secret of an access e-mail (the account's password), encrypted; the bodies hold SECRET_MASK in its
    # place until the moment of sending, and this is emptied once the e-mail is SENT or FAILED
    secret_enc: str | None = Field(default=None, sa_type=sa.Text())


class TelegramOutbox(OutboxRow, table=True):
    """An admin alert for Telegram, queued with the alert and delivered by a job (like the e-mail outbox)."""

    __tablename__ = "telegram_outbox"
    __table_args__ = (
        check_in("status", MailStatus, "ck_telegram_outbox_status"),
        sa.Index("ix_telegram_outbox_status_next", "status", "next_attempt_at"),
    )

    chat_id: str = Field(max_length=64)
    alert_key: str = Field(max_length=120)
    text: str = Field(sa_type=sa.Text())


class WhatsAppOutbox(OutboxRow, table=True):
    """A customer message (or the owner's new-sale notice) for WhatsApp, queued in the transaction that caused it
    and delivered by a job through the configured provider (Fonnte-compatible)."""

    __tablename__ = "whatsapp_outbox"
    __table_args__ = (
        check_in("status", MailStatus, "ck_whatsapp_outbox_status"),
        sa.Index("ix_whatsapp_outbox_status_next", "status", "next_attempt_at"),
    )

    to: str = Field(max_length=20)  # 62… (digits only)
    kind: str = Field(max_length=40)
    text: str = Field(sa_type=sa.Text())
    order_id: int | None = Field(default=None, foreign_key="orders.id", index=True)


class JobRun(SQLModel, table=True):
    """The last run of each background job, for the dashboard and /healthz."""

    __tablename__ = "job_runs"

    name: str = Field(primary_key=True, max_length=64)
    last_started_at: datetime | None = _ts(default=None, nullable=True)
    last_finished_at: datetime | None = _ts(default=None, nullable=True)
    last_success_at: datetime | None = _ts(default=None, nullable=True)
    last_outcome: str = Field(default="", max_length=16)  # ok | failed | skipped
    last_detail: str = Field(default="", max_length=1000)
    last_duration_ms: float | None = None
    runs: int = 0
    failures: int = 0


class AdminAlert(Timestamped, table=True):
    """A condition the owner must hear about; debounced by key while it lasts."""

    __tablename__ = "admin_alerts"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=120, unique=True)
    kind: str = Field(max_length=40)
    message: str = Field(max_length=1000)
    active: bool = True
    first_raised_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime(), nullable=False)
    last_sent_at: datetime | None = _ts(default=None, nullable=True)
    resolved_at: datetime | None = _ts(default=None, nullable=True)
    times: int = 0


class AdminApiToken(SQLModel, table=True):
    """A bearer token for the admin JSON API; only its hash is kept, the token is shown once."""

    __tablename__ = "admin_api_tokens"

    id: int | None = Field(default=None, primary_key=True)
    admin_id: int = Field(foreign_key="admin_users.id", index=True)
    name: str = Field(max_length=80)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime(), nullable=False)
    last_used_at: datetime | None = _ts(default=None, nullable=True)
    revoked_at: datetime | None = _ts(default=None, nullable=True)


class TaskKind(StrEnum):
    INVITE = "invite"
    REMOVE = "remove"


class TaskStatus(StrEnum):
    PENDING = "PENDING"  # to do (or to try again at next_attempt_at)
    CONFIRMING = "CONFIRMING"  # the call succeeded; waiting to see the invite listed (until confirm_by)
    DONE = "DONE"
    FAILED = "FAILED"  # gave up: the owner's manual queue has it
    CANCELLED = "CANCELLED"  # no longer wanted (the seat ended before its invite went out)


class WorkspaceTask(Timestamped, table=True):
    """One intent on a workspace (invite this customer, remove that member), queued in the transaction that
    decided it and carried out by runtime/workspaces.py: claimed under a lease, each attempt looks at the
    workspace before acting, so a crash after the call and before the commit does not act twice."""

    __tablename__ = "workspace_tasks"
    __table_args__ = (
        check_in("kind", TaskKind, "ck_workspace_tasks_kind"),
        check_in("status", TaskStatus, "ck_workspace_tasks_status"),
        sa.Index("ix_workspace_tasks_status_next", "status", "next_attempt_at"),
        # one open intent per seat and kind (a duplicate queueing finds it and does nothing)
        sa.Index(
            "uq_workspace_tasks_open_per_assignment",
            "assignment_id",
            "kind",
            unique=True,
            sqlite_where=sa.text("status IN ('PENDING', 'CONFIRMING') AND assignment_id IS NOT NULL"),
            postgresql_where=sa.text("status IN ('PENDING', 'CONFIRMING') AND assignment_id IS NOT NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="chatgpt_accounts.id", index=True)
    assignment_id: int | None = Field(default=None, foreign_key="account_assignments.id", index=True)
    kind: str = Field(max_length=16)
    email: str = Field(max_length=254)
    status: str = Field(default=TaskStatus.PENDING, max_length=16)
    attempts: int = 0
    ghosts: int = 0  # answers of success with no invite behind them
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime(), nullable=False)
    confirm_by: datetime | None = _ts(default=None, nullable=True)
    last_error: str | None = Field(default=None, max_length=1000)
    done_at: datetime | None = _ts(default=None, nullable=True)
    reason: str = Field(default="", max_length=120)  # why it was queued (sale, expiry, re-invite, stranger…)


class WorkspaceAttempt(SQLModel, table=True):
    """Every call a task made, with what came back (for the admin's history and the tests)."""

    __tablename__ = "workspace_attempts"

    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(foreign_key="workspace_tasks.id", index=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime(), nullable=False)
    action: str = Field(max_length=24)  # look, invite, confirm, cancel_invite, remove_member
    outcome: str = Field(max_length=24)  # ok, already, ghost, missing, failed
    detail: str = Field(default="", max_length=500)


class WorkspaceSeen(SQLModel, table=True):
    """Who the last sync saw in a workspace: members and pending invites, and whether the shop sold them a
    seat. first_seen_at carries over between syncs (a stranger's grace period counts from it)."""

    __tablename__ = "workspace_seen"
    __table_args__ = (sa.UniqueConstraint("account_id", "email", name="uq_workspace_seen_account_email"),)

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="chatgpt_accounts.id", index=True)
    email: str = Field(max_length=254)
    kind: str = Field(max_length=16)  # member | invite
    member_id: str = Field(default="", max_length=120)
    role: str = Field(default="", max_length=40)
    is_stranger: bool = False
    first_seen_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime(), nullable=False)
    last_seen_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime(), nullable=False)


class ManualPayment(SQLModel, table=True):
    """Money the owner took outside the gateways (cash, a bank transfer): a manual extension or a manual
    payment of an order, so that it counts in the reports."""

    __tablename__ = "manual_payments"
    __table_args__ = (sa.CheckConstraint("amount_idr >= 0", name="ck_manual_payments_amount_nonneg"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime(), nullable=False, index=True)
    kind: str = Field(max_length=16)  # extension | order
    order_id: int = Field(foreign_key="orders.id", index=True)
    assignment_id: int | None = Field(default=None, foreign_key="account_assignments.id")
    amount_idr: int
    method: str = Field(max_length=32)  # cash | transfer | qris | ewallet | other
    actor: str = Field(max_length=120)
    note: str = Field(default="", max_length=500)


class ShopSetting(SQLModel, table=True):
    """One owner setting (shop name, support contact, payment window…); absent: the .env default."""

    __tablename__ = "shop_settings"

    key: str = Field(primary_key=True, max_length=64)
    value: Any = Field(default=None, sa_column=Column(JSON, nullable=True))
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime(), nullable=False)
    updated_by: str = Field(default="", max_length=120)


class PromoKind(StrEnum):
    PERCENT = "percent"
    FIXED = "fixed"


class PromoCode(Timestamped, table=True):
    """A discount the owner hands out: percent or fixed, with a minimum, limits, a validity window and packages."""

    __tablename__ = "promo_codes"
    __table_args__ = (
        check_in("kind", PromoKind, "ck_promo_codes_kind"),
        sa.CheckConstraint("value > 0", name="ck_promo_codes_value_positive"),
    )

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True)  # upper case
    kind: str = Field(max_length=8)
    value: int  # percent (1–100) or rupiah
    min_amount_idr: int = 0
    max_uses: int | None = None  # overall; None: no limit
    max_uses_per_customer: int | None = None
    valid_from: datetime | None = _ts(default=None, nullable=True)
    valid_until: datetime | None = _ts(default=None, nullable=True)
    product_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))  # empty: all
    is_active: bool = True
    note: str = Field(default="", max_length=200)


class PromoUse(SQLModel, table=True):
    """One order that used a code (one per order); counts toward the code's limits unless the order lapsed."""

    __tablename__ = "promo_uses"

    id: int | None = Field(default=None, primary_key=True)
    promo_code_id: int = Field(foreign_key="promo_codes.id", index=True)
    order_id: int = Field(foreign_key="orders.id", unique=True)
    customer: str = Field(max_length=254, index=True)  # the order's e-mail, lower case
    discount_idr: int
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime(), nullable=False)


class WaitlistEntry(Timestamped, table=True):
    """A customer who asked to be told when a sold-out package has seats again (by e-mail and/or WhatsApp)."""

    __tablename__ = "waitlist_entries"
    __table_args__ = (sa.Index("ix_waitlist_entries_product_notified", "product_id", "notified_at"),)

    id: int | None = Field(default=None, primary_key=True)
    product_id: int = Field(foreign_key="products.id")
    email: str = Field(default="", max_length=254)
    phone: str = Field(default="", max_length=20)
    locale: str = Field(default="id", max_length=8)
    notified_at: datetime | None = _ts(default=None, nullable=True)
