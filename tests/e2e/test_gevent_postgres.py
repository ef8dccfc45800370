"""One query waiting on PostgreSQL never freezes the served process.

``motcua serve``'s master imports psycopg (to migrate) before gevent patches the
forked worker; psycopg then keeps the C ``poll()`` it chose at import, and a query
waiting on a lock blocks every greenlet of the worker: screens, kiosks, /healthz.
``hub.store.offload.cooperative_psycopg`` makes it wait through gevent. Measured
before that fix: /healthz stalled for the whole 2 s of the lock below.
"""

from __future__ import annotations

import threading
import time

import psycopg
import pytest
import requests

from tests.e2e.support import ApiClient, Site, StartHub

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

LOCK_S = 2.0
STALL_LIMIT_S = 0.5


def test_a_ticket_waiting_on_a_table_lock_does_not_stall_other_requests(
    postgres_site: Site, start_hub: StartHub
) -> None:
    """GIVEN the served hub on PostgreSQL and another session holding the tickets
    table's ACCESS EXCLUSIVE lock for 2 s WHEN a kiosk asks for a ticket (it waits
    for the lock) THEN /healthz keeps answering within half a second all along, and
    the ticket is issued once the lock is gone."""
    (hub,) = start_hub(postgres_site, "pg")
    service = next(iter(postgres_site.config.services))
    issued: list[tuple[int, float]] = []
    with psycopg.connect(postgres_site.db.target) as locker:
        locker.execute("LOCK TABLE tickets IN ACCESS EXCLUSIVE MODE")
        unlocked_at = time.monotonic() + LOCK_S
        release = threading.Timer(LOCK_S, locker.rollback)
        release.start()
        with ApiClient(hub.url, postgres_site.kiosk_token) as kiosk:

            def issue() -> None:
                answer = kiosk.request("POST", "/tickets", json={"service": service})
                issued.append((answer.status_code, time.monotonic()))

            waiter = threading.Thread(target=issue)
            waiter.start()
            worst = _worst_healthz_latency(hub.url, LOCK_S + 0.5)
            release.join()
            waiter.join(timeout=30)
    assert worst < STALL_LIMIT_S, f"/healthz stalled {worst:.3f} s while a query waited"
    [(status, answered_at)] = issued
    assert status == 201
    assert answered_at >= unlocked_at - 0.1, "the ticket should have waited for the lock"


def _worst_healthz_latency(base_url: str, for_s: float) -> float:
    worst = 0.0
    end = time.monotonic() + for_s
    with requests.Session() as session:
        while time.monotonic() < end:
            start = time.monotonic()
            session.get(f"{base_url}/healthz", timeout=10).raise_for_status()
            worst = max(worst, time.monotonic() - start)
            time.sleep(0.02)
    return worst
