"""Two ``motcua serve`` processes on one database: numbers and calls stay unique.

Kiosks issue through both processes at once, then three counters race
``call-next`` across both. Numbers are decided by the database (``BEGIN
IMMEDIATE`` on SQLite, row locks on PostgreSQL), so no process may hand out a
number or a call that the other already did.
"""

from __future__ import annotations

import threading
import uuid
from collections import Counter, defaultdict
from typing import Any

import pytest

from tests.e2e.screens import CallListener
from tests.e2e.support import (
    STAFF,
    ApiClient,
    Called,
    HubProcess,
    Issued,
    LoadLog,
    Site,
    SiteConfig,
    StartHub,
    issue_plan,
    login_token,
    run_threads,
    ticket_key,
)

TICKETS = 104
ISSUER_THREADS = 8
COUNTERS = ("1", "2", "3")
MAX_CALLS_PER_COUNTER = TICKETS + 5


def issue_through(hubs: list[HubProcess], token: str, log: LoadLog) -> None:
    """``ISSUER_THREADS`` kiosks, each alternating between the hub processes."""
    plan = issue_plan(TICKETS, ["dat-dai", "tu-phap", "kinh-doanh"])
    chunks = [plan[i::ISSUER_THREADS] for i in range(ISSUER_THREADS)]
    start = threading.Barrier(ISSUER_THREADS)

    def kiosk(k: int) -> None:
        clients = [ApiClient(h.url, token) for h in hubs]
        try:
            start.wait(timeout=30)
            for i, (service, priority) in enumerate(chunks[k]):
                j = (k + i) % len(hubs)
                response = clients[j].request(
                    "POST", "/tickets", json={"service": service, "priority": priority}
                )
                if response.status_code != 201:
                    log.add_error(f"issue {service}: {response.status_code} {response.text}")
                    continue
                log.add_issued(Issued(response.json(), hubs[j].name))
        finally:
            for client in clients:
                client.close()

    run_threads([lambda k=k: kiosk(k) for k in range(ISSUER_THREADS)], timeout_s=120)


def race_counters(hubs: list[HubProcess], tokens: dict[str, str], log: LoadLog) -> None:
    """Each counter calls next, alternating processes, until it hears 204."""
    start = threading.Barrier(len(tokens))

    def counter(counter_id: str) -> None:
        clients = [ApiClient(h.url, tokens[counter_id]) for h in hubs]
        try:
            start.wait(timeout=30)
            for i in range(MAX_CALLS_PER_COUNTER):
                j = i % len(hubs)
                response = clients[j].request("POST", f"/counters/{counter_id}/call-next")
                if response.status_code == 204:
                    return
                if response.status_code != 200:
                    log.add_error(f"call-next {counter_id}: {response.status_code} {response.text}")
                    return
                log.add_called(Called(counter_id, response.json(), hubs[j].name))
            log.add_error(f"counter {counter_id} never heard 204")
        finally:
            for client in clients:
                client.close()

    run_threads([lambda c=c: counter(c) for c in tokens], timeout_s=120)


def open_counters(site: Site, hubs: list[HubProcess]) -> dict[str, str]:
    """Staff n logs in on one process and opens counter n on the other."""
    tokens: dict[str, str] = {}
    for n, (counter_id, user) in enumerate(zip(COUNTERS, STAFF, strict=True)):
        token = login_token(hubs[n % 2].url, user, site.passwords[user])
        with ApiClient(hubs[(n + 1) % 2].url, token) as api:
            api.open_counter(counter_id)
        tokens[counter_id] = token
    return tokens


def check_numbers(config: SiteConfig, issued: list[Issued]) -> None:
    """Distinct numbers per field and day, contiguous from the field's start."""
    by_day: dict[tuple[str, Any], list[int]] = defaultdict(list)
    for item in issued:
        t = item.ticket
        numbering = config.services[t["service"]["id"]]
        by_day[(numbering.id, config.local_day(t["issued_at"]))].append(numbering.seq(t["number"]))
    for (service_id, day), seqs in by_day.items():
        start = config.services[service_id].start
        dupes = [s for s, n in Counter(seqs).items() if n > 1]
        assert not dupes, f"{service_id} on {day}: numbers issued twice: {dupes}"
        assert sorted(seqs) == list(range(start, start + len(seqs))), (
            f"{service_id} on {day}: numbers not contiguous from {start}: {sorted(seqs)}"
        )


def check_called_once(hub: HubProcess, issued: list[Issued], called: list[Called]) -> None:
    """Every issued ticket was called exactly once, by the counter that says so."""
    ids = {ticket_key(i.ticket): i.ticket["id"] for i in issued}
    called_keys = [ticket_key(c.ticket) for c in called]
    twice = [k for k, n in Counter(called_keys).items() if n > 1]
    assert not twice, f"tickets called more than once: {twice}"
    assert set(called_keys) == set(ids), (
        f"never called: {sorted(set(ids) - set(called_keys))}; "
        f"called but never issued: {sorted(set(called_keys) - set(ids))}"
    )
    with ApiClient(hub.url) as api:
        for call in called:
            now = api.ticket(ids[ticket_key(call.ticket)])
            assert now["status"] == "done", now  # the next call-next (or the 204) completed it
            assert now["counter"]["id"] == call.counter, now
            assert now["number"] == call.ticket["number"], now
        for counter_id, view in api.counters().items():
            assert view["status"] == "open", view
            assert "current" not in view or view["current"] is None, (counter_id, view)


def check_called_by_serving_counters(config: SiteConfig, called: list[Called]) -> None:
    for call in called:
        assert call.ticket["service"]["id"] in config.counters[call.counter], call


def run_scenario(site: Site, hubs: list[HubProcess]) -> LoadLog:
    log = LoadLog()
    issue_through(hubs, site.kiosk_token, log)
    assert not log.errors, log.errors
    assert len(log.issued) == TICKETS
    assert {i.hub for i in log.issued} == {h.name for h in hubs}
    check_numbers(site.config, log.issued)

    tokens = open_counters(site, hubs)
    race_counters(hubs, tokens, log)
    assert not log.errors, log.errors
    check_called_by_serving_counters(site.config, log.called)
    check_called_once(hubs[0], log.issued, log.called)
    # Each process really served calls, and more than one counter really raced.
    assert {c.hub for c in log.called} == {h.name for h in hubs}
    assert len({c.counter for c in log.called}) == len(COUNTERS)
    return log


def test_two_hubs_share_one_sqlite_file(sqlite_site: Site, start_hub: StartHub) -> None:
    """GIVEN two `motcua serve` processes on the same SQLite data folder
    WHEN 8 kiosks issue 104 tickets through both at once, then 3 counters race call-next
    across both until 204
    THEN numbers are distinct and contiguous per field, and every ticket is called exactly
    once, by the counter its ticket now names.
    """
    hubs = start_hub(sqlite_site, "a", "b")
    run_scenario(sqlite_site, hubs)


@pytest.mark.postgres
@pytest.mark.redis
def test_two_hubs_share_postgres_and_redis(
    postgres_site: Site, redis_url: str, start_hub: StartHub
) -> None:
    """GIVEN two `motcua serve` processes on one PostgreSQL schema, with Redis as the
    Socket.IO message queue, and a screen connected (websocket) to process A only
    WHEN kiosks issue through both and 3 counters race call-next across both
    THEN numbers are distinct and contiguous, every ticket is called exactly once, and
    the screen on A receives a `call` event for every call, including those sent to B.
    """
    channel = f"motcua-test-{uuid.uuid4().hex[:8]}"  # runs sharing a Redis stay apart
    hubs = start_hub(
        postgres_site,
        "a",
        "b",
        extra_env={"MOTCUA_REDIS_URL": redis_url, "MOTCUA_REDIS_CHANNEL": channel},
    )
    with CallListener(hubs[0].url) as screen:
        log = run_scenario(postgres_site, hubs)
        wanted = {(c.ticket["number"], c.counter) for c in log.called}
        on_b = {(c.ticket["number"], c.counter) for c in log.called if c.hub == "b"}
        assert on_b, "no call-next went to process B"
        missing = screen.wait_for(wanted, timeout_s=15)
        assert not missing, f"calls never pushed to the screen on A: {sorted(missing)}"
        with screen.lock:
            ours = [c for c in screen.calls if (c["number"], c["counter"]["id"]) in wanted]
        assert all("id" not in c for c in ours), "a public call payload carries a ticket id"
        seqs = [c["seq"] for c in ours]
        assert len(set(seqs)) == len(seqs), "two calls share a seq"
        assert not any(c["recall"] for c in ours)
