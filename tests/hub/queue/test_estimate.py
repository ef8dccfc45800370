"""Wait estimates from recent service times and open counters."""

from hub.queue import estimate_wait_s, mean_service_s


def test_mean_uses_default_without_history() -> None:
    assert mean_service_s([], default_s=300) == 300.0


def test_mean_ignores_absurd_durations() -> None:
    assert mean_service_s([100, 200, -5, 99_999], default_s=300) == 150.0


def test_estimate_divides_work_among_open_counters() -> None:
    """GIVEN 6 people ahead, 5 minutes each, 2 open counters THEN about 15 minutes."""
    assert estimate_wait_s(6, mean_s=300, open_counters=2) == 900


def test_estimate_with_no_open_counter_counts_one() -> None:
    assert estimate_wait_s(2, mean_s=300, open_counters=0) == 600


def test_nobody_ahead_waits_zero() -> None:
    assert estimate_wait_s(0, mean_s=300, open_counters=3) == 0
