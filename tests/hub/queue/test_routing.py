"""Call order: priority policy, then issue order, across a counter's fields."""

from hub.queue import Candidate, pick_next


def cand(minute: int, priority: bool = False, ident: str | None = None) -> Candidate:
    """A ticket issued ``minute`` minutes after the first: its place in issue order."""
    return Candidate(minute, ident or f"t{minute}", priority)


def test_nobody_waits() -> None:
    assert pick_next([], policy="strict", priority_every=2, regular_streak=0) is None


def test_strict_calls_priority_first_even_if_later() -> None:
    pick = pick_next([cand(1), cand(5, True)], policy="strict", priority_every=2, regular_streak=0)
    assert pick is not None and pick.ticket.id == "t5" and pick.regular_streak == 0


def test_earliest_issued_within_a_class() -> None:
    pick = pick_next([cand(3), cand(1), cand(2)], policy="strict", priority_every=2,
                     regular_streak=0)  # fmt: skip
    assert pick is not None and pick.ticket.id == "t1" and pick.regular_streak == 1


def test_equal_times_break_on_id() -> None:
    a, b = cand(1, ident="b"), cand(1, ident="a")
    pick = pick_next([a, b], policy="strict", priority_every=2, regular_streak=0)
    assert pick is not None and pick.ticket.id == "a"


def test_interleave_lets_regular_calls_through_until_the_streak_is_full() -> None:
    """GIVEN interleave 1:2 THEN two regular calls, then the priority ticket."""
    waiting = [cand(1), cand(2), cand(3), cand(0, True)]
    order = []
    streak = 0
    for _ in range(4):
        pick = pick_next(waiting, policy="interleave", priority_every=2, regular_streak=streak)
        assert pick is not None
        order.append(pick.ticket.id)
        streak = pick.regular_streak
        waiting.remove(pick.ticket)
    assert order == ["t1", "t2", "t0", "t3"]


def test_interleave_takes_priority_when_no_regular_waits() -> None:
    pick = pick_next([cand(4, True)], policy="interleave", priority_every=5, regular_streak=0)
    assert pick is not None and pick.ticket.id == "t4"
