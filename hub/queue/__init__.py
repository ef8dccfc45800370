"""The pure queue engine: numbering, ticket states, call order, people ahead, wait
estimates.

Nothing in this package does I/O or reads the clock: callers pass ``now`` in.
"""

from hub.queue.call_order import (
    MAX_REPLAYED_CALLS,
    CounterState,
    Place,
    WaitingTicket,
    place_in_call_order,
    surely_next,
)
from hub.queue.estimate import estimate_wait_s, mean_service_s
from hub.queue.numbering import DailyLimitReached, format_number, next_sequence, site_day
from hub.queue.routing import Candidate, Pick, pick_next
from hub.queue.states import (
    ACTIVE,
    FINAL,
    InvalidTransition,
    TicketStatus,
    check_transition,
)

__all__ = [
    "ACTIVE",
    "MAX_REPLAYED_CALLS",
    "FINAL",
    "Candidate",
    "CounterState",
    "DailyLimitReached",
    "InvalidTransition",
    "Pick",
    "Place",
    "TicketStatus",
    "WaitingTicket",
    "check_transition",
    "estimate_wait_s",
    "format_number",
    "mean_service_s",
    "next_sequence",
    "pick_next",
    "place_in_call_order",
    "site_day",
    "surely_next",
]
