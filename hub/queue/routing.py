"""Which waiting ticket a counter calls next.

Priority tickets (elderly, disabled, pregnant, …) go first under the
``strict`` policy. Under ``interleave`` one priority ticket is called after
every ``priority_every`` regular calls at that counter, so neither class
starves. Within a class the earliest issued goes first, across all the
fields the counter serves: by the ticket's place in the order of issue, never
by a clock's reading (a clock stepped back would put later tickets first);
ties, which the store never makes, break on the ticket id so order is total.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True, order=True)
class Candidate:
    """A waiting ticket as the router sees it (sortable by its place in issue order)."""

    position: int
    """Its place in the order of issue (``tickets.queue_pos``)."""
    id: str
    priority: bool = False


@dataclass(frozen=True)
class Pick:
    """The router's decision and the counter's new regular-call streak."""

    ticket: Candidate
    regular_streak: int


def pick_next(
    candidates: Iterable[Candidate],
    *,
    policy: Literal["strict", "interleave"],
    priority_every: int,
    regular_streak: int,
) -> Pick | None:
    """Choose the next ticket, or ``None`` when nobody waits.

    Args:
        candidates: waiting tickets of the counter's fields (any order; only the
            earliest of each class matters, so callers may pass just those two).
        policy: ``strict`` or ``interleave``.
        priority_every: regular calls between two priority calls (interleave).
        regular_streak: regular calls made at this counter since its last
            priority call.
    """
    first_priority: Candidate | None = None
    first_regular: Candidate | None = None
    for cand in candidates:
        if cand.priority:
            if first_priority is None or cand < first_priority:
                first_priority = cand
        elif first_regular is None or cand < first_regular:
            first_regular = cand
    if first_priority is None and first_regular is None:
        return None
    take_priority = first_priority is not None and (
        policy == "strict" or first_regular is None or regular_streak >= priority_every
    )
    if take_priority and first_priority is not None:
        return Pick(first_priority, 0)
    if first_regular is None:  # only reachable if priority is None; kept for typing
        return None
    return Pick(first_regular, regular_streak + 1)
