"""``motcua demo --simulate``: citizens arrive and officers call them, by themselves.

A working morning, time-compressed: arrivals follow a Poisson process whose rate
peaks at opening and settles after; each demo officer opens a counter, calls
the next number, serves it for a few minutes (a random, field-like duration),
sometimes marks a no-show, and completes it; some citizens rate the service
from their ticket's page. Everything goes over the hub's HTTP API with the
demo's kiosk token and officers' logins, so the screens, the console and the
dashboard move exactly as they would in a centre.
"""

from __future__ import annotations

import logging
import math
import random
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import requests

from config.schema import Config

logger = logging.getLogger(__name__)

LEVELS = ("very_satisfied", "satisfied", "unsatisfied")


@dataclass(frozen=True)
class Pace:
    """How fast the simulated morning runs.

    Attributes:
        minute_s: real seconds per simulated minute.
        peak_per_min: arrivals per simulated minute at opening.
        base_per_min: arrivals per simulated minute once the peak has passed.
        peak_min: how many simulated minutes the opening peak takes to settle.
        service_min: mean service time (simulated minutes).
    """

    minute_s: float = 2.0
    peak_per_min: float = 3.0
    base_per_min: float = 0.8
    peak_min: float = 30.0
    service_min: float = 4.0

    def arrivals_per_min(self, minute: float) -> float:
        """The arrival rate at a simulated minute after opening."""
        return self.base_per_min + (self.peak_per_min - self.base_per_min) * math.exp(
            -minute / self.peak_min
        )


class Simulation:
    """The simulated citizens and officers of the demo centre.

    Args:
        config: the demo centre.
        hub_url: where its hub listens.
        kiosk_token: the demo kiosk's device token.
        officers: ``(username, password)`` of the demo's staff, one per counter.
        stop: set when the demo ends.
    """

    def __init__(
        self,
        config: Config,
        hub_url: str,
        kiosk_token: str,
        officers: Sequence[tuple[str, str]],
        stop: threading.Event,
        pace: Pace | None = None,
        seed: int | None = None,
    ) -> None:
        self.config = config
        self.api = f"{hub_url.rstrip('/')}/api/v1"
        self.kiosk = {"Authorization": f"Bearer {kiosk_token}"}
        self.officers = list(officers)
        self.stop = stop
        self.pace = pace or Pace()
        self.rng = random.Random(seed)
        self.issued: list[str] = []
        self._lock = threading.Lock()

    def start(self) -> list[threading.Thread]:
        """Start the arrivals and one officer per counter (as many as there are officers)."""
        threads = [threading.Thread(target=self._arrivals, name="demo-arrivals", daemon=True)]
        for counter, officer in zip(self.config.counters, self.officers, strict=False):
            threads.append(
                threading.Thread(
                    target=self._officer,
                    args=(counter.id, officer),
                    name=f"demo-officer-{counter.id}",
                    daemon=True,
                )
            )
        for thread in threads:
            thread.start()
        return threads

    def _arrivals(self) -> None:
        minute = 0.0
        fields = [s.id for s in self.config.services]
        with requests.Session() as http:
            while not self.stop.is_set():
                gap = self.rng.expovariate(self.pace.arrivals_per_min(minute))
                minute += gap
                if self.stop.wait(gap * self.pace.minute_s):
                    return
                body = {"service": self.rng.choice(fields)}
                if self.rng.random() < 0.1:
                    body["priority"] = "elderly"
                answer = _post(http, f"{self.api}/tickets", json=body, headers=self.kiosk)
                if answer is not None and answer.status_code == 201:
                    with self._lock:
                        self.issued.append(answer.json()["id"])

    def _officer(self, counter: str, officer: tuple[str, str]) -> None:
        with requests.Session() as http:
            login = _post(
                http,
                f"{self.api}/auth/login",
                json={"username": officer[0], "password": officer[1]},
            )
            if login is None or login.status_code != 200:
                logger.warning("simulated officer %s cannot log in", officer[0])
                return
            auth = {"Authorization": f"Bearer {login.json()['token']}"}
            _post(http, f"{self.api}/counters/{counter}/open", headers=auth)
            while not self.stop.is_set():
                called = _post(http, f"{self.api}/counters/{counter}/call-next", headers=auth)
                if called is None or called.status_code != 200:
                    self.stop.wait(self.pace.minute_s)  # nobody waits: look again soon
                    continue
                minutes = self.rng.gammavariate(3.0, self.pace.service_min / 3.0)
                if self.stop.wait(minutes * self.pace.minute_s):
                    return
                if self.rng.random() < 0.05:
                    _post(http, f"{self.api}/counters/{counter}/no-show", headers=auth)
                    continue
                _post(http, f"{self.api}/counters/{counter}/complete", headers=auth)
                self._maybe_rate(http)

    def _maybe_rate(self, http: requests.Session) -> None:
        """Some citizens rate from their ticket's page (the QR code)."""
        with self._lock:
            mine = list(self.issued)
        if not mine or self.rng.random() > 0.6:
            return
        level = self.rng.choices(LEVELS, weights=(6, 3, 1))[0]
        for ticket_id in reversed(mine[-20:]):
            url = f"{self.api}/tickets/{ticket_id}/rating"
            answer = _post(http, url, json={"level": level})
            if answer is not None and answer.status_code == 201:
                return


def _post(http: requests.Session, url: str, **kwargs: Any) -> requests.Response | None:
    """POST, or None when the hub does not answer (it is starting or stopping)."""
    try:
        return http.post(url, timeout=5, **kwargs)
    except requests.RequestException as err:
        logger.info("the demo hub did not answer %s: %s", url.rsplit("/api/v1", 1)[-1], err)
        return None
