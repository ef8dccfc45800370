"""Alembic migrations; applied automatically by every command that touches the database."""
