"""Who may connect to each Socket.IO namespace and send each event, for every role.

The test lists the handlers the namespaces actually have, so an event added
later without a row in :data:`EVENTS` fails here. Flask-SocketIO's test client
runs the real handlers in-process; ``tests/hub/test_sockets_live.py`` covers
the same namespaces over a real websocket.
"""

from __future__ import annotations

import pytest

from display.namespace import MAX_EVENT_BYTES
from hub.events import NS_COUNTER, NS_DEVICES, NS_DISPLAY, NS_TICKET
from tests.hub.pages.conftest import Browser

USERS = ("staff", "manager", "admin")
DEVICES = ("kiosk", "rating-pad", "display", "counter-keypad")
ROLES = ("anonymous", *USERS, *(f"device:{d}" for d in DEVICES))
CONNECT = {
    NS_DISPLAY: set(ROLES),  # the screens of the LAN: read-only, public by design
    NS_DEVICES: {f"device:{d}" for d in DEVICES},
    NS_COUNTER: set(USERS),
    NS_TICKET: set(ROLES),  # the ticket pages: the ticket's id is the permission, not a role
}
# Every client event, with a valid payload and who gets an answer without an error.
EVENTS = {
    (NS_DISPLAY, "since"): ({"seq": 0}, set(ROLES)),
    (NS_DISPLAY, "snapshot"): (None, set(ROLES)),
    # Only a registered screen acknowledges calls (issue 15, item 5).
    (NS_DISPLAY, "ack"): ({"seq": 1, "kind": "shown", "screen": "sanh"}, {"device:display"}),
    (NS_COUNTER, "watch"): ({"counter": "2"}, set(USERS)),
    # No role follows an id it does not hold (tests/hub/ticket_pages/test_ticket_channel.py).
    (NS_TICKET, "follow"): ({"ticket": "khong-co-phieu-nay"}, set()),
}


@pytest.fixture
def tokens(api, hub, kiosk):
    found = {"anonymous": None}
    for role in USERS:
        found[role] = api.user(f"sk-{role}", role)["Authorization"].split()[1]
    for kind in DEVICES:
        counter = "1" if kind in ("rating-pad", "counter-keypad") else None
        found[f"device:{kind}"] = hub.devices.add_device(f"sk-{kind}", kind, counter)
    # One call exists, so that an ack has something to acknowledge.
    api.issue(kiosk)
    staff = api.user("sk-caller", "staff")
    api.post("/counters/3/open", staff)
    api.post("/counters/3/call-next", staff)
    return found


def connect(app, namespace: str, token: str | None, **kwargs):
    auth = {"token": token} if token else None
    return app.extensions["motcua"].socketio.test_client(
        app, namespace=namespace, auth=auth, **kwargs
    )


def test_every_event_handler_is_in_the_matrix(app) -> None:
    """GIVEN the registered namespaces WHEN their on_* handlers are listed THEN each
    client event has a row in EVENTS (so its access is decided, not forgotten)."""
    server = app.extensions["motcua"].socketio.server
    found = set()
    for namespace, handler in server.namespace_handlers.items():
        for name in dir(handler):
            if name.startswith("on_") and name not in ("on_connect", "on_disconnect"):
                found.add((namespace, name[3:]))
    assert found == set(EVENTS)


def test_who_may_connect_and_send_what(app, tokens) -> None:
    """GIVEN a client of every role on every namespace WHEN it connects and sends each
    event THEN only the roles of CONNECT get in, and only those of EVENTS get an answer
    that is not an error."""
    checked = 0
    for namespace, allowed in CONNECT.items():
        for role in ROLES:
            client = connect(app, namespace, tokens[role])
            assert client.is_connected(namespace) == (role in allowed), f"{role} {namespace}"
            checked += 1
            if not client.is_connected(namespace):
                continue
            for (ns, event), (payload, who) in EVENTS.items():
                if ns != namespace:
                    continue
                args = () if payload is None else (payload,)
                answer = client.emit(event, *args, namespace=namespace, callback=True)
                ok = not (isinstance(answer, dict) and "error" in answer)
                assert ok == (role in who), f"{role} {namespace} {event}: {answer}"
                checked += 1
            client.disconnect(namespace)
    assert checked >= len(ROLES) * 3 + 3 * len(ROLES) + len(USERS)


def test_staff_watch_only_their_own_or_a_free_counter(app, api, tokens) -> None:
    """GIVEN counter 3 opened by another officer WHEN an officer asks to watch it THEN
    refused; their own or a closed counter is fine; a manager may watch any."""
    staff = connect(app, NS_COUNTER, tokens["staff"])
    manager = connect(app, NS_COUNTER, tokens["manager"])

    other = staff.emit("watch", {"counter": "3"}, namespace=NS_COUNTER, callback=True)
    free = staff.emit("watch", {"counter": "2"}, namespace=NS_COUNTER, callback=True)
    boss = manager.emit("watch", {"counter": "3"}, namespace=NS_COUNTER, callback=True)
    unknown = staff.emit("watch", {"counter": "99"}, namespace=NS_COUNTER, callback=True)

    assert other["error"]["code"] == "not_your_counter"
    assert free == {"ok": True} and boss == {"ok": True}
    assert unknown["error"]["code"] == "unknown_counter"


def test_oversized_events_are_refused_before_any_handler(app, tokens) -> None:
    """GIVEN connected clients WHEN an event carries more than MAX_EVENT_BYTES of JSON
    THEN the answer is message_too_large, on every namespace."""
    big = {"seq": 0, "pad": "x" * MAX_EVENT_BYTES}
    screen = connect(app, NS_DISPLAY, None)
    console = connect(app, NS_COUNTER, tokens["admin"])

    for client, namespace, event in ((screen, NS_DISPLAY, "since"), (console, NS_COUNTER, "watch")):
        answer = client.emit(event, big, namespace=namespace, callback=True)
        assert answer["error"]["code"] == "message_too_large"
    assert "calls" in screen.emit("since", {"seq": 0}, namespace=NS_DISPLAY, callback=True)


def test_a_revoked_token_stops_working_on_the_open_socket(app, hub, tokens) -> None:
    """GIVEN a console connected with a user token WHEN the token is revoked (logout)
    THEN its next event is refused and the socket is closed."""
    console = connect(app, NS_COUNTER, tokens["staff"])
    assert console.emit("watch", {"counter": "2"}, namespace=NS_COUNTER, callback=True)["ok"]

    hub.tokens.logout(tokens["staff"])
    answer = console.emit("watch", {"counter": "2"}, namespace=NS_COUNTER, callback=True)

    assert answer["error"]["code"] == "unauthorized"
    assert not console.is_connected(NS_COUNTER)


def test_the_console_connects_with_its_session_but_not_from_another_site(app, hub) -> None:
    """GIVEN an officer logged in through the page WHEN the console's socket connects
    with the session cookie THEN it is let in (and gets the queue); WHEN the same cookie
    comes from a page of another site THEN refused."""
    from tests.conftest import PASSWORD

    hub.users.add_user("canbo1", PASSWORD, "staff")
    page = Browser(app)
    page.login("canbo1")

    ours = connect(app, NS_COUNTER, None, flask_test_client=page.client)
    foreign = connect(
        app,
        NS_COUNTER,
        None,
        flask_test_client=page.client,
        headers={"Origin": "http://evil.example"},
    )
    nobody = connect(app, NS_COUNTER, None)

    assert ours.is_connected(NS_COUNTER)
    assert ours.get_received(NS_COUNTER)[0]["name"] == "queue"
    assert not foreign.is_connected(NS_COUNTER) and not nobody.is_connected(NS_COUNTER)
