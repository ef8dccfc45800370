"""``GET /api/v1/rate/<counter>``: what the counter's tablet shows beside its buttons.

The tablet is a ``rating-pad`` device bound to its counter; it sends its ratings to
``POST /api/v1/ratings`` like any pad (same window, same linking rules,
:mod:`hub.satisfaction`). Another device kind, a user's token, or a pad of another
counter is refused.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from pydantic import BaseModel

from config.wire import DeviceKind, ErrorCode
from hub import errors
from hub.accounts import Actor
from hub.api.spec import Access, endpoint
from hub.clock import iso
from hub.context import current_hub

__all__ = ["PAD", "bp"]

bp = Blueprint("tablet_api", __name__, url_prefix="/api/v1")
PAD = Access(
    devices=(DeviceKind.RATING_PAD,),
    note="a rating pad (the tablet is one) bound to this counter",
)


class TabletCounterOut(BaseModel):
    id: str
    name: str


class TabletOut(BaseModel):
    counter: TabletCounterOut
    officer: str | None
    """The officer at the counter by display name, never the login; null when none."""
    open: bool
    rating_until: str | None


@endpoint(
    bp,
    "/rate/<string(maxlength=32):counter_id>",
    "GET",
    summary="The counter tablet's state: the counter, its officer's name, the rating window",
    access=PAD,
    response=TabletOut,
    errors_=(401, 403, 404),
)
def tablet_state(*, actor: Actor, counter_id: str) -> dict[str, Any]:
    hub = current_hub()
    if actor.counter_id != counter_id:
        raise errors.Forbidden(
            "Thiết bị đánh giá này thuộc quầy khác", code=ErrorCode.NOT_YOUR_COUNTER
        )
    view = next((v for v in hub.views.public_counters() if v["id"] == counter_id), None)
    if view is None:
        raise errors.NotFound("Không có quầy này", code="unknown_counter")
    until = hub.views.rating_until(counter_id)
    if until is not None and until <= hub.clock():
        until = None
    return {
        "counter": {"id": view["id"], "name": view["name"]},
        "officer": view.get("staff"),
        "open": view["status"] == "open",
        "rating_until": iso(until) if until is not None else None,
    }
