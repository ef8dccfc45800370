"""What no fault may break, checked on a hub's answers and its database.

quality.md, "Faults we must survive": no issued ticket is lost, no number is
issued twice, no ticket is called by two counters; api.md: login tokens, open
counters and their current tickets survive a ``kill -9``. The fault tests
(``test_crash``, ``test_storage_faults``) load the hubs, break something, then
check all of it here.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from tests.e2e.support import (
    STAFF,
    ApiClient,
    Called,
    HubProcess,
    Issued,
    LoadLog,
    Site,
    display_name,
    login_token,
    ticket_key,
)

COUNTERS = {"1": STAFF[0], "2": STAFF[1], "3": STAFF[2]}
"""The counters the fault tests open, and who opens each."""
MAX_CALL_ATTEMPTS = 2000


def numbers_in_db(site: Site) -> list[tuple[str, str, int, str]]:
    """(field, day, seq, number) of every ticket row, read from the database itself."""
    rows = site.db.rows("SELECT origin_service_id, day, seq, number FROM tickets")
    return [(str(s), str(d), int(q), str(n)) for s, d, q, n in rows]


def check_numbering(site: Site) -> dict[tuple[str, str], int]:
    """No number twice a day; each field's day is contiguous from its start. Returns max seqs."""
    rows = numbers_in_db(site)
    per_day = Counter((day, number) for _, day, _, number in rows)
    twice = [key for key, n in per_day.items() if n > 1]
    assert not twice, f"numbers issued twice: {twice}"
    seqs: dict[tuple[str, str], list[int]] = defaultdict(list)
    for service, day, seq, number in rows:
        numbering = site.config.services[service]
        assert numbering.number(seq) == number, (service, seq, number)
        seqs[(service, day)].append(seq)
    for (service, day), values in seqs.items():
        start = site.config.services[service].start
        assert sorted(values) == list(range(start, start + len(values))), (service, day, values)
    return {key: max(values) for key, values in seqs.items()}


def check_single_calls(site: Site, called: list[Called]) -> None:
    """No ticket called by two counters: per the answers, and per the display's call log."""
    answered_twice = [k for k, n in Counter(ticket_key(c.ticket) for c in called).items() if n > 1]
    assert not answered_twice, f"call-next answered the same ticket twice: {answered_twice}"
    rows = site.db.rows(
        "SELECT ticket_id, COUNT(*), COUNT(DISTINCT counter_id) FROM calls "
        "WHERE recall = false GROUP BY ticket_id HAVING COUNT(*) > 1"
    )
    assert not rows, f"tickets called more than once (ticket, calls, counters): {rows}"


def check_tickets_survived(hub: HubProcess, issued: list[Issued], called: list[Called]) -> None:
    """Every 201 ticket exists with its number and field, served to the end; every
    200 call kept its counter."""
    counter_of = {ticket_key(c.ticket): c.counter for c in called}
    with ApiClient(hub.url) as api:
        for item in issued:
            now = api.ticket(item.ticket["id"])
            assert now["number"] == item.ticket["number"], (item.ticket, now)
            assert now["service"]["id"] == item.ticket["service"]["id"], (item.ticket, now)
            assert now["status"] == "done", now
            if ticket_key(item.ticket) in counter_of:
                assert now["counter"]["id"] == counter_of[ticket_key(item.ticket)], now


def check_counters_after_restart(counters: dict[str, dict[str, Any]], called: list[Called]) -> None:
    """Still open by the same staff; no two serve one ticket; none serves another's call."""
    for counter_id, user in COUNTERS.items():
        assert counters[counter_id]["status"] == "open", counters[counter_id]
        assert counters[counter_id]["staff"] == display_name(user), counters[counter_id]
    current = {c: v["current"]["number"] for c, v in counters.items() if v.get("current")}
    assert len(set(current.values())) == len(current), f"one ticket at two counters: {current}"
    caller = {c.ticket["number"]: c.counter for c in called}
    for counter_id, number in current.items():
        assert caller.get(number, counter_id) == counter_id, (counter_id, number, caller[number])


def drain(hub: HubProcess, tokens: dict[str, str], log: LoadLog) -> None:
    """Each counter calls next with its pre-crash token until nobody waits."""
    for counter_id, token in tokens.items():
        with ApiClient(hub.url, token) as api:
            for _ in range(MAX_CALL_ATTEMPTS):
                ticket = api.call_next(counter_id)  # a dead token would be a 401 here
                if ticket is None:
                    break
                log.add_called(Called(counter_id, ticket, hub.name))
            else:
                raise AssertionError(f"counter {counter_id} never emptied")


def open_counters(hub: HubProcess, site: Site) -> dict[str, str]:
    """Each staff member logs in and opens their counter; their tokens by counter."""
    tokens: dict[str, str] = {}
    for counter_id, user in COUNTERS.items():
        tokens[counter_id] = login_token(hub.url, user, site.passwords[user])
        with ApiClient(hub.url, tokens[counter_id]) as api:
            api.open_counter(counter_id)
    return tokens


def check_after_crash(site: Site, hub: HubProcess, tokens: dict[str, str], log: LoadLog) -> None:
    """What a crash must leave, checked through ``hub`` (alive) and the database: every 201
    ticket stored, no number twice, no ticket called twice, the counters open with the
    same staff and tokens, each field's next number the last + 1, and after draining
    every ticket done at the counter that called it."""
    stored = {row[0] for row in site.db.rows("SELECT id FROM tickets")}
    lost = [i.ticket["number"] for i in log.issued if i.ticket["id"] not in stored]
    assert not lost, f"tickets answered 201 but gone after kill -9: {lost}"
    last = check_numbering(site)
    check_single_calls(site, log.called)
    with ApiClient(hub.url) as api:
        counters = api.counters()
    check_counters_after_restart(counters, log.called)

    # New tickets continue each field's numbering of the day.
    with ApiClient(hub.url, site.kiosk_token) as kiosk:
        for service_id, numbering in site.config.services.items():
            ticket = kiosk.issue(service_id)
            day = str(site.config.local_day(ticket["issued_at"]))
            previous = last.get((service_id, day), numbering.start - 1)
            assert ticket["number"] == numbering.number(previous + 1), (service_id, ticket)
            log.add_issued(Issued(ticket, hub.name))

    drain(hub, tokens, log)
    check_single_calls(site, log.called)
    check_numbering(site)
    check_tickets_survived(hub, log.issued, log.called)
    left = site.db.rows("SELECT COUNT(*) FROM tickets WHERE status IN ('waiting', 'called')")
    assert left == [(0,)], f"tickets left waiting or called after draining: {left}"
