"""hub.socket_guard: Socket.IO input the libraries cannot read, answered or closed with
one log line, never a traceback; the hub goes on serving."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from socketio import packet as sio_packet
from sqlalchemy import func, select

from display.namespace import UNREADABLE_EVENT
from hub.socket_guard import HubPacket, UnreadablePacket
from hub.store.db import read
from hub.store.tables import call_acks
from tests.conftest import Api
from tests.e2e.nasty import nested
from tests.support.raw_socketio import Closed, RawSocket

DEEP = nested(5000).text
HUGE = "99999999999999999999999"


@pytest.fixture
def database(sqlite_database):
    return sqlite_database


# ---------------------------------------------------------------- packets
@pytest.mark.parametrize(
    ("frame", "reason"),
    [
        (f'2/display,7["since", {DEEP}]', "nested too deeply"),
        ('2/display,7["since", NaN]', "NaN"),
        ('2/display,7["since", {"seq": 1}', "JSONDecodeError"),
        ("2/display,7[12]", "no short string"),
        ('2/display,7["' + "x" * 65 + '"]', "no short string"),
        ("2/display,7[]", "without a name"),
        ("2/display,7{}", "without a name"),
        ('2/display,7["connect", {"token": "x"}]', "reserved"),
        ('2/display,7["disconnect"]', "reserved"),
    ],
)
def test_an_event_it_cannot_read_becomes_the_unreadable_event(frame, reason) -> None:
    """GIVEN an event packet whose JSON cannot be read or whose name is no short string or
    a reserved one WHEN decoded THEN it keeps its namespace and ack id and becomes the
    unreadable event with the reason (python-socketio raised, or dispatched ``connect``)."""
    pkt = HubPacket(encoded_packet=frame)
    assert (pkt.packet_type, pkt.namespace, pkt.id) == (sio_packet.EVENT, "/display", 7)
    assert pkt.data[0] == UNREADABLE_EVENT and reason in pkt.data[1]


@pytest.mark.parametrize(
    "frame",
    [f"0/display,{DEEP}", "0/display,NaN", "9", "x", f"5{HUGE}-/display,[]", "3/display,7{}",
     "3/display,7" + DEEP],
)  # fmt: skip
def test_a_packet_that_is_no_socket_io_is_unreadable(frame) -> None:
    """GIVEN a connect whose auth cannot be read, an unknown packet type, too many
    attachments or a bad acknowledgement WHEN decoded THEN UnreadablePacket."""
    with pytest.raises(UnreadablePacket):
        HubPacket(encoded_packet=frame)


def test_attachments_that_do_not_fit_are_unreadable() -> None:
    pkt = HubPacket(encoded_packet='51-/display,["ack",{"_placeholder":true,"num":7}]')
    with pytest.raises(UnreadablePacket):
        pkt.add_attachment(b"\x00")


def test_a_good_event_reads_as_before() -> None:
    pkt = HubPacket(encoded_packet='2/display,3["since",{"seq":1}]')
    assert (pkt.namespace, pkt.id, pkt.data) == ("/display", 3, ["since", {"seq": 1}])


# ------------------------------------------------------------------- live
def faults(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Records above a warning, less the development server's own line for the client's
    closing frame (after the hub closed a WebSocket, Werkzeug reads the client's reply
    to the close as a new request; gunicorn, the server that ships, does not)."""
    return [
        r.getMessage()
        for r in caplog.records
        if r.levelno > logging.WARNING
        and not (r.name == "werkzeug" and "code 400, message Bad " in r.getMessage())
    ]


GARBAGE_EVENTS = [
    f'["since", {DEEP}]', '["snapshot", NaN]', '["ack", {"seq": 1}', "[12]", "[]",
    '["connect", {"token": "x"}]', '["disconnect", "x"]', '["since", {"seq": 1}, {"seq": 2}]',
    '["since", ' + nested(900).text + "]",
    f'["ack", {{"seq": {HUGE}, "kind": "shown", "screen": "sanh"}}]',
]  # fmt: skip
PROTOCOL_GARBAGE: list[list[str | bytes]] = [
    [""], ["bnot base64!"], ["x"], ["4" + DEEP], ["4"], ["4x"], [f"40/display,{DEEP}"],
    ['44/display,{"message": "x"}'], [b"\x00\x01"],
    ['451-/display,["ack",{"_placeholder":true,"num":7}]', b"\x00"],
    ["43/display,7{}"],
]  # fmt: skip


def test_garbage_events_are_answered_with_an_error_and_change_nothing(
    app: Any, live: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """GIVEN a screen on /display over a real WebSocket WHEN it sends events nested
    thousands of levels deep, NaN, JSON cut short, names that are numbers or reserved,
    more than one argument, or an ack of a seq past any integer THEN each is answered
    with an error body on the same connection, no acknowledgement is stored, and
    nothing is logged above a warning (each was a traceback, or no answer)."""
    caplog.set_level(logging.INFO)
    with RawSocket(live.url) as sock:
        assert sock.join("/display").startswith("40")
        for event in GARBAGE_EVENTS:
            answer = sock.answer(sock.emit("/display", event))
            assert isinstance(answer[0], dict) and "error" in answer[0], (event[:80], answer)
        assert "calls" in sock.answer(sock.emit("/display", '["since", {"seq": 0}]'))[0]
    with read(app.extensions["motcua"].engine) as conn:
        assert conn.execute(select(func.count()).select_from(call_acks)).scalar_one() == 0
    assert not faults(caplog)


@pytest.mark.parametrize("frames", PROTOCOL_GARBAGE, ids=lambda f: repr(f)[:40])
def test_a_frame_that_is_no_socket_io_closes_its_connection_with_one_line(
    app: Any, live: Any, caplog: pytest.LogCaptureFixture, frames: list[str | bytes]
) -> None:
    """GIVEN a screen on /display WHEN it sends a frame that is no Socket.IO (an empty
    frame, an unknown packet type, a connect nested thousands of levels deep, a client's
    CONNECT_ERROR, an attachment nobody announced or that does not fit) THEN its
    connection is closed, one warning says so, nothing is logged above a warning (each
    was a traceback), and a new screen is served."""
    caplog.set_level(logging.INFO)
    with RawSocket(live.url) as sock:
        assert sock.join("/display").startswith("40")
        with pytest.raises(Closed):
            for frame in frames:
                sock.send(frame)
            sock.wait(lambda frame: False, timeout=5)  # nothing but the hub closing
    with RawSocket(live.url) as fresh:
        assert fresh.join("/display").startswith("40")
        assert "last_seq" in fresh.answer(fresh.emit("/display", '["snapshot"]'))[0]
    assert not faults(caplog)
    assert [r for r in caplog.records if "unreadable" in r.getMessage()]


@pytest.mark.parametrize("frame", ["9", "6", "3", "2probe"])
def test_engine_io_packets_of_no_use_are_ignored(live: Any, frame: str) -> None:
    """GIVEN a screen WHEN it sends an Engine.IO packet of no known type, a noop, an
    unasked pong or a probe THEN it is ignored and the connection goes on."""
    with RawSocket(live.url) as sock:
        assert sock.join("/display").startswith("40")
        sock.send(frame)
        assert "last_seq" in sock.answer(sock.emit("/display", '["snapshot"]'))[0]


def test_a_token_no_bearer_could_carry_names_nobody(app: Any, live: Any) -> None:
    """GIVEN a staff member WHEN a console joins /counter with a token holding a lone
    surrogate THEN it is refused like any wrong token (hashing it raised an error)."""
    Api(app).user("canbo1")
    with RawSocket(live.url) as sock:
        assert sock.join("/counter", '{"token": "\\ud800"}').startswith("44")
