"""PostgreSQL restarted under load: every request succeeds or fails cleanly, and the
hub reconnects by itself (issue 12, "Faults").

The shared PostgreSQL of the machine must go on serving other work, so its
restart is emulated where the hub meets it: the hub reaches PostgreSQL through a
TCP proxy (``tests.support.tcp_proxy``). First every connection of the hub is
terminated by the server (``pg_terminate_backend``, what a restart's shutdown
does to each session), then the proxy resets every connection and refuses new
ones for a few seconds (the server down), then listens again (the server back).
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import Counter
from collections.abc import Callable

import psycopg
import pytest
import requests

from tests.e2e.invariants import (
    MAX_CALL_ATTEMPTS,
    check_numbering,
    check_single_calls,
    check_tickets_survived,
    drain,
    open_counters,
)
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
from tests.support.tcp_proxy import TcpProxy, target_of

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

ISSUERS = 3
PER_ISSUER = 400  # bounds each kiosk thread; the test stops them long before
RETRY_PAUSE_S = 0.1
PHASE_TIMEOUT_S = 30.0
DOWN_S = 2.0
"""How long PostgreSQL stays down once the load has felt it."""
UNAVAILABLE = "database_unavailable"


class Tally:
    """Every answer the load got: (request, status, error code) → how many."""

    def __init__(self) -> None:
        self.counts: Counter[tuple[str, int, str | None]] = Counter()
        self.lock = threading.Lock()

    def add(self, what: str, response: requests.Response) -> None:
        code = None
        if response.status_code >= 400:
            try:
                code = response.json()["error"]["code"]
            except (ValueError, KeyError, TypeError):
                code = f"not an error body: {response.text[:100]!r}"
        with self.lock:
            self.counts[(what, response.status_code, code)] += 1

    def unavailable(self) -> int:
        with self.lock:
            return sum(n for (_, status, _), n in self.counts.items() if status == 503)


class RetryingLoad:
    """Kiosks and counters that go on through an outage as the real agents do: a kiosk
    sends a ticket request again with the same idempotency key until the hub answers
    for it; a counter calls again."""

    def __init__(self, hub: HubProcess, site: Site, tokens: dict[str, str]) -> None:
        self.hub = hub
        self.site = site
        self.tokens = tokens
        self.log = LoadLog()
        self.tally = Tally()
        self.stop = threading.Event()
        self.threads = [
            threading.Thread(target=self.kiosk, args=(k,), daemon=True) for k in range(ISSUERS)
        ] + [threading.Thread(target=self.counter, args=(c,), daemon=True) for c in tokens]

    def _post(self, api: ApiClient, what: str, path: str, body: object = None) -> requests.Response:
        """POST until an answer other than 503 (the outage), or the stop."""
        while True:
            try:
                response = api.request("POST", path, json=body)
            except requests.RequestException as err:  # the hub itself never goes away here
                self.log.add_error(f"{what}: {err}")
                raise
            self.tally.add(what, response)
            if response.status_code != 503 or self.stop.wait(RETRY_PAUSE_S):
                return response

    def kiosk(self, k: int) -> None:
        services = list(self.site.config.services)
        with ApiClient(self.hub.url, self.site.kiosk_token) as api:
            for i, (service, priority) in enumerate(issue_plan(PER_ISSUER, services)):
                if self.stop.is_set():
                    return
                body = {"service": service, "priority": priority, "key": f"kiosk{k}-{i:04d}"}
                response = self._post(api, "issue", "/tickets", body)
                if response.status_code in (200, 201):  # 200: an earlier try was applied
                    self.log.add_issued(Issued(response.json(), self.hub.name))
                elif response.status_code != 503:  # 503 only when stopped mid-outage
                    self.log.add_error(f"issue: {response.status_code} {response.text[:200]}")

    def counter(self, counter_id: str) -> None:
        with ApiClient(self.hub.url, self.tokens[counter_id]) as api:
            for _ in range(MAX_CALL_ATTEMPTS):
                if self.stop.is_set():
                    return
                response = self._post(api, "call-next", f"/counters/{counter_id}/call-next")
                if response.status_code == 200:
                    self.log.add_called(Called(counter_id, response.json(), self.hub.name))
                elif response.status_code == 204:
                    self.stop.wait(0.02)
                elif response.status_code != 503:
                    self.log.add_error(f"call-next: {response.status_code} {response.text[:200]}")

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def finish(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=40)
        if any(t.is_alive() for t in self.threads):
            raise AssertionError("load threads still running after the stop")

    def grows(self, issued: int, called: int, what: str) -> None:
        """Wait (bounded) until ``issued`` more tickets and ``called`` more calls have
        gone through from now on."""
        base_issued, base_called = self.log.counts()

        def grown() -> bool:
            now_issued, now_called = self.log.counts()
            return now_issued >= base_issued + issued and now_called >= base_called + called

        until(grown, what, self)


def until(condition: Callable[[], bool], what: str, load: RetryingLoad) -> None:
    deadline = time.monotonic() + PHASE_TIMEOUT_S
    while time.monotonic() < deadline:
        if load.log.errors:
            raise AssertionError(f"errors under load: {load.log.errors[:5]}")
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"{what} within {PHASE_TIMEOUT_S} s: {load.log.counts()} (issued, called)")


def terminate_sessions(admin_url: str, application: str) -> int:
    """``pg_terminate_backend`` of every session of ``application``; how many."""
    with psycopg.connect(admin_url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE application_name = %s",
            (application,),
        ).fetchone()
    return int(row[0]) if row else 0


def test_postgres_restart_under_load(
    postgres_site: Site, start_hub: StartHub, tcp_proxy: Callable[[tuple[str, int]], TcpProxy]
) -> None:
    """GIVEN one hub on PostgreSQL, reached through a TCP proxy, with 3 kiosks issuing
    (each request with an idempotency key) and 3 counters calling next
    WHEN PostgreSQL terminates the hub's sessions, then goes down (connections reset,
    new ones refused) for a few seconds and comes back
    THEN every answer is a success or a 503 `database_unavailable` (never a 500, never a
    traceback in the log), `/healthz` says 503 while it is down, the hub serves again by
    itself each time, and nothing is half-applied: the stored tickets are exactly those
    the kiosks were answered for, each with one `issued` event, numbered without a gap
    or a repeat, none called twice, and every one served once the counters drain.
    """
    site = postgres_site
    application = f"motcua-e2e-{secrets.token_hex(4)}"
    proxy = tcp_proxy(target_of(site.db.target, 5432))
    hub_url = f"{proxy.url(site.db.target)}&application_name={application}"
    (hub,) = start_hub(site, "db", extra_env={"MOTCUA_DATABASE_URL": hub_url})
    tokens = open_counters(hub, site)
    load = RetryingLoad(hub, site, tokens)
    load.start()
    try:
        load.grows(20, 6, "the load did not build up")

        assert terminate_sessions(site.db.target, application) >= 1
        load.grows(15, 5, "the hub did not reconnect after its sessions were terminated")

        proxy.cut()
        felt = load.tally.unavailable()
        until(lambda: load.tally.unavailable() > felt, "no request felt the outage", load)
        health = requests.get(f"{hub.url}/healthz", timeout=10)
        assert health.status_code == 503, health.text
        assert health.json()["error"]["code"] == UNAVAILABLE
        time.sleep(DOWN_S)  # the outage's length, not a synchronisation
        proxy.restore()
        load.grows(20, 6, "the hub did not reconnect after PostgreSQL came back")
    finally:
        load.finish()

    assert not load.log.errors, load.log.errors
    answers = dict(load.tally.counts)
    wrong = {k: n for k, n in answers.items() if k[1] not in (200, 201, 204, 503)}
    assert not wrong, f"answers other than success or 503: {wrong}"
    codes = {code for (_, status, code) in answers if status == 503}
    assert codes == {UNAVAILABLE}, answers
    log = hub.log_text()
    assert "Traceback" not in log, hub.log_tail(8000)
    assert requests.get(f"{hub.url}/healthz", timeout=10).json() == {"status": "ok"}

    # Nothing half-applied, nothing lost, nothing extra.
    stored = {row[0] for row in site.db.rows("SELECT id FROM tickets")}
    answered = {i.ticket["id"] for i in load.log.issued}
    assert stored == answered, (
        f"stored, never answered: {stored - answered}; answered, not stored: {answered - stored}"
    )
    events = site.db.rows(
        "SELECT t.id, COUNT(e.id) FROM tickets t LEFT JOIN ticket_events e "
        "ON e.ticket_id = t.id AND e.kind = 'issued' GROUP BY t.id HAVING COUNT(e.id) <> 1"
    )
    assert not events, f"tickets without exactly one issued event: {events}"
    check_numbering(site)
    check_single_calls(site, load.log.called)
    drain(hub, tokens, load.log)
    check_single_calls(site, load.log.called)
    check_tickets_survived(hub, load.log.issued, load.log.called)
