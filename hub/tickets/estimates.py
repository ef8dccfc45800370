"""Estimated waits, cached briefly: an estimate need not cost two queries per ticket."""

from __future__ import annotations

import time

from sqlalchemy import Engine

from config.schema import Config
from hub.queue import estimate_wait_s, mean_service_s
from hub.store import queries
from hub.store.db import read

ESTIMATE_TTL_S = 5.0


class Estimates:
    """Wait estimates from a field's mean service time and open-counter count, at most
    ``ESTIMATE_TTL_S`` old (see the README's "How the estimated wait is computed")."""

    def __init__(self, engine: Engine, config: Config) -> None:
        self.engine = engine
        self.config = config
        self._inputs: dict[str, tuple[float, float, int]] = {}

    def reconfigure(self, config: Config) -> None:
        self.config = config
        self.clear()

    def clear(self) -> None:
        """Forget cached inputs (a counter opened, paused or closed)."""
        self._inputs.clear()

    def wait_s(self, service_id: str, ahead: int) -> int:
        """The estimated wait of a ticket with ``ahead`` people before it in the field."""
        now = time.monotonic()
        cached = self._inputs.get(service_id)
        if cached is None or now - cached[0] > ESTIMATE_TTL_S:
            cached = (now, *self._read_inputs(service_id))
            self._inputs[service_id] = cached
        _, mean, k = cached
        return estimate_wait_s(ahead, mean_s=mean, open_counters=k)

    def _read_inputs(self, service_id: str) -> tuple[float, int]:
        queue = self.config.queue
        with read(self.engine) as conn:
            sample = queries.recent_service_times(conn, service_id, queue.estimate_sample)
            open_ids = queries.open_counter_ids(conn)
        mean = mean_service_s(sample, default_s=queue.default_service_s)
        serving = [c for c in self.config.counters if service_id in c.services]
        return mean, sum(1 for c in serving if c.id in open_ids)
