"""``/ratings``: presses from rating pads, one at a time or in batches; forwarded ratings."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify

from config.wire import DeviceKind
from hub import errors
from hub.accounts import Actor
from hub.api.models import RatingBatchIn, RatingBatchOut, RatingIn, RatingOut
from hub.api.spec import Access, endpoint
from hub.context import current_hub
from hub.federation import check_link, receive
from hub.satisfaction import CREATED, DUPLICATE, RatingInput

bp = Blueprint("ratings", __name__, url_prefix="/api/v1")
PAD = Access(devices=(DeviceKind.RATING_PAD,))
PAD_OR_LINK = Access(
    devices=(DeviceKind.RATING_PAD, DeviceKind.HUB),
    note="a downstream hub's link (device kind 'hub') may send forwarded ratings",
)


def _input(item: RatingIn) -> RatingInput:
    return RatingInput(
        key=item.key,
        level=item.level,
        at=item.at,
        reasons=tuple(item.reasons),
        clock_offset_s=item.clock_offset_s,
    )


@endpoint(
    bp,
    "/ratings",
    "POST",
    summary="A rating from a pad bound to one counter",
    access=PAD,
    body=RatingIn,
    response=RatingOut,
    status=201,
    errors_=(400, 401, 403, 409),
)
def create_rating(*, actor: Actor, body: RatingIn) -> Any:
    outcome = current_hub().ratings.rate_from_pad(actor, _input(body))
    if outcome.status == CREATED:
        return outcome.answer()
    if outcome.status == DUPLICATE:
        return jsonify(outcome.answer())
    raise errors.Conflict(outcome.message, code=outcome.code)


@endpoint(
    bp,
    "/ratings/batch",
    "POST",
    summary="Several ratings at once, each idempotent (pads; forwarded by a downstream hub)",
    access=PAD_OR_LINK,
    body=RatingBatchIn,
    response=RatingBatchOut,
    errors_=(400, 401, 403),
)
def create_batch(*, actor: Actor, body: RatingBatchIn) -> dict[str, Any]:
    hub = current_hub()
    results: list[dict[str, Any]] = []
    if body.forwarded or body.queue_days:
        check_link(actor)
        results.extend(
            receive(
                hub.engine,
                hub.config,
                body.forwarded,
                body.queue_days,
                hub.clock(),
                hub.ratings.listeners,
            )  # fmt: skip
        )
    if body.ratings:
        items = [_input(item) for item in body.ratings]
        outcomes = hub.ratings.rate_batch(actor, items)
        results.extend(o.result(item.key) for o, item in zip(outcomes, items, strict=True))
    return {"results": results}
