"""The audit log: every staff and admin action, appended, never changed."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, insert

from hub.store.db import write
from hub.store.tables import audit_log

logger = logging.getLogger(__name__)


class AuditLog:
    """Appends ``(actor, action, target, address, before, after)`` rows."""

    def __init__(self, engine: Engine, clock: Callable[[], datetime]) -> None:
        self.engine = engine
        self.clock = clock

    def record(
        self,
        action: str,
        *,
        actor: str,
        target: str | None = None,
        address: str | None = None,
        before: Any = None,
        after: Any = None,
    ) -> None:
        with write(self.engine) as conn:
            conn.execute(
                insert(audit_log).values(
                    at=self.clock(),
                    actor=actor[:80],
                    action=action[:48],
                    target=target[:120] if target else None,
                    address=address[:64] if address else None,
                    before=before,
                    after=after,
                )
            )
        logger.info("audit %s by %s on %s", action, actor, target or "-")
