"""The misuse rules as pure functions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from hub.ratings import flags as fl

T0 = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
RULES = fl.FlagRules(burst_count=5, burst_window_s=30)


def at(*seconds: float) -> list[datetime]:
    return [T0 + timedelta(seconds=s) for s in seconds]


def test_burst_needs_n_presses_inside_the_window() -> None:
    assert not fl.in_burst(at(0, 5, 10), T0 + timedelta(seconds=20), RULES)
    assert fl.in_burst(at(0, 5, 10, 15), T0 + timedelta(seconds=20), RULES)
    # the oldest press fell out of the 30 s window
    assert not fl.in_burst(at(0, 5, 10, 15), T0 + timedelta(seconds=31), RULES)


def test_burst_members_marks_every_press_of_a_burst() -> None:
    times = at(0, 100, 101, 102, 103, 104, 300)
    assert fl.burst_members(times, RULES) == [False, True, True, True, True, True, False]


@given(st.lists(st.integers(0, 600), max_size=40))
def test_burst_members_agree_with_in_burst(seconds: list[int]) -> None:
    """Whatever the times, a press that ends a burst window is a burst member."""
    times = at(*seconds)
    members = fl.burst_members(times, RULES)
    for i, t in enumerate(times):
        others = times[:i] + times[i + 1 :]
        if fl.in_burst([o for o in others if o != t], t, RULES) and seconds.count(seconds[i]) == 1:
            assert members[i]


def test_share_outlier_hand_computed() -> None:
    """Baseline 10 of 40 very satisfied (25 %). Today 15 of 15: z = 11.25 / 1.677 = 6.7."""
    rules = fl.FlagRules(share_min_ratings=15, share_baseline_min=30, share_z=3.0)
    assert round(fl.share_z(15, 15, 0.25), 2) == 6.71
    assert fl.share_outlier(15, 15, 10, 40, rules)
    assert not fl.share_outlier(14, 14, 10, 40, rules)  # too few today
    assert not fl.share_outlier(15, 15, 10, 20, rules)  # too little baseline
    assert not fl.share_outlier(6, 15, 10, 40, rules)  # 40 % vs 25 %: z = 1.34
    # a staff member who is always at 90 % is not flagged for a 100 % day
    assert not fl.share_outlier(20, 20, 90, 100, rules)


def test_clock_and_merge() -> None:
    assert fl.clock_off(-121, RULES) and not fl.clock_off(119.9, RULES)
    assert not fl.clock_off(None, RULES)
    assert fl.merge_flags(["clock"], ["burst", "clock"]) == ["burst", "clock"]
    assert fl.merge_flags(None, ["zzz", "level_share"]) == ["level_share", "zzz"]


def test_a_late_press_must_fall_in_the_pads_latest_silence() -> None:
    """A press within ``window_s`` of its receipt is never back-dated; a later one is
    only when the pad was heard from since (no silence, or a silence that began more
    than LATE_SLACK_S after the press, or ended before it)."""
    got = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)
    at = got - timedelta(minutes=15)
    window = 600.0
    slack = timedelta(seconds=fl.LATE_SLACK_S)
    assert not fl.backdated(got - timedelta(minutes=9), got, window, None)
    assert fl.backdated(at, got, window, None)
    assert not fl.backdated(at, got, window, (at - timedelta(minutes=1), got))
    assert not fl.backdated(at, got, window, (at + slack, at + timedelta(minutes=1)))
    assert fl.backdated(at, got, window, (at + slack + timedelta(seconds=1), got))
    assert fl.backdated(at, got, window, (at - timedelta(hours=1), at - timedelta(seconds=1)))
