"""``/stats``: satisfaction and queue figures for managers; a staff member's own day."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from config.wire import Role
from hub import errors
from hub.accounts import Actor
from hub.api.models import QueueStatsOut, SatisfactionOut, StaffTodayOut, StatsQuery
from hub.api.spec import Access, endpoint
from hub.context import current_hub

bp = Blueprint("stats", __name__, url_prefix="/api/v1")
MANAGERS = Access(roles=(Role.MANAGER, Role.ADMIN))
STAFF = Access(roles=(Role.STAFF,))


@endpoint(
    bp,
    "/stats/satisfaction",
    "GET",
    access=MANAGERS,
    query=StatsQuery,
    response=SatisfactionOut,
    errors_=(400, 401, 403),
    summary="Satisfaction per counter, staff, field, period or site",
)
def satisfaction(*, actor: Actor, query: StatsQuery) -> dict[str, Any]:
    return current_hub().stats.satisfaction(
        query.from_, query.to, query.by, include_flagged=query.include_flagged
    )


@endpoint(
    bp,
    "/stats/queue",
    "GET",
    access=MANAGERS,
    query=StatsQuery,
    response=QueueStatsOut,
    errors_=(400, 401, 403),
    summary="Tickets issued, served, waits and service times",
)
def queue(*, actor: Actor, query: StatsQuery) -> dict[str, Any]:
    return current_hub().stats.queue(query.from_, query.to, query.by)


@endpoint(
    bp,
    "/me/satisfaction-today",
    "GET",
    access=STAFF,
    response=StaffTodayOut,
    errors_=(401, 403),
    summary="The calling staff member's own aggregate for today, when the centre allows it",
)
def my_satisfaction_today(*, actor: Actor) -> dict[str, Any]:
    hub = current_hub()
    if not hub.config.ratings.staff_see_own:
        raise errors.Forbidden(
            "Trung tâm không cho phép cán bộ xem kết quả đánh giá", code="staff_view_disabled"
        )
    return hub.stats.staff_today(int(actor.id or 0), hub.clock())
