"""People ahead in the real call order, and when a ticket may be told it is next."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from hub.queue import (
    MAX_REPLAYED_CALLS,
    CounterState,
    WaitingTicket,
    pick_next,
    place_in_call_order,
)

A = frozenset({"a"})
AB = frozenset({"a", "b"})


def _t(pos: int, field: str = "a", priority: bool = False) -> WaitingTicket:
    return WaitingTicket(pos, f"t{pos}", priority, field)


def _ahead(target, waiting, counters, policy="interleave", every=2):
    return place_in_call_order(target, waiting, counters, policy=policy, priority_every=every)


def test_the_issue_case_an_elderly_ticket_after_a_regular_one_is_not_next() -> None:
    """GIVEN interleave and a counter just opened (streak 0), 1002 regular then 1003
    elderly WHEN their places are asked THEN 1002 is next and 1003 has one ahead."""
    regular, elderly = _t(1), _t(2, priority=True)
    counter = [CounterState("1", A, "open", 0)]
    assert _ahead(regular, [elderly], counter).ahead == 0
    assert _ahead(elderly, [regular], counter).ahead == 1


def test_strict_puts_every_priority_ticket_first() -> None:
    regular, p1, p2 = _t(1), _t(2, priority=True), _t(3, priority=True)
    counter = [CounterState("1", A, "open", 0)]
    assert _ahead(regular, [p1, p2], counter, "strict").ahead == 2
    assert _ahead(p2, [regular, p1], counter, "strict").ahead == 1


def test_interleave_follows_the_counters_streak() -> None:
    """GIVEN interleave 1:2 and regular tickets r1..r3 before a priority one p WHEN the
    counter's streak is 0, then due THEN p waits for two regular calls, then none."""
    regular = [_t(1), _t(2), _t(3)]
    p = _t(4, priority=True)
    fresh = [CounterState("1", A, "open", 0)]
    due = [CounterState("1", A, "open", 2)]
    assert _ahead(p, regular, fresh).ahead == 2
    assert _ahead(regular[2], [*regular[:2], p], fresh).ahead == 3
    assert _ahead(p, regular, due).ahead == 0
    assert _ahead(regular[0], [*regular[1:], p], due).ahead == 1


def test_a_counter_serving_two_fields_counts_the_other_fields_calls() -> None:
    """GIVEN one open counter serving a and b, and b's tickets issued first WHEN a's
    ticket asks THEN the b tickets the counter calls first are ahead of it."""
    b1, b2, a3 = _t(1, "b"), _t(2, "b"), _t(3, "a")
    assert _ahead(a3, [b1, b2], [CounterState("3", AB, "open", 0)]).ahead == 2


def test_no_open_counter_is_said_and_the_order_is_that_of_the_counters_when_they_open() -> None:
    b1, a2, a3 = _t(1, "b"), _t(2, "a"), _t(3, "a")
    counters = [CounterState("1", A, "closed", 5), CounterState("3", AB, "paused", 0)]
    place = _ahead(a3, [b1, a2], counters)
    assert place.no_open_counter and place.open_counters == 0
    assert place.ahead == 2  # counter 1 takes a2, counter 3 takes b1
    lonely = _ahead(_t(1, "c"), [], counters)
    assert lonely.no_open_counter and lonely.ahead == 0


def test_next_is_promised_only_when_every_counter_of_the_field_takes_the_ticket() -> None:
    """GIVEN interleave, a priority ticket p, the regular r, and two counters of field a,
    one with its streak due and one fresh WHEN p asks THEN the replay may call it
    first, but the fresh counter would call r: p is told 1 ahead, never "next"."""
    r, p = _t(1), _t(2, priority=True)
    due, fresh = CounterState("1", A, "open", 2), CounterState("2", A, "open", 0)
    assert _ahead(p, [r], [due]).ahead == 0
    assert _ahead(p, [r], [due, fresh]).ahead == 1
    closed = CounterState("2", A, "closed", 2)  # reopens with a streak of 0
    assert _ahead(p, [r], [due, closed]).ahead == 1


def test_a_lone_priority_ticket_under_interleave_is_not_promised_next_before_its_turn() -> None:
    """GIVEN interleave and nobody else waiting WHEN a priority ticket asks and the
    streak is not due THEN a regular arrival would go first: 1 ahead, not "next"."""
    p = _t(1, priority=True)
    assert _ahead(p, [], [CounterState("1", A, "open", 0)]).ahead == 1
    assert _ahead(p, [], [CounterState("1", A, "open", 2)]).ahead == 0
    assert _ahead(p, [], [CounterState("1", A, "open", 0)], "strict").ahead == 0


@st.composite
def _queues(draw: st.DrawFn) -> tuple[list[WaitingTicket], int, str, int]:
    n = draw(st.integers(1, 12))
    tickets = [_t(i, draw(st.sampled_from("ab")), draw(st.booleans())) for i in range(1, n + 1)]
    return (
        tickets,
        draw(st.integers(0, 3)),
        draw(st.sampled_from(["strict", "interleave"])),
        draw(st.integers(1, 3)),
    )


@settings(max_examples=300, deadline=None)
@given(_queues())
def test_one_counter_ahead_is_the_exact_number_of_calls_before(case) -> None:
    """GIVEN one counter serving both fields and any waiting tickets WHEN the counter
    calls until nobody waits THEN each ticket's people ahead is the number of calls
    before its own, except a priority ticket not yet due, told 1 rather than next."""
    tickets, streak, policy, every = case
    counter = CounterState("1", AB, "open", streak)
    told = {
        t.id: _ahead(t, [u for u in tickets if u != t], [counter], policy, every).ahead
        for t in tickets
    }
    due = streak >= every
    left, order = list(tickets), []
    while left:
        pick = pick_next(
            [t.candidate() for t in left],
            policy=policy,
            priority_every=every,
            regular_streak=streak,
        )
        assert pick is not None
        streak = pick.regular_streak
        order.append(pick.ticket.id)
        left = [t for t in left if t.id != pick.ticket.id]
    for t in tickets:
        truth = order.index(t.id)
        held_back = truth == 0 and t.priority and policy == "interleave" and not due
        assert told[t.id] == (1 if held_back else truth), (t, order)


def test_a_long_queue_is_counted_beyond_the_replay() -> None:
    """GIVEN more tickets ahead than the replay calls WHEN a ticket far back asks THEN
    strict counts every priority ticket and every earlier one; interleave 1:2 counts
    the earlier regular ones and one priority ticket after every two of them."""
    n = MAX_REPLAYED_CALLS
    counter = [CounterState("1", A, "open", 0)]
    regular = [_t(i) for i in range(1, 3 * n + 1)]
    priority = [_t(i, priority=True) for i in range(3 * n + 1, 4 * n + 1)]
    last = _t(5 * n)
    assert _ahead(last, regular + priority, counter, "strict").ahead == 4 * n
    assert _ahead(last, regular + priority, counter, "interleave").ahead == 4 * n
    few = priority[: n // 4]
    assert _ahead(last, regular + few, counter, "interleave").ahead == 3 * n + n // 4
    assert _ahead(priority[-1], regular + priority, counter, "strict").ahead == n - 1
    # A priority ticket under interleave: its earlier ones, two regular calls before each
    # and before it (the truth is 3n - 1; the extrapolation is off by a call or two).
    far = _ahead(priority[-1], regular + priority, counter, "interleave").ahead
    assert abs(far - (3 * n - 1)) <= 2


@settings(max_examples=50, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from("ab"), st.booleans()), min_size=150, max_size=400),
    st.sampled_from(["strict", "interleave"]),
)
def test_the_first_tickets_of_each_line_and_the_counts_of_the_rest_suffice(
    arrivals: list[tuple[str, bool]], policy: str
) -> None:
    """GIVEN a long queue WHEN the core gets only the first MAX_REPLAYED_CALLS tickets
    of each field and class, and how many more each has THEN it answers as with all."""
    tickets = [_t(i, f, p) for i, (f, p) in enumerate(arrivals, start=1)]
    counters = [CounterState("1", A, "open", 1), CounterState("3", AB, "open", 0)]
    lines: dict[tuple[str, bool], list[WaitingTicket]] = {}
    for t in tickets[:-1]:
        lines.setdefault((t.field, t.priority), []).append(t)
    first = [t for line in lines.values() for t in line[:MAX_REPLAYED_CALLS]]
    more = {k: len(v) - MAX_REPLAYED_CALLS for k, v in lines.items() if len(v) > MAX_REPLAYED_CALLS}
    target = tickets[-1]
    whole = place_in_call_order(target, tickets, counters, policy=policy, priority_every=2)
    part = place_in_call_order(
        target, first, counters, policy=policy, priority_every=2, left_out=more
    )
    assert part == whole
