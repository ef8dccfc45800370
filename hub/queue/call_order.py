"""Where a waiting ticket stands in the real call order, and when it may be told "next".

The number of people ahead of a ticket is the number of calls that come before
it, found by replaying the router (:func:`hub.queue.routing.pick_next`) over the
tickets waiting now:

- The counters that call are the open, unpaused counters that serve the
  ticket's field, each with the fields it serves and its own regular-call streak
  (so the ``strict`` / ``interleave`` policy and ``priority_every`` apply exactly as
  at the counter). They take turns, in configuration order, one call each; every
  call counts, also a call of a ticket of another field that such a counter
  serves, because it keeps that counter busy. The replay stops when a counter
  takes the ticket.
- With one counter the count is exact as long as nobody else arrives. With
  several it assumes they finish at the same pace: a counter that is quicker or
  slower moves the real order by a call or two. Counters that serve none of the
  ticket's fields are left out, although they may take tickets of a shared field
  first: the count errs on the long side.
- The replay stops after :data:`MAX_REPLAYED_CALLS` calls, so a long queue costs
  what a short one does; the calls beyond are counted from the tickets left and
  the mix of classes the replay called (exact under ``strict``, within a call or
  two per counter under ``interleave``).
- With no open counter for the field, there is no wait to estimate
  (:attr:`Place.no_open_counter`); the count is then the order the field's
  counters would follow if they all opened now (streaks start at 0 on opening).

"Next" (0 ahead) is a promise printed on paper, so it is said only when no
later event but a priority arrival can break it: every counter that serves the
field — open, paused (it keeps its streak) or closed (it reopens with a streak
of 0) — would take this ticket on its next call, and, for a priority ticket under
``interleave``, would take it even if a regular ticket arrived first (its streak
is due). A ticket that is first in the replay but fails this test is told 1
ahead. Later priority tickets may still overtake a regular one, as the policy
says. Not covered: a ticket transferred into the field keeps its earlier place
and may go first; a configuration reload changes the counters.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from hub.queue.routing import Candidate, pick_next

Policy = Literal["strict", "interleave"]
CounterStatus = Literal["open", "paused", "closed"]


@dataclass(frozen=True)
class WaitingTicket:
    """A waiting ticket as the replay sees it."""

    position: int
    """Its place in the order of issue (``tickets.queue_pos``)."""
    id: str
    priority: bool
    field: str
    """The field (service id) it waits in."""

    def candidate(self) -> Candidate:
        return Candidate(self.position, self.id, self.priority)


@dataclass(frozen=True)
class CounterState:
    """A configured counter: the fields it serves, whether it calls, and its streak."""

    id: str
    fields: frozenset[str]
    status: CounterStatus
    regular_streak: int = 0


@dataclass(frozen=True)
class Place:
    """Where a ticket stands: calls before it and the counters that make them."""

    ahead: int
    """Calls that come before it (0: it is surely next, see the module docstring)."""
    open_counters: int
    """Open, unpaused counters that serve its field (the ``k`` of the estimate)."""

    @property
    def no_open_counter(self) -> bool:
        """No open counter serves the field: there is no wait to estimate."""
        return self.open_counters == 0


#: Calls replayed at most; beyond, the count is extrapolated (see :func:`place_in_call_order`).
MAX_REPLAYED_CALLS = 60

Line = tuple[str, bool]
"""A field and a class (priority or not): the tickets a counter takes in issue order."""


class _Queues:
    """The waiting tickets by field and class, each in issue order, consumed from the front."""

    def __init__(self, tickets: Iterable[WaitingTicket]) -> None:
        self._lines: dict[Line, list[WaitingTicket]] = {}
        for ticket in sorted(tickets, key=lambda t: (t.position, t.id)):
            self._lines.setdefault((ticket.field, ticket.priority), []).append(ticket)
        self._front: dict[Line, int] = dict.fromkeys(self._lines, 0)

    def heads(self, fields: Iterable[str]) -> dict[str, WaitingTicket]:
        """The first waiting ticket of each class and field, by id."""
        found: dict[str, WaitingTicket] = {}
        for field in fields:
            for priority in (True, False):
                line = self._lines.get((field, priority))
                if line is not None and self._front[(field, priority)] < len(line):
                    head = line[self._front[(field, priority)]]
                    found[head.id] = head
        return found

    def take(self, ticket: WaitingTicket) -> None:
        """Remove ``ticket``, which is the head of its line."""
        self._front[(ticket.field, ticket.priority)] += 1

    def left(self, line: Line) -> int:
        """Tickets of ``line`` not taken yet."""
        return len(self._lines.get(line, ())) - self._front.get(line, 0)


def _next_pick(
    queues: _Queues, fields: frozenset[str], streak: int, *, policy: Policy, priority_every: int
) -> tuple[WaitingTicket, int] | None:
    """What a counter of ``fields`` at ``streak`` would call now with the real router,
    and its streak after it."""
    heads = queues.heads(fields)
    pick = pick_next(
        (t.candidate() for t in heads.values()),
        policy=policy,
        priority_every=priority_every,
        regular_streak=streak,
    )
    if pick is None:
        return None
    return heads[pick.ticket.id], pick.regular_streak


@dataclass
class _Replay:
    """The calls replayed before the target (or before the replay stopped)."""

    calls: int = 0
    same_class: int = 0
    other_class: int = 0
    reached: bool = False


def _replay(
    target: WaitingTicket,
    queues: _Queues,
    counters: Sequence[CounterState],
    *,
    policy: Policy,
    priority_every: int,
) -> _Replay:
    """Replay ``counters`` taking turns until one takes ``target``, for at most
    :data:`MAX_REPLAYED_CALLS` calls."""
    streaks = [c.regular_streak for c in counters]
    done = _Replay()
    while True:
        for i, counter in enumerate(counters):
            if done.calls >= MAX_REPLAYED_CALLS:
                return done
            picked = _next_pick(
                queues, counter.fields, streaks[i], policy=policy, priority_every=priority_every
            )
            if picked is None:  # pragma: no cover - target waits in every counter's fields
                return done
            ticket, streaks[i] = picked
            if ticket.id == target.id:
                done.reached = True
                return done
            queues.take(ticket)
            done.calls += 1
            if ticket.priority == target.priority:
                done.same_class += 1
            else:
                done.other_class += 1


def _extrapolated(
    target: WaitingTicket,
    done: _Replay,
    queues: _Queues,
    fields: set[str],
    left_out: Mapping[Line, int],
) -> int:
    """Calls before ``target`` when the replay stopped short of it: every ticket of its
    class still before it, and as many of the other class as the replay's mix gives
    them (all of them if the replay took none of its class: strict, for a regular one)."""

    def left(priority: bool) -> int:
        lines = [(f, priority) for f in fields]
        return sum(queues.left(line) + left_out.get(line, 0) for line in lines)

    same_left = left(target.priority) - 1  # the target itself is in its line
    other_left = left(not target.priority)
    if done.same_class == 0:
        other = other_left
    else:
        other = min(other_left, -(-same_left * done.other_class // done.same_class))
    return done.calls + same_left + other


def surely_next(
    target: WaitingTicket,
    waiting: Iterable[WaitingTicket],
    counter: CounterState,
    *,
    policy: Policy,
    priority_every: int,
) -> bool:
    """Whether ``counter``'s next call takes ``target`` whatever arrives meanwhile,
    except a priority ticket the policy lets go first (see the module docstring)."""
    streak = 0 if counter.status == "closed" else counter.regular_streak
    queues = _Queues({target, *waiting})
    picked = _next_pick(
        queues, counter.fields, streak, policy=policy, priority_every=priority_every
    )
    if picked is None or picked[0].id != target.id:
        return False
    # A priority ticket under interleave goes before a regular one only when the
    # streak is due; otherwise a regular arrival would be called first.
    return not target.priority or policy == "strict" or streak >= priority_every


def place_in_call_order(
    target: WaitingTicket,
    waiting: Iterable[WaitingTicket],
    counters: Iterable[CounterState],
    *,
    policy: Policy,
    priority_every: int,
    left_out: Mapping[Line, int] | None = None,
) -> Place:
    """Where ``target`` stands in the call order (see the module docstring).

    The replay stops after :data:`MAX_REPLAYED_CALLS` calls; a ticket further back is
    counted from the tickets left and the mix of classes the replay called, which is
    exact under ``strict`` and within a call or two per counter under ``interleave``.

    Args:
        target: the ticket.
        waiting: the other tickets waiting today in the fields of the counters that
            serve ``target``'s field (tickets of ``target``'s class issued after it
            are ignored: they never go first). Only the first
            :data:`MAX_REPLAYED_CALLS` of each field and class are needed.
        counters: every configured counter, in configuration order.
        policy: ``strict`` or ``interleave``.
        priority_every: regular calls between two priority calls (interleave).
        left_out: how many waiting tickets of each field and class ``waiting`` leaves
            out (after its first ones).
    """
    others = [
        t
        for t in waiting
        if t.id != target.id and (t.priority != target.priority or t.position < target.position)
    ]
    serving = [c for c in counters if target.field in c.fields]
    calling = [c for c in serving if c.status == "open"]
    replayed = calling or [replace(c, regular_streak=0) for c in serving]
    if not replayed:  # no counter is configured for the field: as if one served it alone
        replayed = [CounterState("", frozenset({target.field}), "closed")]
    queues = _Queues([target, *others])
    done = _replay(target, queues, replayed, policy=policy, priority_every=priority_every)
    ahead = done.calls
    if not done.reached:
        fields = set().union(*(c.fields for c in replayed))
        ahead = _extrapolated(target, done, queues, fields, left_out or {})
    elif ahead == 0 and not all(
        surely_next(target, others, c, policy=policy, priority_every=priority_every)
        for c in serving
    ):
        ahead = 1
    return Place(ahead=ahead, open_counters=len(calling))
