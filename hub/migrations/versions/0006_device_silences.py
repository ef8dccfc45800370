"""devices.silent_from / silent_until: the latest stretch a device was not heard from

A rating pad's press that reaches the hub long after its time is a delivery after an
outage only if the hub heard nothing from that pad meanwhile; otherwise it is a
back-dated press, and is flagged.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import hub.store.tables

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("devices", schema=None) as batch_op:
        for name in ("silent_from", "silent_until"):
            batch_op.add_column(
                sa.Column(name, hub.store.tables.UTCDateTime(timezone=True), nullable=True)
            )


def downgrade() -> None:
    with op.batch_alter_table("devices", schema=None) as batch_op:
        batch_op.drop_column("silent_until")
        batch_op.drop_column("silent_from")
