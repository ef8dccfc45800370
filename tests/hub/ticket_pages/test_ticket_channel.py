"""``/ticket``: a ticket's holder follows its changes by its secret id (Flask-SocketIO's
test client runs the real handlers; ``test_ticket_push_live.py`` goes over a real
websocket)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from config.wire import EV_FOLLOW, EV_TICKET, NS_TICKET
from hub.events import ticket_room
from hub.sockets import FOLLOW_LIMIT


def holder(app: Any) -> Any:
    """A ticket page's socket on ``/ticket`` (not following anything yet)."""
    return app.extensions["motcua"].socketio.test_client(app, namespace=NS_TICKET)


def follow(client: Any, ticket_id: Any) -> Any:
    return client.emit(EV_FOLLOW, {"ticket": ticket_id}, namespace=NS_TICKET, callback=True)


def changes(client: Any) -> list[tuple[str, str]]:
    """The ``ticket`` events received since last asked, as (change, status)."""
    got = client.get_received(NS_TICKET)
    assert all(p["name"] == EV_TICKET for p in got), got
    return [(p["args"][0]["change"], p["args"][0]["status"]) for p in got]


def test_every_change_of_the_followed_ticket_is_pushed(app, api, kiosk, staff) -> None:
    """GIVEN my waiting ticket followed on /ticket
    WHEN it is called, recalled, transferred, called again, completed and rated
    THEN each change reaches me as {change, status}, in order, with no ticket id."""
    mine = api.issue(kiosk, "dat-dai")
    page = holder(app)
    assert follow(page, mine["id"]) == {"ok": True, "status": "waiting"}
    api.post("/counters/1/open", staff)
    api.post("/counters/1/call-next", staff)
    api.post("/counters/1/recall", staff)
    api.post("/counters/1/transfer", staff, json={"service": "tu-phap"})
    other = api.user("canbo2")
    api.post("/counters/2/open", other)
    api.post("/counters/2/call-next", other)
    api.post("/counters/2/complete", other)
    received = page.get_received(NS_TICKET)
    assert all(mine["id"] not in str(p) for p in received)
    assert [(p["args"][0]["change"], p["args"][0]["status"]) for p in received] == [
        ("called", "called"),
        ("recalled", "called"),
        ("transferred", "waiting"),
        ("called", "called"),
        ("done", "done"),
    ]
    assert api.post(f"/tickets/{mine['id']}/rating", json={"level": "satisfied"}).status_code == 201
    assert changes(page) == [("rated", "done")]


def test_no_show_cancel_and_expiry_are_pushed(app, api, hub, clock, kiosk, staff) -> None:
    """GIVEN three followed tickets WHEN one is marked no-show, one cancelled by its
    holder and one left waiting past the day's end THEN each page hears its own change
    (and only its own)."""
    absent, cancelled, expired = (api.issue(kiosk, "dat-dai") for _ in range(3))
    pages = {}
    for ticket in (absent, cancelled, expired):
        pages[ticket["id"]] = holder(app)
        assert follow(pages[ticket["id"]], ticket["id"])["ok"] is True
    api.post("/counters/1/open", staff)
    api.post("/counters/1/call-next", staff)
    api.post("/counters/1/no-show", staff)
    assert api.post(f"/tickets/{cancelled['id']}/cancel").status_code == 200
    clock.advance(timedelta(days=1).total_seconds())
    assert hub.tickets.expire_past_days() == 1

    assert changes(pages[absent["id"]]) == [("called", "called"), ("no_show", "no_show")]
    assert changes(pages[cancelled["id"]]) == [("cancelled", "cancelled")]
    assert changes(pages[expired["id"]]) == [("expired", "cancelled")]


def test_a_rating_from_the_pad_is_pushed(app, api, kiosk, staff) -> None:
    """GIVEN my ticket followed WHEN it is completed and the counter's pad rates it
    THEN my page hears done, then rated (it stops offering the form)."""
    pad = api.device("pad-1", "rating-pad", "1")
    mine = api.issue(kiosk, "dat-dai")
    page = holder(app)
    follow(page, mine["id"])
    api.post("/counters/1/open", staff)
    api.post("/counters/1/call-next", staff)
    api.post("/counters/1/complete", staff)
    rated = api.post("/ratings", pad, json={"key": "pad1-000001", "level": "satisfied"})
    assert rated.status_code == 201
    assert changes(page) == [("called", "called"), ("done", "done"), ("rated", "done")]


def test_a_connection_follows_one_ticket_at_a_time(app, api, kiosk, staff) -> None:
    """GIVEN a socket that followed ticket A, then ticket B WHEN both are called
    THEN it hears only B's change."""
    first, second = api.issue(kiosk, "dat-dai"), api.issue(kiosk, "dat-dai")
    page = holder(app)
    follow(page, first["id"])
    assert follow(page, second["id"])["ok"] is True
    api.post("/counters/1/open", staff)
    api.post("/counters/1/call-next", staff)
    assert changes(page) == []
    api.post("/counters/1/call-next", staff)
    assert changes(page) == [("called", "called")]


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"ticket": "khong-co-phieu-nay"}, "unknown_ticket"),
        ({"ticket": "x" * 65}, "invalid_ticket"),
        ({"ticket": "a b"}, "invalid_ticket"),
        ({"ticket": "../t"}, "invalid_ticket"),
        ({"ticket": ""}, "invalid_ticket"),
        ({"ticket": 5}, "invalid_ticket"),
        ({"ticket": ["x"]}, "invalid_ticket"),
        ({}, "invalid_ticket"),
        ("x", "invalid_ticket"),
        (None, "invalid_ticket"),
    ],
)
def test_a_wrong_id_cannot_follow(app, api, kiosk, staff, payload, code) -> None:
    """GIVEN a ticket being served WHEN a socket asks to follow an unknown or malformed
    id THEN it is answered with the error body and hears nothing of any ticket."""
    api.issue(kiosk, "dat-dai")
    page = holder(app)
    answer = page.emit(EV_FOLLOW, payload, namespace=NS_TICKET, callback=True)
    assert answer["error"]["code"] == code and answer["error"]["message"]
    api.post("/counters/1/open", staff)
    api.post("/counters/1/call-next", staff)
    api.post("/counters/1/complete", staff)
    assert page.get_received(NS_TICKET) == []


def test_follows_are_limited_per_address(app, api, kiosk) -> None:
    """GIVEN one client address WHEN it asks to follow more than FOLLOW_LIMIT times in a
    minute (guessing ids) THEN it is answered too_many_attempts, even for a real id."""
    mine = api.issue(kiosk, "dat-dai")
    page = holder(app)
    for i in range(FOLLOW_LIMIT):
        assert follow(page, f"doan-{i}")["error"]["code"] == "unknown_ticket"
    assert follow(page, mine["id"])["error"]["code"] == "too_many_attempts"


def test_the_room_is_not_named_by_the_id(api, kiosk) -> None:
    """GIVEN a ticket WHEN its room is named THEN the name does not hold the secret id
    (room names travel between processes through Redis)."""
    ticket_id = api.issue(kiosk, "dat-dai")["id"]
    room = ticket_room(ticket_id)
    assert room.startswith("ticket:") and ticket_id not in room
    assert room == ticket_room(ticket_id) != ticket_room(ticket_id + "x")
