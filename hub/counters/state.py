"""A counter's state row (open, paused, operator, current ticket) and the audit row
of each counter action, written inside the action's own transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from config.wire import ErrorCode
from hub import errors
from hub.accounts import Actor
from hub.store import statements as st


def state_row(conn: Connection, counter_id: str, *, lock: bool) -> Any:
    """The counter's state row, created closed on first use; ``lock``: FOR UPDATE."""
    locked = st.STATE_LOCKED if lock else st.STATE
    row = conn.execute(locked, {"cid": counter_id}).first()
    if row is None:
        conn.execute(
            st.STATE_INSERT,
            {"counter_id": counter_id, "status": "closed", "paused": False,
             "regular_streak": 0, "version": 0},
        )  # fmt: skip
        row = conn.execute(st.STATE, {"cid": counter_id}).first()
    return row


def acting_state(conn: Connection, counter_id: str, actor: Actor, *, lock: bool) -> Any:
    """The counter's state, checking that ``actor`` opened it (or is its keypad)."""
    state = state_row(conn, counter_id, lock=lock)
    if state.status != "open":
        raise errors.Conflict("Quầy chưa được mở", code=ErrorCode.COUNTER_CLOSED)
    if actor.kind == "device" and actor.counter_id == counter_id:
        return state  # a counter keypad acts for the user who opened the counter
    if actor.kind != "user" or state.user_id != actor.id:
        raise errors.Forbidden(
            "Chỉ cán bộ đã mở quầy mới thao tác được trên quầy này",
            code=ErrorCode.NOT_YOUR_COUNTER,
        )
    return state


def set_state(conn: Connection, counter_id: str, **values: Any) -> None:
    """Update some columns of the counter's state row."""
    conn.execute(st.STATE_SET, {"cid": counter_id, **values})


def audit_action(
    conn: Connection,
    at: datetime,
    action: str,
    actor: Actor,
    state: Any,
    after: Any = None,
    current: str | None = None,
) -> None:
    """The audit row, in the same transaction as the action it records.

    ``before`` is the counter's state as the action found it (``current`` is
    the number it was serving, when known).
    """
    before = {"status": state.status, "paused": bool(state.paused), "current": current}
    conn.execute(
        st.AUDIT_INSERT,
        {"at": at, "actor": actor.label[:80], "action": action,
         "target": f"counter:{state.counter_id}", "address": actor.address,
         "before": before, "after": after},
    )  # fmt: skip
