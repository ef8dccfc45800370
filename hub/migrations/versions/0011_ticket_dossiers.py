"""ticket_dossiers: dossier codes (mã hồ sơ) attached to a completed ticket

An officer may attach one or more dossier codes when completing a ticket, so
the ticket's rating belongs to those dossiers too (``motcua report dossiers``,
the ``[export]`` webhook). One row per ticket and code.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from hub.store.tables import UTCDateTime

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ticket_dossiers",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("ticket_id", sa.String(length=32), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("attached_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket_dossiers")),
        sa.UniqueConstraint("ticket_id", "code", name="uq_ticket_dossiers_ticket_code"),
    )
    op.create_index("ix_ticket_dossiers_code", "ticket_dossiers", ["code"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_ticket_dossiers_code", table_name="ticket_dossiers")
    op.drop_table("ticket_dossiers")
