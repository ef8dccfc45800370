"""The figures a day of queue work is summed into, and the groupings stats read."""

from __future__ import annotations

from hub.queue import TicketStatus

DIMENSIONS = {"counter": "counter_id", "staff": "staff_id", "service": "service_id"}
FIGURES = (
    "issued",
    "done",
    "no_show",
    "cancelled",
    "served",
    "wait_sum",
    "wait_n",
    "service_sum",
    "service_n",
)
STATUS_FIGURE = {TicketStatus.DONE.value: "done"}


def cube_dim(by: str) -> str:
    """The cube's grouping for ``by`` (periods fold the whole site per month)."""
    return by if by in DIMENSIONS else "site"
