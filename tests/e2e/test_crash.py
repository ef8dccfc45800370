"""``kill -9`` of ``motcua serve`` under load loses nothing and duplicates nothing.

quality.md, "Faults we must survive": after a restart no issued ticket is lost,
no number is issued twice, no ticket is called by two counters; api.md: login
tokens, open counters and their current tickets survive a ``kill -9``.
"""

from __future__ import annotations

import secrets
import threading
import time
from typing import Any

import pytest
import requests

from tests.e2e.invariants import MAX_CALL_ATTEMPTS, check_after_crash, open_counters
from tests.e2e.support import (
    ApiClient,
    Called,
    HubProcess,
    Issued,
    LoadLog,
    Site,
    StartHub,
    issue_plan,
)

ISSUERS = 4
PER_ISSUER = 400  # bounds each kiosk thread; the kill comes long before
KILL_WHEN_ISSUED = 40
KILL_WHEN_CALLED = 12
LOAD_TIMEOUT_S = 60.0
JOIN_TIMEOUT_S = 40.0  # a request may wait 10 s for SQLite's lock, then time out at 30 s


class Load:
    """Kiosk and counter threads hammering the hubs (each request to the next one alive)
    until one dies under them; the threads go on with the others."""

    def __init__(self, hubs: list[HubProcess], site: Site, tokens: dict[str, str]) -> None:
        self.hubs = hubs
        self.site = site
        self.tokens = tokens
        self.log = LoadLog()
        self.stop = threading.Event()
        self.dead: set[str] = set()
        """Names of the hubs killed (set before the kill: a failure there is expected)."""
        self.threads = [
            threading.Thread(target=self.kiosk, args=(k,), daemon=True) for k in range(ISSUERS)
        ] + [threading.Thread(target=self.counter, args=(c,), daemon=True) for c in tokens]

    def _pick(self, turn: int) -> HubProcess | None:
        alive = [h for h in self.hubs if h.name not in self.dead]
        return alive[turn % len(alive)] if alive else None

    def _send(
        self, clients: dict[str, ApiClient], turn: int, path: str, body: Any = None
    ) -> tuple[HubProcess, requests.Response | None] | None:
        """One request to the hub whose turn it is; ``None`` once every hub is dead.
        The answer is ``None`` when that hub was killed under the request."""
        hub = self._pick(turn)
        if hub is None or self.stop.is_set():
            return None
        try:
            return hub, clients[hub.name].request("POST", path, json=body)
        except requests.RequestException as err:
            if hub.name not in self.dead:
                self.log.add_error(f"{path} on {hub.name}, alive: {err}")
                return None
            return hub, None  # not acknowledged: it may or may not have happened

    def kiosk(self, k: int) -> None:
        services = list(self.site.config.services)
        plan = issue_plan(PER_ISSUER, services[k % 3 :] + services[: k % 3])
        clients = {h.name: ApiClient(h.url, self.site.kiosk_token) for h in self.hubs}
        try:
            for turn, (service, priority) in enumerate(plan, start=k):
                sent = self._send(
                    clients, turn, "/tickets", {"service": service, "priority": priority}
                )
                if sent is None:
                    return
                hub, response = sent
                if response is None:
                    continue
                if response.status_code == 201:
                    self.log.add_issued(Issued(response.json(), hub.name))
                else:
                    self.log.add_error(f"issue: {response.status_code} {response.text[:200]}")
        finally:
            for client in clients.values():
                client.close()

    def counter(self, counter_id: str) -> None:
        clients = {h.name: ApiClient(h.url, self.tokens[counter_id]) for h in self.hubs}
        try:
            for turn in range(MAX_CALL_ATTEMPTS):
                sent = self._send(clients, turn, f"/counters/{counter_id}/call-next")
                if sent is None:
                    return
                hub, response = sent
                if response is None:
                    continue
                if response.status_code == 200:
                    self.log.add_called(Called(counter_id, response.json(), hub.name))
                elif response.status_code == 204:
                    time.sleep(0.02)  # the kiosks are still issuing; ask again
                else:
                    self.log.add_error(f"call-next: {response.status_code} {response.text[:200]}")
        finally:
            for client in clients.values():
                client.close()

    def _wait_for(self, issued: int, called: int, what: str) -> None:
        deadline = time.monotonic() + LOAD_TIMEOUT_S
        while time.monotonic() < deadline:
            now_issued, now_called = self.log.counts()
            if now_issued >= issued and now_called >= called:
                return
            if self.log.errors:
                raise AssertionError(f"errors under load: {self.log.errors[:5]}")
            time.sleep(0.02)
        raise AssertionError(f"{what}: {self.log.counts()} (issued, called)")

    def run_and_kill(self, victim: HubProcess, after: tuple[int, int] = (0, 0)) -> None:
        """Load until enough is issued and called, ``kill -9`` of ``victim``, then on
        until ``after`` more (issued, called) went through the others, and stop."""
        for thread in self.threads:
            thread.start()
        self._wait_for(KILL_WHEN_ISSUED, KILL_WHEN_CALLED, "load never built up")
        if not all(t.is_alive() for t in self.threads):
            raise AssertionError("a load thread ended before the kill: the kill was not under load")
        self.dead.add(victim.name)
        victim.kill()
        issued, called = self.log.counts()
        self._wait_for(issued + after[0], called + after[1], "the others did not carry on")
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=JOIN_TIMEOUT_S)
        if any(t.is_alive() for t in self.threads):
            raise AssertionError("load threads still running after the kill")


def test_kill_9_under_load_loses_nothing(any_site: Site, start_hub: StartHub) -> None:
    """GIVEN one hub with 3 open counters, 4 kiosks issuing and the counters calling next
    WHEN the hub gets SIGKILL mid-load and is restarted on the same database
    THEN every 201 ticket exists with its number, no number was issued twice, no ticket
    was called twice, the counters are open with the same staff, the old tokens work,
    and the next ticket of each field is the last number + 1.
    """
    site = any_site
    (hub,) = start_hub(site, "crash")
    tokens = open_counters(hub, site)

    load = Load([hub], site, tokens)
    load.run_and_kill(hub)
    assert not load.log.errors, load.log.errors

    hub.start()  # same database, new process (and port)
    check_after_crash(site, hub, tokens, load.log)


@pytest.mark.postgres
@pytest.mark.redis
def test_kill_9_of_one_of_two_processes_loses_nothing(
    postgres_site: Site, redis_url: str, start_hub: StartHub
) -> None:
    """GIVEN two `motcua serve` processes on one PostgreSQL with Redis, 3 open counters,
    4 kiosks issuing and the counters calling next, each request to the next process
    WHEN one process gets SIGKILL mid-load
    THEN the other carries the whole load on (more tickets issued and called through it);
    every 201 ticket exists with its number, no number was issued twice, no ticket was
    called twice (per the answers and per the calls table), the counters are open with
    the same staff, and after the killed process restarts the old tokens work on it and
    each field's next number is the last + 1.
    """
    site = postgres_site
    channel = f"motcua-e2e-{secrets.token_hex(4)}"
    extra_env = {"MOTCUA_REDIS_URL": redis_url, "MOTCUA_REDIS_CHANNEL": channel}
    victim, survivor = start_hub(site, "victim", "survivor", extra_env=extra_env)
    tokens = open_counters(survivor, site)

    load = Load([victim, survivor], site, tokens)
    load.run_and_kill(victim, after=(KILL_WHEN_ISSUED // 2, KILL_WHEN_CALLED // 2))
    assert not load.log.errors, load.log.errors
    assert {i.hub for i in load.log.issued} == {"victim", "survivor"}
    assert {c.hub for c in load.log.called} == {"victim", "survivor"}

    victim.start()
    check_after_crash(site, victim, tokens, load.log)
