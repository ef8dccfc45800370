"""A pad cannot back-date a press: a press placed more than ``window_s`` before the hub
received it is flagged ``clock`` unless the hub heard nothing from that pad from the
press until shortly before (an outage: the pad's outbox delivers it late, with its
true time); SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from hub.store.db import read
from hub.store.tables import ratings
from kiosk.kit.outbox import Outbox

BEAT_S = 60
"""The rating pad's heartbeat (``[rating_pad] heartbeat_s``)."""


def beat(api, pad: dict[str, str]) -> None:
    r = api.post("/devices/heartbeat", pad, json={"version": "0.2.0"})
    assert r.status_code == 204, r.json


def serve(api, kiosk, staff) -> tuple[dict, datetime]:
    """A ticket served at counter 1 and (about) when it was completed."""
    ticket = api.issue(kiosk)
    api.post("/counters/1/open", staff)
    api.post("/counters/1/call-next", staff)
    api.post("/counters/1/complete", staff)
    return ticket, api.hub.clock()


def stored(hub) -> list:
    with read(hub.engine) as conn:
        return list(conn.execute(select(ratings)))


def test_a_pad_in_touch_with_the_hub_cannot_back_date(api, hub, clock) -> None:
    """GIVEN a pad that beats every minute WHEN, 15 minutes after a ticket was completed,
    it sends a press dated one second after that completion THEN the press is kept but
    flagged ``clock``: it does not count in the rates."""
    kiosk, staff = api.device("k", "kiosk"), api.user("canbo1")
    pad = api.device("pad1", "rating-pad", "1")
    beat(api, pad)
    ticket, completed = serve(api, kiosk, staff)
    for _ in range(15):
        clock.advance(BEAT_S)
        beat(api, pad)

    at = (completed + timedelta(seconds=1)).isoformat()
    r = api.post("/ratings", pad, json={"key": "pad1.back.0001", "level": "very_satisfied",
                                        "at": at})  # fmt: skip

    (row,) = stored(hub)
    assert r.status_code == 201 and r.json["ticket_id"] == ticket["id"]
    assert row.flags == ["clock"] and row.flagged


@pytest.mark.parametrize("beat_first", [False, True], ids=["press-first", "beat-first"])
def test_a_press_delivered_after_an_outage_is_accepted(
    api, hub, clock, tmp_path, beat_first
) -> None:
    """GIVEN a pad pressed five seconds after a completion, whose outbox could not reach
    the hub for 20 minutes WHEN the outbox delivers the press as it stored it (its true
    time and the clock offset the pad measured), before or after the pad's first
    heartbeat THEN the press links to that ticket, unflagged."""
    kiosk, staff = api.device("k", "kiosk"), api.user("canbo1")
    pad = api.device("pad1", "rating-pad", "1")
    beat(api, pad)
    ticket, completed = serve(api, kiosk, staff)
    clock.advance(20 * 60)
    if beat_first:
        beat(api, pad)
        clock.advance(30)
    outbox = Outbox(tmp_path / "outbox.db", "pad1", boot_id="boot-1")
    outbox.set_clock_offset(40.0)  # the pad's clock is 40 s slow
    pad_wall = completed + timedelta(seconds=5) - timedelta(seconds=40)
    outbox.add("1", "satisfied", pad_wall)
    items = [p.wire() for p in outbox.due(pad_wall + timedelta(days=1))]
    outbox.close()

    r = api.post("/ratings/batch", pad, json={"ratings": items})

    assert r.json["results"][0]["status"] == "created"
    (row,) = stored(hub)
    assert row.ticket_id == ticket["id"] and row.flags is None and not row.flagged
