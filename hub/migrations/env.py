"""Alembic environment: runs on the connection motcua hands it."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from hub.store.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only for `alembic` run by hand
    url = context.config.get_main_option("sqlalchemy.url") or "sqlite:///var/motcua.db"
    connection = create_engine(url).connect()

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
