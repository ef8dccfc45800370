"""booking_forms: each /book form token's single use and its one-time code

A form token from the public /book page was reusable, and phone numbers were
never checked. Each token now carries a nonce that can book once (the row's
primary key), and a one-time code sent to the phone is kept here as a hash,
with its expiry and the wrong guesses made.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from hub.store.tables import UTCDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "booking_forms",
        sa.Column("nonce", sa.String(length=32), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("service_id", sa.String(length=64), nullable=False),
        sa.Column("phone", sa.String(length=64), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=True),
        sa.Column("code_expires_at", UTCDateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("used_at", UTCDateTime(), nullable=True),
        sa.Column("ticket_id", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("nonce", name=op.f("pk_booking_forms")),
    )
    op.create_index(
        op.f("ix_booking_forms_created_at"), "booking_forms", ["created_at"], unique=False
    )
    op.create_index(op.f("ix_booking_forms_phone"), "booking_forms", ["phone"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_booking_forms_phone"), table_name="booking_forms")
    op.drop_index(op.f("ix_booking_forms_created_at"), table_name="booking_forms")
    op.drop_table("booking_forms")
