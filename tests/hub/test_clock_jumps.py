"""The hub's clock jumps forward and back (a Pi without a clock battery, corrected by
NTP mid-morning): the queue keeps the order tickets were issued in, and a rating links
to the ticket the counter completed last (issue 12, "Faults"); SQLite and PostgreSQL.

The hub's own clock is the lowest real boundary here: every service reads "now"
from it (``FakeClock``), so it is set back and forth as the system clock would be.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from hub.store.db import read
from hub.store.tables import tickets

OPENING = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)  # 08:00 in Hà Nội


def _call(api, staff, counter: str = "3") -> str | None:
    r = api.post(f"/counters/{counter}/call-next", staff)
    assert r.status_code in (200, 204), r.json
    return None if r.status_code == 204 else r.json["number"]


def test_queue_keeps_issue_order_when_the_clock_jumps(api, hub, clock) -> None:
    """GIVEN tickets issued at 08:00, then after the clock jumped two hours forward, then
    after it jumped back to 08:05 (both across the counter's fields)
    WHEN the counter calls next until nobody waits
    THEN they are called in the order they were issued, each ticket counts those issued
    before it as ahead of it, and no wait is negative."""
    kiosk, staff = api.device("k", "kiosk"), api.user("canbo1")
    assert api.post("/counters/3/open", staff).status_code == 200
    issued = []
    for when, service in [
        (OPENING, "dat-dai"),
        (OPENING + timedelta(seconds=30), "tu-phap"),
        (OPENING + timedelta(hours=2), "dat-dai"),  # NTP stepped forward
        (OPENING + timedelta(minutes=5), "kinh-doanh"),  # and back
        (OPENING + timedelta(minutes=5, seconds=20), "dat-dai"),
    ]:
        clock.set(when)
        issued.append(api.issue(kiosk, service))

    for ahead, ticket in enumerate(issued):
        r = api.get(f"/tickets/{ticket['id']}")
        # Counter 3, the only one open, serves all three fields: all earlier tickets go first.
        assert r.json["waiting_ahead"] == ahead, (ticket["number"], r.json)
    called = []
    while (number := _call(api, staff)) is not None:
        called.append(number)
    assert called == [t["number"] for t in issued]
    with read(hub.engine) as conn:
        waits = [r[0] for r in conn.execute(select(tickets.c.wait_s))]
    assert min(waits) >= 0, waits


def test_rating_links_to_the_ticket_completed_last_when_the_clock_went_back(
    api, hub, clock
) -> None:
    """GIVEN counter 1 completes A at 08:10:00, then the clock steps back 30 s, and B is
    completed at 08:09:50 by the clock
    WHEN the pad's press arrives at 08:10:05, within the window of both
    THEN it is B's rating: B is the ticket the counter completed last, though A's
    completion time reads later."""
    kiosk, staff = api.device("k", "kiosk"), api.user("canbo1")
    pad = api.device("pad1", "rating-pad", "1")
    clock.set(OPENING)
    a, b = api.issue(kiosk), api.issue(kiosk)
    assert api.post("/counters/1/open", staff).status_code == 200
    assert _call(api, staff, "1") == a["number"]
    clock.set(OPENING + timedelta(minutes=10))
    assert _call(api, staff, "1") == b["number"]  # completes A
    clock.set(OPENING + timedelta(minutes=9, seconds=30))  # the step back
    clock.advance(20)
    assert api.post("/counters/1/complete", staff).status_code == 200  # B

    clock.set(OPENING + timedelta(minutes=10, seconds=5))
    r = api.post("/ratings", pad, json={"key": "pad1.jump.0001", "level": "satisfied"})

    assert r.status_code == 201, r.json
    assert r.json["ticket_id"] == b["id"]
    with read(hub.engine) as conn:
        service = conn.execute(select(tickets.c.service_s).where(tickets.c.id == b["id"]))
        assert service.scalar_one() >= 0
