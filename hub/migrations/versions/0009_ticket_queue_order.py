"""tickets.queue_pos: the order tickets were issued in, whatever the clock said

The queue was ordered by ``issued_at``, the hub's wall clock. A Pi has no clock
battery and NTP may step its clock back: a ticket issued after such a step sorted
before those already waiting, and was called first. ``queue_pos`` is given at
issue by the database itself (a sequence on PostgreSQL; the greatest + 1 under
SQLite's write lock), so it always grows; the queue is read in its order. Rows
already there get it in the order the queue used so far (issued_at, id).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

SEQUENCE = "tickets_queue_pos_seq"


def upgrade() -> None:
    op.add_column("tickets", sa.Column("queue_pos", sa.BigInteger(), nullable=True))
    op.execute(
        "UPDATE tickets SET queue_pos = o.pos FROM (SELECT id, "
        "row_number() OVER (ORDER BY issued_at, id) AS pos FROM tickets) AS o "
        "WHERE tickets.id = o.id"
    )
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.alter_column("queue_pos", existing_type=sa.BigInteger(), nullable=False)
        batch_op.drop_index("ix_tickets_queue")
        batch_op.drop_index("ix_tickets_waiting_order")
        batch_op.create_index(
            "ix_tickets_queue", ["status", "service_id", "is_priority", "queue_pos"]
        )
        batch_op.create_index(
            "ix_tickets_waiting_order", ["status", "is_priority", "day", "queue_pos"]
        )
        batch_op.create_index("uq_tickets_queue_pos", ["queue_pos"], unique=True)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"CREATE SEQUENCE {SEQUENCE} OWNED BY tickets.queue_pos")
        op.execute(
            f"SELECT setval('{SEQUENCE}', COALESCE(MAX(queue_pos), 0) + 1, false) FROM tickets"
        )
        op.execute(f"ALTER TABLE tickets ALTER COLUMN queue_pos SET DEFAULT nextval('{SEQUENCE}')")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE tickets ALTER COLUMN queue_pos DROP DEFAULT")
        op.execute(f"DROP SEQUENCE {SEQUENCE}")
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_index("uq_tickets_queue_pos")
        batch_op.drop_index("ix_tickets_waiting_order")
        batch_op.drop_index("ix_tickets_queue")
        batch_op.create_index(
            "ix_tickets_waiting_order", ["status", "is_priority", "day", "issued_at", "id"]
        )
        batch_op.create_index(
            "ix_tickets_queue", ["status", "service_id", "is_priority", "issued_at"]
        )
        batch_op.drop_column("queue_pos")
