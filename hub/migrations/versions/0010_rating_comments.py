"""rating_comments: the short comment a citizen may add after rating on the ticket page

A citizen who rated (on the pad, the tablet or the ticket page) may add one short
comment from the ticket's page (/t/<id>). It is free text, so personal data:
``motcua purge`` erases it with the rest of the day.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ratings") as batch:
        batch.add_column(sa.Column("comment", sa.String(length=500), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("ratings") as batch:
        batch.drop_column("comment")
