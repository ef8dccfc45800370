"""``/services`` and ``/tickets``: take a number, follow it, cancel it, rate it."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify

from config.wire import DeviceKind
from hub import errors
from hub.accounts import PUBLIC as PUBLIC_ACTOR
from hub.accounts import Actor
from hub.api.models import (
    RatingOut,
    ServiceOut,
    TicketCommentIn,
    TicketCommentOut,
    TicketIn,
    TicketOut,
    TicketRatingIn,
)
from hub.api.spec import PUBLIC, Access, endpoint
from hub.context import current_hub
from hub.satisfaction import add_comment

bp = Blueprint("tickets", __name__, url_prefix="/api/v1")
KIOSK = Access(devices=(DeviceKind.KIOSK,))
HOLDER = Access(public=True, note="capability URL: the ticket's long random id")
TICKET_ID = "<string(maxlength=64):ticket_id>"


@endpoint(
    bp,
    "/services",
    "GET",
    summary="Fields with waiting counts and estimated waits",
    access=PUBLIC,
    response=list[ServiceOut],
)
def list_services(*, actor: Actor | None) -> list[dict[str, Any]]:
    return current_hub().tickets.services()


@endpoint(
    bp,
    "/tickets",
    "POST",
    summary="Issue the next number of a field",
    access=KIOSK,
    body=TicketIn,
    response=TicketOut,
    status=201,
    errors_=(400, 401, 403, 404, 409),
)
def issue_ticket(*, actor: Actor | None, body: TicketIn) -> dict[str, Any]:
    ticket = current_hub().tickets.issue_with_retry(
        body.service, priority=body.priority, actor=actor or PUBLIC_ACTOR, request_key=body.key
    )
    if ticket.pop("replayed", False):
        return jsonify(ticket)  # 200: the ticket this key already got
    return ticket


@endpoint(
    bp,
    f"/tickets/{TICKET_ID}",
    "GET",
    summary="A ticket's status",
    access=HOLDER,
    response=TicketOut,
    errors_=(404,),
)
def get_ticket(*, actor: Actor | None, ticket_id: str) -> dict[str, Any]:
    return current_hub().tickets.ticket(ticket_id)


@endpoint(
    bp,
    f"/tickets/{TICKET_ID}/cancel",
    "POST",
    summary="Cancel a waiting ticket",
    access=HOLDER,
    response=TicketOut,
    errors_=(404, 409),
)
def cancel_ticket(*, actor: Actor | None, ticket_id: str) -> dict[str, Any]:
    return current_hub().tickets.cancel(ticket_id, actor=actor or PUBLIC_ACTOR)


@endpoint(
    bp,
    f"/tickets/{TICKET_ID}/rating",
    "POST",
    summary="The ticket holder rates (never with a staff's or a device's token)",
    access=HOLDER,
    body=TicketRatingIn,
    response=RatingOut,
    status=201,
    errors_=(400, 403, 404, 409),
)
def rate_ticket(*, actor: Actor | None, ticket_id: str, body: TicketRatingIn) -> dict[str, Any]:
    _holder_only(actor)
    return current_hub().ratings.rate_ticket(ticket_id, body.level, tuple(body.reasons))


@endpoint(
    bp,
    f"/tickets/{TICKET_ID}/comment",
    "POST",
    summary="The ticket holder adds a short comment after rating (once; purged as personal data)",
    access=HOLDER,
    body=TicketCommentIn,
    response=TicketCommentOut,
    status=201,
    errors_=(400, 403, 404, 409),
)
def comment_ticket(*, actor: Actor | None, ticket_id: str, body: TicketCommentIn) -> dict[str, Any]:
    _holder_only(actor)
    hub = current_hub()
    return add_comment(hub.engine, hub.config, ticket_id, body.comment)


def _holder_only(actor: Actor | None) -> None:
    if actor is not None:  # the holder has no token: an officer must not rate themselves
        raise errors.Forbidden(
            "Chỉ người giữ phiếu mới đánh giá được, không dùng mã đăng nhập hay thiết bị",
            code="holder_only",
        )
