"""``/ratings``: presses from rating pads, one at a time or in batches."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify

from hub import errors
from hub.api.models import RatingBatchIn, RatingBatchOut, RatingIn, RatingOut
from hub.api.spec import Access, endpoint
from hub.app import current_hub
from hub.queue_service import Actor
from hub.ratings_service import CREATED, DUPLICATE, RatingInput

bp = Blueprint("ratings", __name__, url_prefix="/api/v1")
PAD = Access(devices=("rating-pad",))


def _input(item: RatingIn) -> RatingInput:
    return RatingInput(key=item.key, level=item.level, at=item.at, reasons=tuple(item.reasons))


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
    summary="Several ratings at once, each idempotent",
    access=PAD,
    body=RatingBatchIn,
    response=RatingBatchOut,
    errors_=(400, 401, 403),
)
def create_batch(*, actor: Actor, body: RatingBatchIn) -> dict[str, Any]:
    service = current_hub().ratings
    results: list[dict[str, Any]] = []
    for item in body.ratings:
        try:
            outcome = service.rate_from_pad(actor, _input(item))
        except errors.HubError as err:
            results.append({"key": item.key, "status": "rejected", "code": err.code})
            continue
        result: dict[str, Any] = {"key": item.key, "status": outcome.status}
        if outcome.code:
            result["code"] = outcome.code
        if outcome.id is not None:
            result["id"] = outcome.id
            result["ticket_id"] = outcome.ticket_id
        results.append(result)
    return {"results": results}
