"""Redis gone: each process goes on serving its own screens, ``/healthz`` says
``degraded`` with the reason, and when Redis is back the calls reach every process's
screens again (issue 12, "Faults").

The machine's Redis serves other work, so it is never stopped: the two hub
processes reach it through a TCP proxy (``tests.support.tcp_proxy``) that the test
cuts (every connection reset, new ones refused) and restores.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from typing import Any

import pytest
import requests

from tests.e2e.invariants import open_counters
from tests.e2e.screens import CallListener
from tests.e2e.support import ApiClient, HubProcess, Site, StartHub
from tests.support.tcp_proxy import TcpProxy, target_of

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]

HEALTH_TIMEOUT_S = 15.0
RESUME_TIMEOUT_S = 30.0
SEEN_TIMEOUT_S = 5.0
"""How long a call may take to reach a screen (it takes milliseconds)."""


def health(hub: HubProcess) -> dict[str, Any]:
    response = requests.get(f"{hub.url}/healthz", timeout=10)
    assert response.status_code == 200, response.text  # degraded still serves
    return dict(response.json())


def wait_health(hub: HubProcess, status: str) -> dict[str, Any]:
    deadline = time.monotonic() + HEALTH_TIMEOUT_S
    while time.monotonic() < deadline:
        answer = health(hub)
        if answer["status"] == status:
            return answer
        time.sleep(0.1)
    raise AssertionError(f"{hub.name}: /healthz never said {status!r}: {health(hub)}")


class Floor:
    """A kiosk and a counter that work through one hub process or the other."""

    def __init__(self, site: Site, tokens: dict[str, str]) -> None:
        self.site = site
        self.token = tokens["1"]

    def call(self, hub: HubProcess) -> tuple[str, str]:
        """Issue a ticket of counter 1's first field and call it, through ``hub``;
        the (number, counter) a screen shows."""
        with ApiClient(hub.url, self.site.kiosk_token) as kiosk:
            kiosk.issue(self.site.config.counters["1"][0])
        with ApiClient(hub.url, self.token) as counter:
            called = counter.call_next("1")
        assert called is not None
        return str(called["number"]), "1"


def test_redis_outage(
    postgres_site: Site,
    redis_url: str,
    start_hub: StartHub,
    tcp_proxy: Callable[[tuple[str, int]], TcpProxy],
) -> None:
    """GIVEN two `motcua serve` processes A and B sharing Redis (through a proxy), a screen
    on each
    WHEN Redis goes away, first as a stopped Redis does (connections reset, new ones
    refused), then as one whose machine lost power (nothing answers, nothing is reset)
    THEN both say `degraded` with the reason `redis_unreachable` on /healthz (200), and
    each still serves its own: the requests are answered, a call made through A reaches
    A's screen, one made through B reaches B's;
    WHEN Redis is back THEN /healthz says `ok` again and, without restarting anything, a
    call made through A reaches B's screen and one through B reaches A's.
    """
    proxy = tcp_proxy(target_of(redis_url, 6379))
    env = {
        "MOTCUA_REDIS_URL": proxy.url(redis_url),
        "MOTCUA_REDIS_CHANNEL": f"motcua-e2e-{secrets.token_hex(4)}",
    }
    a, b = start_hub(postgres_site, "a", "b", extra_env=env)
    floor = Floor(postgres_site, open_counters(a, postgres_site))
    with CallListener(a.url) as screen_a, CallListener(b.url) as screen_b:
        screens = {"a": screen_a, "b": screen_b}
        check_fan_out(floor, [(a, screen_b), (b, screen_a)])
        for fault in (proxy.cut, proxy.stall):
            fault()
            for hub in (a, b):
                answer = wait_health(hub, "degraded")
                assert answer["reasons"] == ["redis_unreachable"], answer
            for hub in (a, b):
                own = floor.call(hub)  # answered: a request never waits on Redis for good
                missing = screens[hub.name].wait_for({own}, SEEN_TIMEOUT_S)
                assert not missing, f"{hub.name}'s own screen missed its call without Redis"

            proxy.restore()
            for hub in (a, b):
                assert wait_health(hub, "ok") == {"status": "ok"}
            check_fan_out(floor, [(a, screen_b), (b, screen_a)])
    for hub in (a, b):
        log = hub.log_text()
        assert "Traceback" not in log and "MonkeyPatchWarning" not in log, hub.log_tail(8000)


def check_fan_out(floor: Floor, routes: list[tuple[HubProcess, CallListener]]) -> None:
    """A call made through each hub reaches the screen of the other (bounded; each try is
    a new call, as one made just before a resubscription is not delivered)."""
    for source, screen in routes:
        deadline = time.monotonic() + RESUME_TIMEOUT_S
        while screen.wait_for({floor.call(source)}, SEEN_TIMEOUT_S):
            assert time.monotonic() < deadline, f"no fan-out from {source.name}"
