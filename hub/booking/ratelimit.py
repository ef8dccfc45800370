"""Attempts per client address in a sliding window, kept in this process's memory."""

from __future__ import annotations

import collections
import threading

__all__ = ["RateLimiter"]

MAX_CLIENTS = 10_000
"""Addresses remembered; past this the ones whose window has passed are forgotten."""


class RateLimiter:
    """Counts attempts per key (a client's address) over a sliding window."""

    def __init__(self) -> None:
        self._attempts: dict[str, collections.deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str, now: float, limit: int, window_s: float) -> bool:
        """Count one attempt of ``key`` at ``now``; False (not counted) past ``limit``."""
        with self._lock:
            seen = self._attempts.setdefault(key, collections.deque())
            while seen and seen[0] <= now - window_s:
                seen.popleft()
            if len(seen) >= limit:
                return False
            seen.append(now)
            if len(self._attempts) > MAX_CLIENTS:
                # Forget addresses whose last attempt left the window (dicts keep
                # insertion order, so the oldest clients are looked at first).
                stale = [k for k, v in self._attempts.items() if v[-1] <= now - window_s]
                for old in stale or list(self._attempts)[: MAX_CLIENTS // 10]:
                    if old != key:
                        del self._attempts[old]
            return True
