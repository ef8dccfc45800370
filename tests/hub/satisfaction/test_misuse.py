"""Misuse flags through the API: bursts, presses with no ticket, one level's share, clocks."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from hub.satisfaction import rollup_add
from hub.store.db import read, write
from hub.store.tables import rating_presses, rating_rollups, ratings


@pytest.fixture
def database(sqlite_database):
    return sqlite_database


def actors(api) -> tuple[dict, dict, dict]:
    return api.device("k", "kiosk"), api.user("canbo1"), api.device("p", "rating-pad", "1")


def serve(api, kiosk, staff, counter: str = "1") -> dict:
    ticket = api.issue(kiosk)
    api.post(f"/counters/{counter}/open", staff)
    api.post(f"/counters/{counter}/call-next", staff)
    api.post(f"/counters/{counter}/complete", staff)
    return ticket


def rate(api, pad, key: str, level: str = "very_satisfied", **extra) -> dict:
    return api.post("/ratings", pad, json={"key": key, "level": level, **extra})


def stats(api, manager, flagged: bool = False) -> dict:
    q = "from=2026-11-01&to=2026-11-30&by=counter" + ("&include_flagged=true" if flagged else "")
    r = api.get(f"/stats/satisfaction?{q}", manager)
    assert r.status_code == 200, r.json
    return r.json


def test_burst_flags_the_rating_and_rates_leave_it_out(api, hub, clock) -> None:
    """GIVEN a rating just stored WHEN the pad is drummed 4 more times within 30 s THEN all five
    presses are kept, the rating is flagged "burst", the default rates leave it out and count
    it under ``flagged``, and ``include_flagged`` puts it back."""
    kiosk, staff, pad = (
        api.device("k", "kiosk"),
        api.user("canbo1"),
        api.device("p", "rating-pad", "1"),
    )
    manager = api.user("sep", "manager")
    serve(api, kiosk, staff)
    assert rate(api, pad, "pad-burst-1").status_code == 201
    assert stats(api, manager)["total"]["total"] == 1
    for i in range(2, 6):
        clock.advance(2)
        assert rate(api, pad, f"pad-burst-{i}").json["error"]["code"] == "already_rated"
    with read(hub.engine) as conn:
        row = conn.execute(select(ratings)).one()
        assert conn.execute(select(rating_presses.c.id)).all().__len__() == 5
        sides = {r.flagged: r.n for r in conn.execute(select(rating_rollups))}
    assert row.flags == ["burst"] and row.flagged
    assert sides == {False: 0, True: 1}  # moved to the flagged side of the rollup
    body = stats(api, manager)
    assert body["total"]["total"] == 0 and body["total"]["satisfaction_rate"] is None
    assert body["flagged"] == {"total": 1, "counts": {"very_satisfied": 1, "satisfied": 0,
                                                      "unsatisfied": 0}}  # fmt: skip
    assert stats(api, manager, flagged=True)["total"]["satisfaction_rate"] == 1.0


def test_presses_with_no_ticket_are_kept_raw(api, hub) -> None:
    """GIVEN no ticket served WHEN a pad is pressed THEN the press is kept with its refusal
    and no rating exists; an unknown level is kept too (and still answers 400)."""
    pad = api.device("p", "rating-pad", "1")
    assert rate(api, pad, "pad-nt-0001").json["error"]["code"] == "no_ticket"
    bad = rate(api, pad, "pad-nt-0002", level="wonderful")
    assert bad.status_code == 400 and bad.json["error"]["code"] == "unknown_level"
    assert rate(api, pad, "pad-nt-0002", level="wonderful").status_code == 400  # same answer
    with read(hub.engine) as conn:
        rows = conn.execute(select(rating_presses).order_by(rating_presses.c.id)).all()
        assert conn.execute(select(ratings.c.id)).all() == []
    assert [(r.code, r.level) for r in rows] == [("no_ticket", "very_satisfied"),
                                                  ("unknown_level", "wonderful")]  # fmt: skip


def test_clock_offset_is_applied_and_flagged(api, hub, clock) -> None:
    """GIVEN a pad whose clock is one hour slow WHEN it sends a press with its wall time and
    the offset it measured THEN the hub places the press at the right time, links it to the
    ticket just served, and flags it "clock"."""
    kiosk, staff, pad = (
        api.device("k", "kiosk"),
        api.user("canbo1"),
        api.device("p", "rating-pad", "1"),
    )
    ticket = serve(api, kiosk, staff)
    clock.advance(5)
    pad_time = clock() - timedelta(hours=1)
    r = rate(api, pad, "pad-clk-1", at=pad_time.isoformat(), clock_offset_s=3600.0)
    assert r.status_code == 201 and r.json["ticket_id"] == ticket["id"]
    with read(hub.engine) as conn:
        row = conn.execute(select(ratings)).one()
        press = conn.execute(select(rating_presses)).one()
    assert row.flags == ["clock"] and abs((row.at - pad_time).total_seconds() - 3600) < 1
    assert press.clock_offset_s == 3600.0


def test_one_level_far_above_its_usual_share(api, hub, clock) -> None:
    """GIVEN an officer whose last month was 25 % "Rất hài lòng" (10 of 40) WHEN today brings
    14 "Rất hài lòng" in a row THEN nothing is flagged (too few); WHEN the 15th comes THEN all
    15 of that level today are flagged "level_share"."""
    kiosk, staff, pad = (
        api.device("k", "kiosk"),
        api.user("canbo1"),
        api.device("p", "rating-pad", "1"),
    )
    staff_id = hub.tokens.resolve(staff["Authorization"][7:]).id
    today = date(2026, 11, 27)
    with write(hub.engine) as conn:
        for level, n, score in (
            ("very_satisfied", 10, 2),
            ("satisfied", 28, 1),
            ("unsatisfied", 2, 0),
        ):
            rollup_add(conn, site_id="demo", day=today - timedelta(days=3), counter_id="1",
                       staff_id=staff_id, service_id="dat-dai", level=level, score=score,
                       flagged=False, n=n)  # fmt: skip
    for i in range(14):
        serve(api, kiosk, staff)
        assert rate(api, pad, f"pad-share-{i:03d}").status_code == 201
        clock.advance(120)
    with read(hub.engine) as conn:
        assert not any(r.flagged for r in conn.execute(select(ratings)))
    serve(api, kiosk, staff)
    assert rate(api, pad, "pad-share-014").status_code == 201
    with read(hub.engine) as conn:
        rows = conn.execute(select(ratings)).all()
    assert len(rows) == 15 and all(r.flags == ["level_share"] for r in rows)
