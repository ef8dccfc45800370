"""The queue through the HTTP API, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from hub.events import EV_CALL, EV_QUEUE, EV_RATING_OPEN
from hub.store.db import read
from hub.store.tables import ticket_events, tickets


def test_numbers_follow_the_config_and_restart_each_site_day(api, clock) -> None:
    """GIVEN Đất đai starting at 1001 with 4 digits and Tư pháp with prefix B
    WHEN tickets are issued across midnight in Hà Nội THEN numbering restarts."""
    kiosk = api.device("k1", "kiosk")
    assert [api.issue(kiosk)["number"] for _ in range(3)] == ["1001", "1002", "1003"]
    assert api.issue(kiosk, "tu-phap")["number"] == "B001"
    clock.set(datetime(2026, 11, 27, 16, 59, tzinfo=UTC))  # 23:59 local
    assert api.issue(kiosk)["number"] == "1004"
    clock.set(datetime(2026, 11, 27, 17, 1, tzinfo=UTC))  # 00:01 local, next day
    assert api.issue(kiosk)["number"] == "1001"
    assert api.issue(kiosk, "tu-phap")["number"] == "B001"


def test_ticket_answer_has_the_contract_fields(api) -> None:
    kiosk = api.device("k1", "kiosk")
    first = api.issue(kiosk)
    second = api.issue(kiosk)
    assert set(second) >= {"id", "number", "service", "status", "issued_at", "waiting_ahead",
                           "estimated_wait_s"}  # fmt: skip
    assert second["service"] == {"id": "dat-dai", "name": "Đất đai"}
    assert second["status"] == "waiting"
    assert second["waiting_ahead"] == 1
    assert second["estimated_wait_s"] == 300  # default 300 s, no counter open → counted as one
    assert len(first["id"]) >= 20 and not first["id"].isdigit()
    got = api.get(f"/tickets/{first['id']}").json
    assert got["number"] == first["number"] and got["waiting_ahead"] == 0


def test_daily_limit_is_a_409_and_changes_nothing(app, api, demo_config, tmp_path) -> None:
    from dataclasses import replace

    hub = app.extensions["motcua"]
    limited = replace(demo_config.services[2], daily_limit=2)
    hub.reconfigure(replace(demo_config, services=(*demo_config.services[:2], limited)))
    kiosk = api.device("k1", "kiosk")
    api.issue(kiosk, "kinh-doanh")
    api.issue(kiosk, "kinh-doanh")
    r = api.post("/tickets", kiosk, json={"service": "kinh-doanh"})
    assert r.status_code == 409 and r.json["error"]["code"] == "daily_limit_reached"
    assert "Đã hết số tiếp nhận trong ngày" in r.json["error"]["message"]
    with read(hub.engine) as conn:
        assert len(conn.execute(select(tickets.c.id)).all()) == 2


def test_a_whole_service_cycle(api, hub) -> None:
    """GIVEN a staff member at counter 3 WHEN they call, recall, no-show, transfer and
    complete THEN each ticket moves as the state machine says and events follow."""
    kiosk = api.device("k1", "kiosk")
    staff = api.user("canbo1")
    a = api.issue(kiosk)
    b = api.issue(kiosk, "tu-phap")
    c = api.issue(kiosk)
    assert api.post("/counters/3/open", staff).status_code == 200
    hub.sink.socketio = None  # keep events off the wire; we read MemorySink below
    called = api.post("/counters/3/call-next", staff)
    assert called.status_code == 200 and called.json["number"] == a["number"]
    assert "id" not in called.json  # staff never get the id that lets a holder rate
    assert called.json["status"] == "called" and called.json["counter"]["id"] == "3"
    recall = api.post("/counters/3/recall", staff)
    assert recall.json["number"] == a["number"]
    assert api.post("/counters/3/no-show", staff).json["status"] == "no_show"
    assert api.post("/counters/3/complete", staff).status_code == 409
    nxt = api.post("/counters/3/call-next", staff).json
    assert nxt["number"] == b["number"]
    moved = api.post("/counters/3/transfer", staff, json={"service": "dat-dai"}).json
    assert moved["status"] == "waiting" and moved["number"] == "B001"
    assert moved["service"]["id"] == "dat-dai"
    # B001 was issued before 1003, so it keeps its place ahead of it in Đất đai.
    assert api.get(f"/tickets/{c['id']}").json["waiting_ahead"] == 1
    assert api.post("/counters/3/call-next", staff).json["number"] == b["number"]
    assert api.post("/counters/3/complete", staff).json["status"] == "done"
    assert api.post("/counters/3/call-next", staff).json["number"] == c["number"]
    assert api.post("/counters/3/call-next", staff).status_code == 204
    assert api.get(f"/tickets/{c['id']}").json["status"] == "done"
    with read(hub.engine) as conn:
        kinds = [r.kind for r in conn.execute(
            select(ticket_events.c.kind).where(ticket_events.c.ticket_id == b["id"])
            .order_by(ticket_events.c.id))]  # fmt: skip
    assert kinds == ["issued", "called", "transferred", "called", "done"]


def test_events_are_published_after_commit(app, api, hub) -> None:
    from hub.events import MemorySink

    sink = MemorySink()
    hub.tickets.sink = hub.counters.sink = sink
    kiosk = api.device("k1", "kiosk")
    staff = api.user("canbo1")
    api.issue(kiosk)
    api.post("/counters/1/open", staff)
    api.post("/counters/1/call-next", staff)
    api.post("/counters/1/complete", staff)
    names = [e.name for e in sink.events]
    assert names.count(EV_CALL) == 1 and EV_RATING_OPEN in names and EV_QUEUE in names
    call = next(e for e in sink.events if e.name == EV_CALL)
    assert call.payload["seq"] >= 1 and "id" not in call.payload
    assert call.payload["counter"] == {"id": "1", "name": "Quầy 1"}


def test_priority_policy_interleave_from_config(api) -> None:
    """GIVEN the demo's interleave 1:2 WHEN a priority ticket waits among regular ones
    THEN it is called after two regular calls."""
    kiosk = api.device("k1", "kiosk")
    staff = api.user("canbo1")
    regular = [api.issue(kiosk)["number"] for _ in range(3)]
    elderly = api.issue(kiosk, priority="elderly")["number"]
    api.post("/counters/1/open", staff)
    order = [api.post("/counters/1/call-next", staff).json["number"] for _ in range(4)]
    assert order == [regular[0], regular[1], elderly, regular[2]]


def test_unknown_priority_category_is_refused(api) -> None:
    kiosk = api.device("k1", "kiosk")
    r = api.post("/tickets", kiosk, json={"service": "dat-dai", "priority": "vip"})
    assert r.status_code == 400 and r.json["error"]["code"] == "unknown_priority"


def test_pause_stops_calls_and_leaves_estimates(api) -> None:
    kiosk = api.device("k1", "kiosk")
    staff = api.user("canbo1")
    api.post("/counters/1/open", staff)
    api.issue(kiosk)
    open_est = api.issue(kiosk)["estimated_wait_s"]
    assert api.post("/counters/1/pause", staff).json["paused"] is True
    r = api.post("/counters/1/call-next", staff)
    assert r.status_code == 409 and r.json["error"]["code"] == "counter_paused"
    services = {s["id"]: s for s in api.get("/services").json}
    assert services["dat-dai"]["waiting"] == 2
    assert open_est == 300
    assert api.post("/counters/1/resume", staff).json["paused"] is False
    assert api.post("/counters/1/call-next", staff).status_code == 200


def test_cancel_only_while_waiting(api) -> None:
    kiosk = api.device("k1", "kiosk")
    staff = api.user("canbo1")
    t = api.issue(kiosk)
    u = api.issue(kiosk)
    assert api.post(f"/tickets/{t['id']}/cancel").json["status"] == "cancelled"
    assert api.post(f"/tickets/{t['id']}/cancel").status_code == 409
    api.post("/counters/1/open", staff)
    assert api.post("/counters/1/call-next", staff).json["number"] == u["number"]
    r = api.post(f"/tickets/{u['id']}/cancel", kiosk)
    assert r.status_code == 409 and r.json["error"]["code"] == "cancel_not_waiting"


def test_one_open_counter_per_user_and_one_user_per_counter(api) -> None:
    a = api.user("canbo1")
    b = api.user("canbo2")
    admin = api.user("quantri", "admin")
    assert api.post("/counters/1/open", a).status_code == 200
    assert api.post("/counters/1/open", a).status_code == 200  # idempotent
    r = api.post("/counters/2/open", a)
    assert r.status_code == 409 and r.json["error"]["code"] == "already_at_counter"
    r = api.post("/counters/1/open", b)
    assert r.status_code == 409 and r.json["error"]["code"] == "counter_taken"
    r = api.post("/counters/1/call-next", b)
    assert r.status_code == 403 and r.json["error"]["code"] == "not_your_counter"
    assert api.post("/counters/1/close", b).status_code == 403
    assert api.post("/counters/1/close", admin).json["status"] == "closed"
    assert api.post("/counters/2/open", a).status_code == 200


def test_counters_listing(api) -> None:
    kiosk = api.device("k1", "kiosk")
    staff = api.user("canbo1")
    api.issue(kiosk)
    api.post("/counters/1/open", staff)
    api.post("/counters/1/call-next", staff)
    listing = {c["id"]: c for c in api.get("/counters").json}
    assert listing["1"]["status"] == "open" and listing["1"]["staff"] == "Canbo1"
    assert listing["1"]["current"]["number"] == "1001"
    assert listing["2"]["status"] == "closed" and "current" not in listing["2"]


def test_yesterdays_waiting_tickets_are_never_called_and_expire(api, hub, clock) -> None:
    """GIVEN a ticket left waiting at closing time WHEN the next day starts THEN no
    counter calls it and the day-end job closes it with an `expired` event."""
    kiosk = api.device("k1", "kiosk")
    old = api.issue(kiosk)
    clock.set(datetime(2026, 11, 28, 1, 0, tzinfo=UTC))  # 08:00 the next day
    staff = api.user("canbo1")
    fresh = api.issue(kiosk)
    assert fresh["number"] == "1001"
    api.post("/counters/1/open", staff)
    assert api.post("/counters/1/call-next", staff).json["number"] == fresh["number"]
    assert api.post("/counters/1/call-next", staff).status_code == 204
    assert hub.tickets.expire_past_days() == 1
    assert api.get(f"/tickets/{old['id']}").json["status"] == "cancelled"
    assert hub.tickets.expire_past_days() == 0
    with read(hub.engine) as conn:
        kinds = [
            r.kind
            for r in conn.execute(
                select(ticket_events.c.kind).where(ticket_events.c.ticket_id == old["id"])
            )
        ]
    assert kinds == ["issued", "expired"]


def test_the_same_request_key_gets_the_same_ticket(api, hub) -> None:
    """GIVEN a kiosk whose POST /tickets timed out WHEN it sends the same key again
    THEN it gets the ticket already issued (200), not a second number."""
    kiosk = api.device("k1", "kiosk")
    first = api.post("/tickets", kiosk, json={"service": "dat-dai", "key": "k1-press-000001"})
    again = api.post("/tickets", kiosk, json={"service": "dat-dai", "key": "k1-press-000001"})
    other = api.post("/tickets", kiosk, json={"service": "dat-dai", "key": "k1-press-000002"})
    assert first.status_code == 201 and again.status_code == 200
    assert again.json["id"] == first.json["id"] and again.json["number"] == "1001"
    assert "replayed" not in again.json
    assert other.status_code == 201 and other.json["number"] == "1002"
    with read(hub.engine) as conn:
        assert len(conn.execute(select(tickets.c.id)).all()) == 2
