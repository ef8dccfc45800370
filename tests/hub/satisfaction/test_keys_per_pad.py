"""A rating's idempotency key belongs to the pad that sent it: another pad sending the
same key makes a press of its own, never gets the first pad's answer (SQLite and
PostgreSQL); forwarded ratings keep their own keys apart from any pad's."""

from __future__ import annotations

from sqlalchemy import select

from hub.store.db import read
from hub.store.tables import rating_presses, ratings

KEY = "pad1.0a1b2c3d.00000001"


SERVICES = {"1": "dat-dai", "2": "tu-phap"}


def serve(api, kiosk, staff, counter: str) -> dict:
    ticket = api.issue(kiosk, SERVICES[counter])
    api.post(f"/counters/{counter}/open", staff)
    api.post(f"/counters/{counter}/call-next", staff)
    api.post(f"/counters/{counter}/complete", staff)
    return ticket


def test_another_pads_key_is_a_press_of_its_own(api, hub) -> None:
    """GIVEN pad 1's rating with key K WHEN pad 2 (another counter, nothing to rate)
    sends K THEN 409 no_ticket, not pad 1's rating; WHEN pad 2 has a ticket to rate and
    sends K again in a batch THEN a new rating of pad 2's ticket; pad 1's K still
    answers pad 1's rating."""
    kiosk = api.device("k", "kiosk")
    one, two = api.user("canbo1"), api.user("canbo2")
    pad1 = api.device("pad1", "rating-pad", "1")
    pad2 = api.device("pad2", "rating-pad", "2")
    first = serve(api, kiosk, one, "1")
    mine = api.post("/ratings", pad1, json={"key": KEY, "level": "very_satisfied"})
    assert mine.status_code == 201 and mine.json["ticket_id"] == first["id"]

    stolen = api.post("/ratings", pad2, json={"key": KEY, "level": "unsatisfied"})

    assert stolen.status_code == 409 and stolen.json["error"]["code"] == "no_ticket"
    assert "id" not in stolen.json and first["id"] not in stolen.get_data(as_text=True)
    second = serve(api, kiosk, two, "2")
    again = api.post("/ratings/batch", pad2, json={"ratings": [{"key": KEY, "level": "satisfied"}]})
    (result,) = again.json["results"]
    assert result["status"] == "rejected" and result["code"] == "no_ticket"  # its answer
    other = api.post("/ratings", pad2, json={"key": KEY + "x", "level": "satisfied"})
    assert other.status_code == 201 and other.json["ticket_id"] == second["id"]
    assert api.post("/ratings", pad1, json={"key": KEY, "level": "very_satisfied"}).json == (
        mine.json
    )
    with read(hub.engine) as conn:
        presses = conn.execute(select(rating_presses.c.device_id, rating_presses.c.key)).all()
        stored = conn.execute(select(ratings.c.ticket_id, ratings.c.level)).all()
    assert sorted(p.key for p in presses) == [KEY, KEY, KEY + "x"]
    assert sorted(stored) == sorted([(first["id"], "very_satisfied"), (second["id"], "satisfied")])


def test_the_same_key_from_two_pads_rates_both_tickets(api, hub) -> None:
    """GIVEN a ticket just served at each of two counters WHEN both pads send a press
    with the same key THEN each press rates its own counter's ticket."""
    kiosk = api.device("k", "kiosk")
    one, two = api.user("canbo1"), api.user("canbo2")
    pad1 = api.device("pad1", "rating-pad", "1")
    pad2 = api.device("pad2", "rating-pad", "2")
    first, second = serve(api, kiosk, one, "1"), serve(api, kiosk, two, "2")

    a = api.post("/ratings", pad1, json={"key": KEY, "level": "very_satisfied"})
    b = api.post("/ratings/batch", pad2, json={"ratings": [{"key": KEY, "level": "unsatisfied"}]})

    assert a.status_code == 201 and a.json["ticket_id"] == first["id"]
    (result,) = b.json["results"]
    assert result["status"] == "created" and result["ticket_id"] == second["id"]
    with read(hub.engine) as conn:
        levels = dict(conn.execute(select(ratings.c.ticket_id, ratings.c.level)).all())
    assert levels == {first["id"]: "very_satisfied", second["id"]: "unsatisfied"}
