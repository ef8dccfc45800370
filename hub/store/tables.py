"""The database schema (SQLAlchemy Core). Alembic migrations create it.

Times are stored as aware UTC datetimes. Ticket and rating rows also carry the
site-local ``day`` they belong to, computed when written, so grouping by day,
month, quarter and year needs no timezone arithmetic in SQL.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.engine import Dialect


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend (SQLite keeps no timezone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime refused: store aware UTC times")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

BigId = BigInteger().with_variant(Integer(), "sqlite")

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("display_name", String(200), nullable=True),
    Column("password_hash", String(255), nullable=False),
    Column("role", String(16), nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("password_changed_at", UTCDateTime, nullable=False),
    Column("failed_logins", Integer, nullable=False, default=0),
    Column("locked_until", UTCDateTime, nullable=True),
)

auth_tokens = Table(
    "auth_tokens",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False, index=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("revoked_at", UTCDateTime, nullable=True),
    Column("kind", String(16), nullable=False, default="api"),
)

login_failures = Table(
    "login_failures",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False),
    Column("address", String(64), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Index("ix_login_failures_address_at", "address", "at"),
)

devices = Table(
    "devices",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("kind", String(16), nullable=False),
    Column("counter_id", String(32), nullable=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("revoked_at", UTCDateTime, nullable=True),
    Column("last_seen_at", UTCDateTime, nullable=True),
    Column("version", String(64), nullable=True),
    Column("status", JSON, nullable=True),
    Column("address", String(64), nullable=True),
    # The latest stretch of more than ONLINE_WITHIN_S with nothing heard from the device
    # (hub.accounts.devices.note_contact): a pad's late press is judged by it.
    Column("silent_from", UTCDateTime, nullable=True),
    Column("silent_until", UTCDateTime, nullable=True),
)

service_days = Table(
    "service_days",
    metadata,
    Column("site_id", String(64), primary_key=True),
    Column("service_id", String(64), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("last_seq", Integer, nullable=False),
    Column("issued", Integer, nullable=False),
)

tickets = Table(
    "tickets",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("site_id", String(64), nullable=False),
    Column("service_id", String(64), nullable=False),
    Column("origin_service_id", String(64), nullable=False),
    Column("day", Date, nullable=False),
    Column("seq", Integer, nullable=False),
    Column("number", String(16), nullable=False),
    Column("priority", String(32), nullable=True),
    Column("is_priority", Boolean, nullable=False, default=False),
    Column("status", String(16), nullable=False),
    Column("issued_at", UTCDateTime, nullable=False),
    Column("called_at", UTCDateTime, nullable=True),
    Column("completed_at", UTCDateTime, nullable=True),
    Column("completed_day", Date, nullable=True),
    Column("counter_id", String(32), nullable=True),
    Column("staff_id", Integer, nullable=True),
    Column("device_id", Integer, nullable=True),
    Column("channel", String(16), nullable=False, default="kiosk"),
    Column("call_count", Integer, nullable=False, default=0),
    Column("service_s", Float, nullable=True),
    Column("wait_s", Float, nullable=True),
    Column("request_key", String(128), nullable=True, unique=True),
    # The order of issue, given by the database (never the wall clock, which a Pi's
    # NTP may step back): a sequence on PostgreSQL, the greatest + 1 on SQLite.
    Column("queue_pos", BigInteger, nullable=False),
    UniqueConstraint("site_id", "origin_service_id", "day", "seq", name="uq_tickets_number_of_day"),
    Index("ix_tickets_queue", "status", "service_id", "is_priority", "queue_pos"),
    # PostgreSQL's call-next: a day's waiting tickets of a class in call order.
    Index("ix_tickets_waiting_order", "status", "is_priority", "day", "queue_pos"),
    Index("uq_tickets_queue_pos", "queue_pos", unique=True),
    Index("ix_tickets_counter_done", "counter_id", "status", "completed_at"),
    Index("ix_tickets_day", "day"),
    Index("ix_tickets_completed_day", "completed_day"),
)

ticket_events = Table(
    "ticket_events",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("ticket_id", String(32), nullable=False, index=True),
    Column("at", UTCDateTime, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("from_status", String(16), nullable=True),
    Column("to_status", String(16), nullable=True),
    Column("actor", String(80), nullable=False),
    Column("counter_id", String(32), nullable=True),
    Column("detail", JSON, nullable=True),
)

counter_state = Table(
    "counter_state",
    metadata,
    Column("counter_id", String(32), primary_key=True),
    Column("status", String(8), nullable=False, default="closed"),
    Column("paused", Boolean, nullable=False, default=False),
    Column("user_id", Integer, nullable=True, unique=True),
    Column("opened_at", UTCDateTime, nullable=True),
    Column("current_ticket_id", String(32), nullable=True),
    Column("regular_streak", Integer, nullable=False, default=0),
    Column("rating_until", UTCDateTime, nullable=True),
    Column("version", Integer, nullable=False, default=0),
)

calls = Table(
    "calls",
    metadata,
    Column("seq", BigId, primary_key=True, autoincrement=True),
    Column("site_id", String(64), nullable=False),
    Column("ticket_id", String(32), nullable=False),
    Column("number", String(16), nullable=False),
    Column("service_id", String(64), nullable=False),
    Column("counter_id", String(32), nullable=False),
    Column("at", UTCDateTime, nullable=False, index=True),
    Column("recall", Boolean, nullable=False, default=False),
    Column("shown_at", UTCDateTime, nullable=True),
    Column("spoken_at", UTCDateTime, nullable=True),
    Column("unseen_logged", Boolean, nullable=False, default=False),
)

call_acks = Table(
    "call_acks",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("seq", BigInteger, nullable=False, index=True),
    Column("screen", String(64), nullable=False),
    Column("kind", String(8), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    UniqueConstraint("seq", "screen", "kind", name="uq_call_acks_once"),
)

# Dossier codes (mã hồ sơ) an officer attached to a completed ticket: its rating
# belongs to them too. Personal data: purged with the ticket (see hub.retention).
ticket_dossiers = Table(
    "ticket_dossiers",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("ticket_id", String(32), nullable=False),
    Column("code", String(64), nullable=False),
    Column("attached_at", UTCDateTime, nullable=False),
    UniqueConstraint("ticket_id", "code", name="uq_ticket_dossiers_ticket_code"),
    Index("ix_ticket_dossiers_code", "code"),
)

rating_presses = Table(
    "rating_presses",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("key", String(128), nullable=False),
    Column("site_id", String(64), nullable=False),
    Column("device_id", Integer, nullable=True),
    Column("counter_id", String(32), nullable=True),
    Column("level", String(64), nullable=False),
    Column("reasons", JSON, nullable=True),
    Column("at", UTCDateTime, nullable=False),
    Column("received_at", UTCDateTime, nullable=False),
    Column("channel", String(16), nullable=False),
    Column("outcome", String(16), nullable=False),
    Column("code", String(32), nullable=True),
    Column("rating_id", BigInteger, nullable=True),
    Column("ticket_id", String(32), nullable=True),
    Column("clock_offset_s", Float, nullable=True),
    # A key is the pad's own: the same key from another pad is another press.
    UniqueConstraint("device_id", "key"),
    Index("ix_rating_presses_counter_at", "counter_id", "at"),
    Index("ix_rating_presses_at", "at"),
)

ratings = Table(
    "ratings",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("key", String(128), nullable=True),
    Column("site_id", String(64), nullable=False),
    Column("ticket_id", String(32), nullable=True, unique=True),
    Column("counter_id", String(32), nullable=True),
    Column("staff_id", Integer, nullable=True),
    Column("service_id", String(64), nullable=True),
    Column("level", String(64), nullable=False),
    Column("score", Float, nullable=False),
    Column("positive", Boolean, nullable=False),
    Column("reasons", JSON, nullable=True),
    Column("at", UTCDateTime, nullable=False),
    Column("day", Date, nullable=False),
    Column("received_at", UTCDateTime, nullable=False),
    Column("channel", String(16), nullable=False),
    Column("device_id", Integer, nullable=True),
    Column("flags", JSON, nullable=True),
    Column("flagged", Boolean, nullable=False, default=False),
    # The ticket holder's short comment after rating: personal data, purged.
    Column("comment", String(500), nullable=True),
    Index("ix_ratings_day", "site_id", "day"),
    Index("ix_ratings_counter_at", "counter_id", "at"),
    Index("ix_ratings_staff_day", "staff_id", "day"),
    # A pad's key is its own; a forwarded rating (no device) keeps its key unique
    # among forwarded ones, apart from any pad's.
    UniqueConstraint("device_id", "key"),
    Index(
        "uq_ratings_forwarded_key",
        "key",
        unique=True,
        sqlite_where=text("device_id IS NULL"),
        postgresql_where=text("device_id IS NULL"),
    ),
)

rating_rollups = Table(
    "rating_rollups",
    metadata,
    Column("site_id", String(64), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("counter_id", String(32), primary_key=True),
    Column("staff_id", Integer, primary_key=True),
    Column("service_id", String(64), primary_key=True),
    Column("level", String(64), primary_key=True),
    Column("flagged", Boolean, primary_key=True),
    Column("n", Integer, nullable=False),
    Column("score_sum", Float, nullable=False),
    Index("ix_rating_rollups_staff_day", "site_id", "staff_id", "day"),
)

# The same sums per calendar month (``month`` is the month's first day), kept in
# the same transaction, so a year by counter folds a few thousand rows.
rating_rollups_monthly = Table(
    "rating_rollups_monthly",
    metadata,
    Column("site_id", String(64), primary_key=True),
    Column("month", Date, primary_key=True),
    Column("counter_id", String(32), primary_key=True),
    Column("staff_id", Integer, primary_key=True),
    Column("service_id", String(64), primary_key=True),
    Column("level", String(64), primary_key=True),
    Column("flagged", Boolean, primary_key=True),
    Column("n", Integer, nullable=False),
    Column("score_sum", Float, nullable=False),
)

# One row per grouping (dim = counter | staff | service | site, key = its id) and
# month: what a range's whole months need when grouped one way, a few thousand
# rows for a year of a 200-counter centre. Kept with the rollups above.
rating_cube = Table(
    "rating_cube",
    metadata,
    Column("dim", String(8), primary_key=True),
    Column("month", Date, primary_key=True),
    Column("site_id", String(64), primary_key=True),
    Column("key", String(64), primary_key=True),
    Column("level", String(64), primary_key=True),
    Column("flagged", Boolean, primary_key=True),
    Column("n", Integer, nullable=False),
    Column("score_sum", Float, nullable=False),
)

# Served tickets of the rolled days, per grouping and month (kept by store_queue_day).
served_cube = Table(
    "served_cube",
    metadata,
    Column("dim", String(8), primary_key=True),
    Column("month", Date, primary_key=True),
    Column("site_id", String(64), primary_key=True),
    Column("key", String(64), primary_key=True),
    Column("served", Integer, nullable=False),
)

# Daily queue figures per counter × staff × field: rolled from tickets once a
# day is closed (``queue_days`` marks which), or received from a downstream
# site's hub. ``served`` counts tickets done on ``day`` (their completion day,
# the denominator of coverage); the other counts are by issue day.
queue_daily = Table(
    "queue_daily",
    metadata,
    Column("site_id", String(64), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("counter_id", String(32), primary_key=True),
    Column("staff_id", Integer, primary_key=True),
    Column("service_id", String(64), primary_key=True),
    Column("issued", Integer, nullable=False, default=0),
    Column("done", Integer, nullable=False, default=0),
    Column("no_show", Integer, nullable=False, default=0),
    Column("cancelled", Integer, nullable=False, default=0),
    Column("served", Integer, nullable=False, default=0),
    Column("wait_sum", Float, nullable=False, default=0),
    Column("wait_n", Integer, nullable=False, default=0),
    Column("service_sum", Float, nullable=False, default=0),
    Column("service_n", Integer, nullable=False, default=0),
)

queue_days = Table(
    "queue_days",
    metadata,
    Column("site_id", String(64), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("rolled_at", UTCDateTime, nullable=False),
    Column("source", String(16), nullable=False),
)

# Sites whose figures this hub holds: itself and, on a district or province
# hub, the centres that forward to it (with the names of their counters etc.).
sites = Table(
    "sites",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("labels", JSON, nullable=True),
    Column("first_seen_at", UTCDateTime, nullable=False),
    Column("last_received_at", UTCDateTime, nullable=True),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("at", UTCDateTime, nullable=False, index=True),
    Column("actor", String(80), nullable=False),
    Column("action", String(48), nullable=False, index=True),
    Column("target", String(120), nullable=True),
    Column("address", String(64), nullable=True),
    Column("before", JSON, nullable=True),
    Column("after", JSON, nullable=True),
)

outbox = Table(
    "outbox",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("topic", String(32), nullable=False),
    Column("key", String(128), nullable=False, unique=True),
    Column("payload", JSON, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_try_at", UTCDateTime, nullable=True),
    Column("last_error", Text, nullable=True),
)

alerts = Table(
    "alerts",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("at", UTCDateTime, nullable=False, index=True),
    Column("rule", String(48), nullable=False),
    Column("subject", String(120), nullable=False),
    Column("message", Text, nullable=False),
    Column("detail", JSON, nullable=True),
    Column("acknowledged_at", UTCDateTime, nullable=True),
)

# The /book page's forms: each form token's one use, and the one-time code sent
# for it. Phone numbers only as an HMAC (see hub.booking); rows live a day.
booking_forms = Table(
    "booking_forms",
    metadata,
    Column("nonce", String(32), primary_key=True),
    Column("created_at", UTCDateTime, nullable=False, index=True),
    Column("service_id", String(64), nullable=False),
    Column("phone", String(64), nullable=False, index=True),
    Column("code_hash", String(64), nullable=True),
    Column("code_expires_at", UTCDateTime, nullable=True),
    Column("attempts", Integer, nullable=False, default=0),
    Column("used_at", UTCDateTime, nullable=True),
    Column("ticket_id", String(32), nullable=True),
)
