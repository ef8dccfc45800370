"""Storing the dossier codes of a completed ticket (in the completion's transaction)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection, insert

from hub.store.tables import ticket_dossiers


def attach_dossiers(conn: Connection, ticket_id: str, codes: Sequence[str], now: datetime) -> None:
    """Link ``ticket_id`` to ``codes`` (already checked by :func:`clean_codes`)."""
    if codes:
        conn.execute(
            insert(ticket_dossiers),
            [{"ticket_id": ticket_id, "code": code, "attached_at": now} for code in codes],
        )
