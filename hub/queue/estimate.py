"""Estimated wait.

Method (documented in the README): the mean service time ``S`` of the last
``sample`` tickets completed in the field (``completed_at − called_at``; the
configured default when there is no history yet), divided among ``k`` open,
unpaused counters that serve the field. A ticket with ``n`` people ahead (its
place in the call order, :mod:`hub.queue.call_order`) waits about ``n × S / k``
seconds. With no counter open, ``k`` is taken as 1: what the API gives older
clients, while the ticket itself says that no counter is open and shows no wait.
A counter that serves several fields is counted whole in each of them, which
makes the estimate slightly optimistic when several fields are busy at once.
"""

from __future__ import annotations

from collections.abc import Sequence


def mean_service_s(durations_s: Sequence[float], *, default_s: int) -> float:
    """Mean of recent service durations, ignoring negative or absurd values."""
    usable = [d for d in durations_s if 0 <= d <= 8 * 3600]
    if not usable:
        return float(default_s)
    return sum(usable) / len(usable)


def estimate_wait_s(ahead: int, *, mean_s: float, open_counters: int) -> int:
    """Seconds a ticket with ``ahead`` people before it is expected to wait."""
    if ahead <= 0:
        return 0
    return int(round(ahead * mean_s / max(open_counters, 1)))
