"""One row per dossier: its code, and the field, officer, counter and rating of the
ticket it was attached to (times in the site's timezone, ISO 8601)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Select, select

from config.schema import Config
from hub.store.tables import ratings, ticket_dossiers, tickets, users

HEADERS = ("dossier", "service", "staff", "counter", "level", "reasons", "rated_at")
"""The plain header row of the CSV and XLSX files (the JSON rows' keys too)."""


@dataclass(frozen=True)
class DossierRow:
    """A dossier and the rating of its ticket (``level`` empty when it was not rated)."""

    dossier: str
    service: str
    staff: str
    counter: str
    level: str
    reasons: tuple[str, ...]
    rated_at: datetime | None
    level_id: str | None
    rating_id: int | None

    def cells(self) -> list[str]:
        """The row as text cells in :data:`HEADERS` order (reasons joined by "; ")."""
        at = self.rated_at.isoformat(timespec="seconds") if self.rated_at else ""
        return [self.dossier, self.service, self.staff, self.counter, self.level,
                "; ".join(self.reasons), at]  # fmt: skip

    def as_json(self, site_id: str) -> dict[str, Any]:
        """The webhook's JSON row: :data:`HEADERS` (reasons as a list), its site and key."""
        cells = dict(zip(HEADERS, self.cells(), strict=True))
        return {
            "key": export_key(site_id, self.rating_id or 0, self.dossier),
            "site": site_id,
            **cells,
            "reasons": list(self.reasons),
            "rated_at": cells["rated_at"] or None,
            "level_id": self.level_id,
        }


def export_key(site_id: str, rating_id: int, code: str) -> str:
    """The idempotency key of one dossier's rating: a resend is never a second row."""
    return f"{site_id}:dossier:{rating_id}:{code}"


def _query() -> Select[Any]:
    return (
        select(
            ticket_dossiers.c.code,
            tickets.c.service_id,
            tickets.c.counter_id,
            users.c.username,
            users.c.display_name,
            ratings.c.id.label("rating_id"),
            ratings.c.level,
            ratings.c.reasons,
            ratings.c.at,
        )
        .select_from(
            ticket_dossiers.join(tickets, tickets.c.id == ticket_dossiers.c.ticket_id)
            .outerjoin(ratings, ratings.c.ticket_id == tickets.c.id)
            .outerjoin(users, users.c.id == tickets.c.staff_id)
        )
        .order_by(tickets.c.completed_at, ticket_dossiers.c.id)
    )


def dossier_rows(conn: Connection, config: Config, start: date, end: date) -> list[DossierRow]:
    """Every dossier of the tickets completed from ``start`` to ``end`` (site days)."""
    query = _query().where(tickets.c.completed_day >= start, tickets.c.completed_day <= end)
    return [_row(config, r) for r in conn.execute(query)]


def rating_rows(conn: Connection, config: Config, rating_id: int) -> list[DossierRow]:
    """The dossiers whose ticket received the rating ``rating_id``."""
    query = _query().where(ratings.c.id == rating_id)
    return [_row(config, r) for r in conn.execute(query)]


def _row(config: Config, r: Any) -> DossierRow:
    service = config.service(r.service_id)
    counter = config.counter(r.counter_id or "")
    level = config.level(r.level) if r.level else None
    reason_names = {reason.id: reason.label for reason in config.ratings.reasons}
    tz = ZoneInfo(config.site.timezone)
    return DossierRow(
        dossier=r.code,
        service=service.name if service else r.service_id,
        staff=(r.display_name or r.username or "") if r.username else "",
        counter=counter.name if counter else (r.counter_id or ""),
        level=level.label if level else (r.level or ""),
        reasons=tuple(reason_names.get(x, x) for x in (r.reasons or [])),
        rated_at=r.at.astimezone(tz) if r.at else None,
        level_id=r.level,
        rating_id=r.rating_id,
    )
