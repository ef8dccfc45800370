"""``/counters``: open, call, recall, complete, no-show, transfer, pause, close."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from config.wire import DeviceKind, Role
from hub.accounts import Actor
from hub.api.models import CompleteIn, CounterOut, CounterTicketOut, TransferIn
from hub.api.spec import PUBLIC, Access, endpoint
from hub.context import current_hub
from hub.queue import TicketStatus

bp = Blueprint("counters", __name__, url_prefix="/api/v1")
OPENERS = Access(roles=(Role.STAFF, Role.ADMIN))
CLOSERS = Access(roles=(Role.STAFF, Role.ADMIN))
# The user who opened the counter (checked by the queue service), or the
# counter keypad bound to that counter, acting for that user.
OPERATOR = Access(roles=(Role.STAFF, Role.ADMIN), devices=(DeviceKind.COUNTER_KEYPAD,))
COUNTER = "/counters/<string(maxlength=32):counter_id>"
CONFLICTS = (401, 403, 404, 409)


@endpoint(
    bp,
    "/counters",
    "GET",
    summary="Counters with their state",
    access=PUBLIC,
    response=list[CounterOut],
)
def list_counters(*, actor: Actor | None) -> list[dict[str, Any]]:
    return current_hub().views.public_counters()


@endpoint(
    bp,
    f"{COUNTER}/open",
    "POST",
    summary="Bind the user to the counter",
    access=OPENERS,
    response=CounterOut,
    errors_=CONFLICTS,
)
def open_counter(*, actor: Actor, counter_id: str) -> dict[str, Any]:
    return current_hub().counters.open(counter_id, actor=actor)


@endpoint(
    bp,
    f"{COUNTER}/close",
    "POST",
    summary="Close the counter",
    access=CLOSERS,
    response=CounterOut,
    errors_=CONFLICTS,
)
def close_counter(*, actor: Actor, counter_id: str) -> dict[str, Any]:
    return current_hub().counters.close(counter_id, actor=actor)


@endpoint(
    bp,
    f"{COUNTER}/call-next",
    "POST",
    access=OPERATOR,
    response=CounterTicketOut,
    summary="Complete the current ticket and call the next (204: nobody waits)",
    errors_=CONFLICTS,
)
def call_next(*, actor: Actor, counter_id: str) -> dict[str, Any] | None:
    return current_hub().counters.call_next(counter_id, actor=actor)


@endpoint(
    bp,
    f"{COUNTER}/recall",
    "POST",
    summary="Call the current ticket again",
    access=OPERATOR,
    response=CounterTicketOut,
    errors_=CONFLICTS,
)
def recall(*, actor: Actor, counter_id: str) -> dict[str, Any]:
    return current_hub().counters.recall(counter_id, actor=actor)


@endpoint(
    bp,
    f"{COUNTER}/complete",
    "POST",
    summary="The current ticket is done (optionally with its dossier codes)",
    access=OPERATOR,
    body=CompleteIn,
    optional_body=True,
    response=CounterTicketOut,
    errors_=(400, *CONFLICTS),
)
def complete(*, actor: Actor, counter_id: str, body: CompleteIn) -> dict[str, Any]:
    hub = current_hub()
    return hub.counters.finish(counter_id, TicketStatus.DONE, actor=actor, dossiers=body.dossiers)


@endpoint(
    bp,
    f"{COUNTER}/no-show",
    "POST",
    summary="The current ticket did not come",
    access=OPERATOR,
    response=CounterTicketOut,
    errors_=CONFLICTS,
)
def no_show(*, actor: Actor, counter_id: str) -> dict[str, Any]:
    return current_hub().counters.finish(counter_id, TicketStatus.NO_SHOW, actor=actor)


@endpoint(
    bp,
    f"{COUNTER}/transfer",
    "POST",
    summary="Send the current ticket to another field",
    access=OPERATOR,
    body=TransferIn,
    response=CounterTicketOut,
    errors_=(400, *CONFLICTS),
)
def transfer(*, actor: Actor, counter_id: str, body: TransferIn) -> dict[str, Any]:
    return current_hub().counters.transfer(counter_id, body.service, actor=actor)


@endpoint(
    bp,
    f"{COUNTER}/pause",
    "POST",
    summary="Pause: call nobody, out of estimates",
    access=OPERATOR,
    response=CounterOut,
    errors_=CONFLICTS,
)
def pause(*, actor: Actor, counter_id: str) -> dict[str, Any]:
    return current_hub().counters.set_paused(counter_id, True, actor=actor)


@endpoint(
    bp,
    f"{COUNTER}/resume",
    "POST",
    summary="Resume after a pause",
    access=OPERATOR,
    response=CounterOut,
    errors_=CONFLICTS,
)
def resume(*, actor: Actor, counter_id: str) -> dict[str, Any]:
    return current_hub().counters.set_paused(counter_id, False, actor=actor)
