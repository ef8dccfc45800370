"""Misuse flags on rating presses, with no I/O.

Counter self-reports sit near 98 % satisfied where independent surveys find
about 83 %; the gap comes from buttons pressed by the wrong person or at the
wrong moment. These rules mark ratings that look like that. A flagged rating
is kept, counted apart and left out of the rates unless a manager asks for it.

* ``burst``: ``burst_count`` or more presses at one counter within
  ``burst_window_s`` seconds (someone drumming on the pad);
* ``no_ticket``: a press when nobody was just served (kept as a raw press; it
  never becomes a rating);
* ``level_share``: for one staff member in one day, one level's share far above
  that staff member's usual share (a one-sided z-test against the baseline);
* ``clock``: the pad's clock differed from the hub's by more than
  ``clock_tolerance_s`` (the press time had to be corrected, or could not be); or
  the press is back-dated (:func:`backdated`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

BURST = "burst"
NO_TICKET = "no_ticket"
LEVEL_SHARE = "level_share"
CLOCK = "clock"
ALL_FLAGS = (BURST, NO_TICKET, LEVEL_SHARE, CLOCK)


@dataclass(frozen=True)
class FlagRules:
    """Thresholds of the misuse rules (``[alerts.flags]`` in the config)."""

    burst_count: int = 5
    burst_window_s: float = 30.0
    share_min_ratings: int = 15
    share_z: float = 3.0
    share_min_excess: float = 0.2
    share_baseline_days: int = 30
    share_baseline_min: int = 30
    clock_tolerance_s: float = 120.0


def in_burst(times: Iterable[datetime], at: datetime, rules: FlagRules) -> bool:
    """True when the presses at ``times`` (this one included) make a burst ending at ``at``.

    Args:
        times: press times at the same counter, any order; ``at`` itself may be
            among them or not (it is counted once).
        at: the time of the press being judged.
        rules: thresholds.
    """
    start = at - timedelta(seconds=rules.burst_window_s)
    within = sum(1 for t in times if start <= t <= at and t != at)
    return within + 1 >= rules.burst_count


def burst_members(times: Sequence[datetime], rules: FlagRules) -> list[bool]:
    """For each press time, whether it belongs to some burst window (sliding, inclusive)."""
    order = sorted(range(len(times)), key=lambda i: times[i])
    member = [False] * len(times)
    window = timedelta(seconds=rules.burst_window_s)
    lo = 0
    for hi in range(len(order)):
        while times[order[hi]] - times[order[lo]] > window:
            lo += 1
        if hi - lo + 1 >= rules.burst_count:
            for j in range(lo, hi + 1):
                member[order[j]] = True
    return member


def share_z(count: int, total: int, baseline_share: float) -> float:
    """One-sided z-score of ``count`` of ``total`` against a binomial ``baseline_share``."""
    if total <= 0:
        return 0.0
    p = min(max(baseline_share, 0.02), 0.98)
    return (count - total * p) / math.sqrt(total * p * (1 - p))


def share_outlier(
    count: int, total: int, baseline_count: int, baseline_total: int, rules: FlagRules
) -> bool:
    """Whether a level's share today is far above its usual share.

    Args:
        count: ratings at the level today for the staff member.
        total: all ratings today for the staff member.
        baseline_count: ratings at the level in the baseline period.
        baseline_total: all ratings in the baseline period.
        rules: thresholds. Without ``share_min_ratings`` today or
            ``share_baseline_min`` in the baseline, nothing is judged.
    """
    if total < rules.share_min_ratings or baseline_total < rules.share_baseline_min:
        return False
    baseline = baseline_count / baseline_total
    share = count / total
    if share - baseline < rules.share_min_excess:
        return False
    return share_z(count, total, baseline) >= rules.share_z


def clock_off(offset_s: float | None, rules: FlagRules) -> bool:
    """True when a pad's measured clock offset exceeds the tolerance."""
    return offset_s is not None and abs(offset_s) > rules.clock_tolerance_s


LATE_SLACK_S = 30.0
"""How long after a press the pad may still have been heard from before falling silent
(a heartbeat that got through while the press's own request did not; times rounded)."""


def backdated(
    at: datetime, received: datetime, window_s: float, silence: tuple[datetime, datetime] | None
) -> bool:
    """True when a press placed more than ``window_s`` before the hub received it cannot
    be a late delivery.

    A pad's outbox sends a press at once, and again every few seconds to two minutes
    until the hub answers. So a press that arrives that late, with its true time, was
    made while the pad could not reach the hub: within the pad's latest silence
    (``silence``: from its last contact before, at most :data:`LATE_SLACK_S` after the
    press, until its first contact after). A pad the hub kept hearing from since the
    press has no reason to send it so late: the time is not to be trusted.

    Args:
        at: the press's time, the pad's clock offset applied.
        received: when the hub received it.
        window_s: the linking window (``[ratings] window_s``).
        silence: the pad's latest stretch unheard, ``(from, until)``, if any.
    """
    if received - at <= timedelta(seconds=window_s):
        return False
    if silence is None:
        return True
    start, end = silence
    return not (start <= at + timedelta(seconds=LATE_SLACK_S) and at <= end)


def merge_flags(existing: Iterable[str] | None, new: Iterable[str]) -> list[str]:
    """The union of two flag lists in the canonical order of :data:`ALL_FLAGS`."""
    have = set(existing or ()) | set(new)
    return [f for f in ALL_FLAGS if f in have] + sorted(have - set(ALL_FLAGS))
