"""Ratings: linking to the ticket, once per ticket, idempotent keys."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from hub.store.db import read
from hub.store.tables import rating_presses, ratings


def serve_one(api, staff, kiosk, counter: str = "1") -> dict:
    ticket = api.issue(kiosk)
    api.post(f"/counters/{counter}/open", staff)
    api.post(f"/counters/{counter}/call-next", staff)
    api.post(f"/counters/{counter}/complete", staff)
    return ticket


def test_pad_rating_links_to_the_ticket_just_completed(api, hub) -> None:
    kiosk, staff = api.device("k1", "kiosk"), api.user("canbo1")
    pad = api.device("pad1", "rating-pad", "1")
    ticket = serve_one(api, staff, kiosk)
    r = api.post("/ratings", pad, json={"key": "pad1-0000001", "level": "very_satisfied"})
    assert r.status_code == 201 and r.json["ticket_id"] == ticket["id"]
    again = api.post("/ratings", pad, json={"key": "pad1-0000001", "level": "very_satisfied"})
    assert again.status_code == 200 and again.json == r.json
    other = api.post("/ratings", pad, json={"key": "pad1-0000002", "level": "unsatisfied"})
    assert other.status_code == 409 and other.json["error"]["code"] == "already_rated"
    holder = api.post(f"/tickets/{ticket['id']}/rating", json={"level": "satisfied"})
    assert holder.status_code == 409 and holder.json["error"]["code"] == "already_rated"
    with read(hub.engine) as conn:
        assert len(conn.execute(select(ratings.c.id)).all()) == 1
        outcomes = [r.outcome for r in conn.execute(select(rating_presses.c.outcome))]
    assert sorted(outcomes) == ["created", "rejected"]


def test_no_ticket_and_still_being_served(api, clock) -> None:
    kiosk, staff = api.device("k1", "kiosk"), api.user("canbo1")
    pad = api.device("pad1", "rating-pad", "1")
    r = api.post("/ratings", pad, json={"key": "pad1-0000001", "level": "satisfied"})
    assert r.status_code == 409 and r.json["error"]["code"] == "no_ticket"
    api.issue(kiosk)
    api.post("/counters/1/open", staff)
    api.post("/counters/1/call-next", staff)  # being served: not ratable yet
    r = api.post("/ratings", pad, json={"key": "pad1-0000002", "level": "satisfied"})
    assert r.status_code == 409 and r.json["error"]["code"] == "no_ticket"
    api.post("/counters/1/complete", staff)
    clock.advance(601)  # past window_s
    r = api.post("/ratings", pad, json={"key": "pad1-0000003", "level": "satisfied"})
    assert r.status_code == 409 and r.json["error"]["code"] == "no_ticket"


def test_rating_at_a_past_time_links_by_that_time(api, clock) -> None:
    """GIVEN a pad that was offline WHEN it sends a press with its original `at`
    THEN the press links to the ticket completed just before that time."""
    kiosk, staff = api.device("k1", "kiosk"), api.user("canbo1")
    pad = api.device("pad1", "rating-pad", "1")
    first = serve_one(api, staff, kiosk)
    pressed_at = clock() + timedelta(seconds=5)
    clock.advance(60)
    serve_one(api, staff, kiosk)
    at = pressed_at.isoformat()
    r = api.post("/ratings", pad, json={"key": "pad1-0000009", "level": "satisfied", "at": at})
    assert r.status_code == 201 and r.json["ticket_id"] == first["id"]


def test_no_show_is_not_ratable(api) -> None:
    kiosk, staff = api.device("k1", "kiosk"), api.user("canbo1")
    pad = api.device("pad1", "rating-pad", "1")
    t = api.issue(kiosk)
    api.post("/counters/1/open", staff)
    api.post("/counters/1/call-next", staff)
    api.post("/counters/1/no-show", staff)
    assert api.post("/ratings", pad, json={"key": "pad1-0000001", "level": "satisfied"}
                    ).json["error"]["code"] == "no_ticket"  # fmt: skip
    r = api.post(f"/tickets/{t['id']}/rating", json={"level": "satisfied"})
    assert r.status_code == 409 and r.json["error"]["code"] == "not_served"


def test_a_pad_rates_only_its_own_counter(api) -> None:
    kiosk, staff = api.device("k1", "kiosk"), api.user("canbo1")
    pad2 = api.device("pad2", "rating-pad", "2")
    serve_one(api, staff, kiosk, "1")
    r = api.post("/ratings", pad2, json={"key": "pad2-0000001", "level": "satisfied"})
    assert r.status_code == 409 and r.json["error"]["code"] == "no_ticket"


def test_holder_rating_with_reasons(api, hub) -> None:
    kiosk, staff = api.device("k1", "kiosk"), api.user("canbo1")
    t = serve_one(api, staff, kiosk)
    bad = api.post(f"/tickets/{t['id']}/rating", json={"level": "unsatisfied",
                                                       "reasons": ["rude"]})  # fmt: skip
    assert bad.status_code == 400 and bad.json["error"]["code"] == "unknown_reason"
    r = api.post(f"/tickets/{t['id']}/rating",
                 json={"level": "unsatisfied", "reasons": ["attitude", "long_wait"]})  # fmt: skip
    assert r.status_code == 201 and r.json["ticket_id"] == t["id"]
    with read(hub.engine) as conn:
        row = conn.execute(select(ratings)).one()
    assert row.reasons == ["attitude", "long_wait"] and row.channel == "qr"
    assert row.staff_id is not None and row.counter_id == "1" and row.service_id == "dat-dai"


def test_a_ticket_is_rated_by_its_holder_only(api, hub) -> None:
    """GIVEN a served ticket WHEN its rating link is posted with the staff's, a kiosk's
    or a pad's token THEN 403 holder_only and nothing is stored; without a token (the
    holder) THEN 201."""
    kiosk, staff = api.device("k1", "kiosk"), api.user("canbo1")
    pad = api.device("pad1", "rating-pad", "1")
    t = serve_one(api, staff, kiosk)
    for token in (staff, kiosk, pad):
        r = api.post(f"/tickets/{t['id']}/rating", token, json={"level": "satisfied"})
        assert r.status_code == 403 and r.json["error"]["code"] == "holder_only"
    with read(hub.engine) as conn:
        assert conn.execute(select(ratings.c.id)).all() == []
    r = api.post(f"/tickets/{t['id']}/rating", json={"level": "satisfied"})
    assert r.status_code == 201


def test_batch_reports_each_item(api) -> None:
    kiosk, staff = api.device("k1", "kiosk"), api.user("canbo1")
    pad = api.device("pad1", "rating-pad", "1")
    t = serve_one(api, staff, kiosk)
    body = {"ratings": [
        {"key": "pad1-batch-1", "level": "satisfied"},
        {"key": "pad1-batch-1", "level": "satisfied"},
        {"key": "pad1-batch-2", "level": "satisfied"},
        {"key": "pad1-batch-3", "level": "nope"},
    ]}  # fmt: skip
    r = api.post("/ratings/batch", pad, json=body)
    assert r.status_code == 200
    results = r.json["results"]
    assert [x["status"] for x in results] == ["created", "duplicate", "rejected", "rejected"]
    assert results[0]["ticket_id"] == t["id"]
    assert results[2]["code"] == "already_rated" and results[3]["code"] == "unknown_level"
    again = api.post("/ratings/batch", pad, json=body).json["results"]
    assert [x["status"] for x in again] == ["duplicate", "duplicate", "rejected", "rejected"]


def test_future_times_are_refused(api, clock) -> None:
    pad = api.device("pad1", "rating-pad", "1")
    at = (clock() + timedelta(hours=1)).isoformat()
    r = api.post("/ratings", pad, json={"key": "pad1-0000001", "level": "satisfied", "at": at})
    assert r.status_code == 400 and r.json["error"]["code"] == "invalid_time"
