"""The ticket lifecycle: an enum, a transition table and named state sets."""

from __future__ import annotations

from enum import StrEnum


class TicketStatus(StrEnum):
    """Where a ticket is in its life; the values go on the wire."""

    WAITING = "waiting"
    CALLED = "called"
    DONE = "done"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"


#: Every allowed move. ``called → waiting`` is a transfer to another field, which
#: keeps the ticket's number and its place by issue time.
TRANSITIONS: dict[TicketStatus, frozenset[TicketStatus]] = {
    TicketStatus.WAITING: frozenset({TicketStatus.CALLED, TicketStatus.CANCELLED}),
    TicketStatus.CALLED: frozenset({TicketStatus.DONE, TicketStatus.NO_SHOW, TicketStatus.WAITING}),
    TicketStatus.DONE: frozenset(),
    TicketStatus.NO_SHOW: frozenset(),
    TicketStatus.CANCELLED: frozenset(),
}

ACTIVE = frozenset({TicketStatus.WAITING, TicketStatus.CALLED})
FINAL = frozenset({TicketStatus.DONE, TicketStatus.NO_SHOW, TicketStatus.CANCELLED})


class InvalidTransition(Exception):
    """A ticket was asked to move where its lifecycle does not allow."""

    def __init__(self, current: TicketStatus, wanted: TicketStatus) -> None:
        self.current = current
        self.wanted = wanted
        super().__init__(f"a {current.value} ticket cannot become {wanted.value}")


def check_transition(current: TicketStatus | str, wanted: TicketStatus | str) -> TicketStatus:
    """Return ``wanted`` as a status if the move is allowed, else raise.

    Raises:
        InvalidTransition: when ``current → wanted`` is not in :data:`TRANSITIONS`.
    """
    cur = TicketStatus(current)
    new = TicketStatus(wanted)
    if new not in TRANSITIONS[cur]:
        raise InvalidTransition(cur, new)
    return new
