"""rating keys per device: unique (device_id, key) for presses and ratings

A pad's idempotency key was unique across the site, so a pad sending another pad's
key got that pad's answer back. The key is now the pad's own; forwarded ratings (no
device) keep their keys unique among themselves (a partial unique index).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

FORWARDED = sa.text("device_id IS NULL")


def upgrade() -> None:
    with op.batch_alter_table("rating_presses", schema=None) as batch_op:
        batch_op.drop_constraint("uq_rating_presses_key", type_="unique")
        batch_op.create_unique_constraint("uq_rating_presses_device_id", ["device_id", "key"])
    with op.batch_alter_table("ratings", schema=None) as batch_op:
        batch_op.drop_constraint("uq_ratings_key", type_="unique")
        batch_op.create_unique_constraint("uq_ratings_device_id", ["device_id", "key"])
    op.create_index(
        "uq_ratings_forwarded_key",
        "ratings",
        ["key"],
        unique=True,
        sqlite_where=FORWARDED,
        postgresql_where=FORWARDED,
    )


def downgrade() -> None:
    op.drop_index("uq_ratings_forwarded_key", table_name="ratings")
    with op.batch_alter_table("ratings", schema=None) as batch_op:
        batch_op.drop_constraint("uq_ratings_device_id", type_="unique")
        batch_op.create_unique_constraint("uq_ratings_key", ["key"])
    with op.batch_alter_table("rating_presses", schema=None) as batch_op:
        batch_op.drop_constraint("uq_rating_presses_device_id", type_="unique")
        batch_op.create_unique_constraint("uq_rating_presses_key", ["key"])
