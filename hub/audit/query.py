"""The audit log's search, as the admin API and pages take it from a query string."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from hub.audit.log import AuditFilter
from hub.clock import calendar_day

CalendarDay = Annotated[date, AfterValidator(calendar_day)]
"""A day of the search, 2000–2099 (the site's midnight of year 1 or 9999 overflows)."""


class AuditQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    actor: Annotated[str, Field(max_length=80)] | None = None
    action: Annotated[str, Field(max_length=48)] | None = None
    target: Annotated[str, Field(max_length=120)] | None = None
    from_: CalendarDay | None = Field(default=None, alias="from")
    to: CalendarDay | None = None
    before_id: Annotated[int, Field(ge=1, le=2**63 - 1)] | None = None
    limit: Annotated[int, Field(ge=1, le=1000)] = 100


def audit_filter(query: AuditQuery, timezone: str) -> AuditFilter:
    """The audit filter of a query; dates are whole days in the site's timezone."""
    zone = ZoneInfo(timezone)

    def start(day: date | None) -> datetime | None:
        return datetime.combine(day, time(0), zone) if day else None

    return AuditFilter(
        actor=query.actor or None,
        action=query.action or None,
        target=query.target or None,
        since=start(query.from_),
        until=start(query.to + timedelta(days=1)) if query.to else None,
        before_id=query.before_id,
    )
