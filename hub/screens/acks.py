"""Acknowledgements from screens: which call each screen showed and spoke."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, insert, select, update
from sqlalchemy.exc import IntegrityError

from config.wire import ACK_KINDS, error_body
from display.feed import MAX_SEQ
from hub.errors import HubError
from hub.store.db import write
from hub.store.tables import call_acks, calls

SCREEN_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def record_ack(engine: Engine, now: datetime, data: dict[str, Any]) -> dict[str, Any]:
    """Record ``{seq, kind, screen}`` once; answer ``{"ok": true}`` or an error."""
    seq, kind, screen = data.get("seq"), data.get("kind"), data.get("screen", "default")
    if not isinstance(seq, int) or isinstance(seq, bool) or not 0 < seq < MAX_SEQ:
        return error_body("invalid_seq", "seq phải là số nguyên dương")
    if kind not in ACK_KINDS:
        return error_body("invalid_kind", "kind phải là shown hoặc spoken")
    if not isinstance(screen, str) or not SCREEN_RE.match(screen):
        return error_body("invalid_screen", "tên màn hình không hợp lệ")
    try:
        with write(engine) as conn:
            exists = conn.execute(select(calls.c.seq).where(calls.c.seq == seq)).first()
            if exists is None:
                return error_body("unknown_seq", "không có lượt gọi này")
            conn.execute(insert(call_acks).values(seq=seq, screen=screen, kind=kind, at=now))
            column = calls.c.shown_at if kind == "shown" else calls.c.spoken_at
            conn.execute(
                update(calls).where(calls.c.seq == seq, column.is_(None)).values({column: now})
            )
    except IntegrityError:
        pass  # the same screen acknowledged the same call twice: once is enough
    except HubError as err:  # a full disk, a read-only database: an answer, not a traceback
        return error_body(err.code, err.message)
    return {"ok": True}
