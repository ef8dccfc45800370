"""The audit log: every staff and admin action, appended, never changed.

The application only ever inserts into ``audit_log`` (this module has no
update or delete, and ``tests/hub/pages/test_audit_log.py`` checks that no
module of the hub issues one). Reading is for the admin pages: filtered pages
of rows, newest first, and a CSV export of the same filter.
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, insert, select

from hub.reports.cells import json_cell
from hub.store.db import read, write
from hub.store.tables import audit_log

logger = logging.getLogger(__name__)

#: Every action name the hub records, for the admin filter (others may appear).
ACTIONS = (
    "login",
    "login_failed",
    "logout",
    "counter_open",
    "counter_close",
    "call_next",
    "recall",
    "no_show",
    "transfer",
    "complete",
    "pause",
    "resume",
    "user_add",
    "user_update",
    "user_password",
    "user_disable",
    "user_enable",
    "device_add",
    "device_rekey",
    "device_revoke",
    "config_reload",
)
CSV_COLUMNS = (
    "id",
    "at_utc",
    "at_local",
    "actor",
    "action",
    "target",
    "address",
    "before",
    "after",
)


@dataclass(frozen=True)
class AuditFilter:
    """Which rows to read; every field is optional.

    ``actor``/``target`` match a substring, ``action`` exactly; ``since`` and
    ``until`` bound the time (UTC, until exclusive); ``before_id`` pages back.
    """

    actor: str | None = None
    action: str | None = None
    target: str | None = None
    address: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    before_id: int | None = None

    def clauses(self) -> list[Any]:
        found: list[Any] = []
        if self.actor:
            found.append(audit_log.c.actor.contains(self.actor, autoescape=True))
        if self.action:
            found.append(audit_log.c.action == self.action)
        if self.target:
            found.append(audit_log.c.target.contains(self.target, autoescape=True))
        if self.address:
            found.append(audit_log.c.address.contains(self.address, autoescape=True))
        if self.since is not None:
            found.append(audit_log.c.at >= self.since)
        if self.until is not None:
            found.append(audit_log.c.at < self.until)
        if self.before_id is not None:
            found.append(audit_log.c.id < self.before_id)
        return found


def _row(r: Any) -> dict[str, Any]:
    return {
        "id": int(r.id),
        "at": r.at,
        "actor": r.actor,
        "action": r.action,
        "target": r.target,
        "address": r.address,
        "before": r.before,
        "after": r.after,
    }


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
        """Append one row, stamped with the hub's clock."""
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

    def search(self, where: AuditFilter, *, limit: int = 100) -> list[dict[str, Any]]:
        """Up to ``limit`` rows matching ``where``, newest first."""
        query = (
            select(audit_log)
            .where(*where.clauses())
            .order_by(audit_log.c.id.desc())
            .limit(max(1, min(limit, 1000)))
        )
        with read(self.engine, scan=True) as conn:
            return [_row(r) for r in conn.execute(query)]

    def iter_rows(self, where: AuditFilter, *, chunk: int = 500) -> Iterator[dict[str, Any]]:
        """Every row matching ``where``, newest first, read in chunks (for exports)."""
        cursor = where.before_id
        while True:
            page = self.search(AuditFilter(**{**where.__dict__, "before_id": cursor}), limit=chunk)
            yield from page
            if len(page) < chunk:
                return
            cursor = page[-1]["id"]

    def actions(self) -> list[str]:
        """Action names present in the log, plus the known ones, sorted."""
        with read(self.engine, scan=True) as conn:
            found = {r[0] for r in conn.execute(select(audit_log.c.action).distinct())}
        return sorted(found | set(ACTIONS))


def csv_lines(rows: Iterator[dict[str, Any]], local: Callable[[datetime], str]) -> Iterator[str]:
    """The CSV export, line by line: a UTF-8 BOM (so spreadsheets read Vietnamese),
    a header, then one line per row with UTC and local times.

    Args:
        rows: rows from :meth:`AuditLog.iter_rows`.
        local: formats a UTC time in the site's timezone.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def line(values: list[str]) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(values)
        return buffer.getvalue()

    yield "\ufeff" + line(list(CSV_COLUMNS))
    for r in rows:
        yield line(
            [
                str(r["id"]),
                r["at"].isoformat().replace("+00:00", "Z"),
                local(r["at"]),
                json_cell(r["actor"]),
                json_cell(r["action"]),
                json_cell(r["target"]),
                json_cell(r["address"]),
                json_cell(r["before"]),
                json_cell(r["after"]),
            ]
        )
