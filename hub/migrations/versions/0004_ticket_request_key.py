"""tickets.request_key: an optional idempotency key of POST /tickets

A kiosk whose request timed out cannot know whether the hub issued the
number. Sending the same key again returns the ticket already issued (or
issues it), so the kiosk can always find and cancel a number it did not
print.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("request_key", sa.String(length=128), nullable=True))
        batch_op.create_unique_constraint("uq_tickets_request_key", ["request_key"])


def downgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_constraint("uq_tickets_request_key", type_="unique")
        batch_op.drop_column("request_key")
