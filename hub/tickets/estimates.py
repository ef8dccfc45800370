"""Estimated waits, cached briefly: an estimate need not cost a query per ticket."""

from __future__ import annotations

import time

from sqlalchemy import Engine

from config.schema import Config
from hub.queue import Place, estimate_wait_s, mean_service_s
from hub.store import queries
from hub.store.db import read

ESTIMATE_TTL_S = 5.0


class Estimates:
    """Wait estimates from a field's mean service time, at most ``ESTIMATE_TTL_S`` old,
    and a ticket's place in the call order (see the README's "How the estimated wait
    is computed")."""

    def __init__(self, engine: Engine, config: Config) -> None:
        self.engine = engine
        self.config = config
        self._means: dict[str, tuple[float, float]] = {}

    def reconfigure(self, config: Config) -> None:
        self.config = config
        self.clear()

    def clear(self) -> None:
        """Forget cached inputs (a counter opened, paused or closed)."""
        self._means.clear()

    def wait_s(self, service_id: str, place: Place) -> int:
        """The estimated wait of a ticket of the field standing at ``place``.

        With no open counter there is nothing to estimate; the answer is then what
        one counter would take (``no_open_counter`` tells clients to show none), the
        value older clients always got.
        """
        now = time.monotonic()
        cached = self._means.get(service_id)
        if cached is None or now - cached[0] > ESTIMATE_TTL_S:
            cached = (now, self._read_mean(service_id))
            self._means[service_id] = cached
        return estimate_wait_s(place.ahead, mean_s=cached[1], open_counters=place.open_counters)

    def _read_mean(self, service_id: str) -> float:
        queue = self.config.queue
        with read(self.engine) as conn:
            sample = queries.recent_service_times(conn, service_id, queue.estimate_sample)
        return mean_service_s(sample, default_s=queue.default_service_s)
