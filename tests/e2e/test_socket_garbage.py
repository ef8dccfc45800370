"""The fuzzing gate's Socket.IO part: garbage to every namespace and event of a live hub.

Every namespace the hub serves (``/display`` and ``/ticket`` for anyone, ``/devices``
with a device token, ``/counter`` with a user token, and ones it does not) is joined with and
without a token and with auth payloads that are no token; then every event a
handler takes, the reserved ``connect`` and ``disconnect``, the events the hub
itself sends and names no handler has get arguments of the wrong type, missing
fields, huge numbers, NaN, NUL, lone surrogates and nesting thousands of levels
deep. Raw frames follow: packets cut short, unknown types, a client's
CONNECT_ERROR, binary attachments that never come or that no packet announced, a
frame past the size limit.

Pass: every event on a joined namespace is answered (an acknowledgement, an error
body, or a closed connection for a frame the hub cannot read — never silence); the
hub still serves a new screen after it all; no answer other than ``{"ok": true}``
changed any state; the hub's log holds no traceback or error.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import requests

from tests.e2e.fuzzing import SOCKET_GATE, TALLY, LiveApi, assert_clean_log, start_live_api
from tests.e2e.nasty import nested
from tests.e2e.state_probe import StateProbe
from tests.e2e.support import Site, StartHub
from tests.support.raw_socketio import Closed, RawSocket

pytestmark = pytest.mark.slow

# Each namespace: the token it takes (a Tokens field; None: anyone) and its handlers.
NAMESPACES: dict[str, tuple[str | None, tuple[str, ...]]] = {
    "/display": (None, ("since", "snapshot", "ack")),
    "/devices": ("kiosk", ()),
    "/counter": ("staff", ("watch",)),
    "/ticket": (None, ("follow",)),
}
UNSERVED = ("/", "/nope", "/display/x", "/" + "x" * 300)
OTHER_EVENTS = ("connect", "disconnect", "call", "queue", "counter", "rating_open", "since",
                "snapshot", "ack", "watch", "follow", "ticket", "", "x" * 300, "on_connect",
                "\\u0000", "Đ")  # fmt: skip
HUGE = "99999999999999999999999"
# The arguments after the event's name, as the JSON text of the packet's array.
ARGS: list[str] = [
    "", ", null", ", {}", ", []", ', "x"', ", 12", ", true", f", {HUGE}", ", NaN",
    f', {{"seq": {HUGE}}}', ', {"seq": 9223372036854775808}', ', {"seq": -1}',
    ', {"seq": 1.5}', ', {"seq": true}', ', {"seq": "1"}', ', {"seq": NaN}',
    ', {"seq": Infinity}', ', {"seq": 1e400}', ', {"seq": 1, "kind": null}',
    ', {"seq": 1, "kind": "shown", "screen": "\\u0000"}',
    ', {"seq": 1, "kind": "shown", "screen": "' + "x" * 70 + '"}',
    f', {{"seq": {HUGE}, "kind": "shown", "screen": "sanh"}}',
    ', {"seq": 9223372036854775807, "kind": "spoken", "screen": "sanh"}',
    ', {"seq": 1, "kind": "shown", "screen": "sanh"}',
    ', {"counter": "\\u0000"}', ', {"counter": ["1"]}', ', {"counter": "1"}',
    f', {{"counter": {HUGE}}}', ', {"counter": "' + "x" * 5000 + '"}',
    ', {"token": "\\u0000"}', ', {"token": 5}', ', "\\ud800"', ', {"\\ud800": 1}',
    ', {"ticket": "\\u0000"}', ', {"ticket": "x\\u0000"}', ', {"ticket": 5}', ', {"ticket": null}',
    ', {"ticket": ["x"]}', ', {"ticket": "khong-co-phieu"}', ', {"ticket": "../t"}',
    ', {"ticket": "' + "x" * 65 + '"}', ', {"ticket": "' + "x" * 5000 + '"}',
    ', {"seq": 1}, {"seq": 2}, {"seq": 3}',
    ", " + nested(900).text, ", " + nested(5000).text, ", " + nested(3000, "object").text,
]  # fmt: skip
AUTHS: list[str | None] = [
    None, "null", "[]", '"x"', "12", '{"token": 5}', '{"token": null}',
    '{"token": "\\u0000"}', '{"token": "\\ud800"}', '{"token": "' + "x" * 10_000 + '"}',
    '{"token": [' + nested(900).text + "]}",
]  # fmt: skip
# Auth the hub cannot read: a connect packet that is no Socket.IO, its connection closed.
UNREADABLE_AUTHS = ["NaN", nested(5000).text, '{"token": "x"']
PROBE = '["snapshot"]'  # a well-formed event every namespace answers (with [] when unhandled)
# Raw frames: (what, frames sent in a row), on a socket joined to /display. After most,
# that socket still answers a well-formed event (or is closed); not after these.
UNANSWERED_AFTER = {"leave", "binary event, no attachment"}
RAW: list[tuple[str, list[str | bytes]]] = [
    ("empty", [""]),
    ("bare message", ["4"]),
    ("bare event", ["42"]),
    ("event without arguments", ["42/display,"]),
    ("cut array", ["42/display,["]),
    ("object, not array", ["42/display,{}"]),
    ("empty array", ["42/display,[]"]),
    ("number as event", ["42/display,[1]"]),
    ("null as event", ["42/display,[null]"]),
    ("array as event", ["42/display,[[]]"]),
    ("huge ack id", [f'42/display,{HUGE}["since"]']),
    ("negative ack id", ['42/display,-1["since"]']),
    ("unknown packet type", ["49"]),
    ("letter as packet type", ["4x"]),
    ("unserved namespace", ["40/nope,"]),
    ("leave", ["41/display,"]),
    ("ack of nothing", ["43/display,7[]"]),
    ("client's connect error", ['44/display,{"message": "x"}']),
    ("binary event, no attachment", ['451-/display,["ack",{"_placeholder":true,"num":0}]']),
    ("binary event", ['451-/display,["ack",{"_placeholder":true,"num":0}]', b"\x00\xff"]),
    ("placeholder past the attachments",
     ['451-/display,["ack",{"_placeholder":true,"num":7}]', b"\x00"]),
    ("huge attachment count", [f'4{HUGE}-/display,["ack"]', b"\x00"]),
    ("attachment nobody announced", [b"\x00\x01\x02"]),
    ("binary ack", ['461-/display,7[{"_placeholder":true,"num":0}]', b"\x00"]),
    ("upgrade", ["5"]),
    ("noop", ["6"]),
    ("unknown engine.io type", ["9"]),
    ("probe ping", ["2probe"]),
    ("pong", ["3"]),
    ("nested 5000", ["42/display," + nested(5000).text]),
    ("event nested 900", ['42/display,["since", ' + nested(900).text + "]"]),
    ("over the size limit", ['42/display,["since", "' + "x" * 70_000 + '"]']),
]  # fmt: skip


class Garbage:
    """Sends garbage to one hub, counts it and collects what breaks a criterion."""

    def __init__(self, api: LiveApi, probe: StateProbe) -> None:
        self.api = api
        self.probe = probe
        self.failures: list[str] = []

    def token(self, name: str | None) -> str:
        return "" if name is None else json.dumps({"token": getattr(self.api.tokens, name)})

    @contextmanager
    def socket(self, namespace: str | None = None, auth: str | None = None) -> Iterator[RawSocket]:
        """A raw socket, joined to ``namespace`` when given (which must let it in)."""
        with RawSocket(self.api.hub.url) as sock:
            if namespace is not None:
                joined = sock.join(namespace, auth)
                if not joined.startswith("40"):
                    raise AssertionError(f"{namespace} refused a valid join: {joined[:300]}")
            yield sock

    def event(self, sock: RawSocket, namespace: str, what: str, args_json: str) -> Any:
        """One event that must be answered; the answer, or None if the hub hung up."""
        label = f"{namespace} {what}"
        status = [200]  # 400: refused, 500: unanswered (read by the probe at the end)
        with self.probe.unchanged_if_refused("EMIT", namespace, label, lambda: status[0]):
            try:
                answer = sock.answer(sock.emit(namespace, args_json))
            except Closed:
                answer = None  # a frame it cannot read may end the connection
            except TimeoutError:
                answer = None
                self.failures.append(f"{label}: no answer")
                status[0] = 500
            if answer != [{"ok": True}]:
                status[0] = max(status[0], 400)  # a refusal: nothing may change
        TALLY.add(SOCKET_GATE, self.api.backend, failed=status[0] >= 500)
        return answer


def send_joins(garbage: Garbage) -> None:
    """Every namespace, served or not, joined with each auth payload (tokens of the wrong
    kind too); events sent to those it refused; each must leave the hub serving."""
    tokens = [garbage.token(name) for name in ("kiosk", "staff", "pad", "admin")]
    for namespace in [*NAMESPACES, *UNSERVED]:
        for auth in [*AUTHS, *tokens, *UNREADABLE_AUTHS]:
            closes = auth in UNREADABLE_AUTHS
            with garbage.socket() as sock:
                try:
                    joined = sock.join(namespace, auth)
                except (Closed, TimeoutError) as exc:
                    failed = not (closes and isinstance(exc, Closed))
                    if failed:
                        garbage.failures.append(f"join {namespace} with {str(auth)[:60]}: {exc}")
                    TALLY.add(SOCKET_GATE, garbage.api.backend, failed=failed)
                    continue
                TALLY.add(SOCKET_GATE, garbage.api.backend, failed=closes)
                if closes:
                    garbage.failures.append(f"join {namespace} with {auth[:60]}: {joined[:80]}")
                if joined.startswith("44"):  # refused: what it sends now goes nowhere
                    sock.emit(namespace, '["since", {"seq": 1}]')
                    sock.emit(namespace, '["watch", {"counter": "1"}]')


def send_events(garbage: Garbage) -> None:
    """Every event name with every argument list, on each namespace it was let in."""
    for namespace, (token, handlers) in NAMESPACES.items():
        for event in dict.fromkeys([*handlers, *OTHER_EVENTS]):
            # A socket per event: ``disconnect`` or ``connect`` may end its session.
            with garbage.socket(namespace, garbage.token(token)) as sock:
                for args in ARGS:
                    if sock.closed:
                        break
                    garbage.event(sock, namespace, f"{event!r}{args[:60]}", f'["{event}"{args}]')


def send_raw(garbage: Garbage) -> None:
    """Each raw frame on a socket joined to /display, then a well-formed event: answered,
    or the connection closed (and a new one serves)."""
    for what, frames in RAW:
        with garbage.socket("/display") as sock:
            try:
                for frame in frames:
                    sock.send(frame)
            except Closed:
                pass
            if not sock.closed and what not in UNANSWERED_AFTER:
                garbage.event(sock, "/display", f"after {what}", PROBE)
            else:
                TALLY.add(SOCKET_GATE, garbage.api.backend, failed=False)
        with garbage.socket("/display") as fresh:
            if garbage.event(fresh, "/display", f"a new screen after {what}", PROBE) is None:
                garbage.failures.append(f"after {what}: a new screen is not served")


@pytest.fixture
def live_api(any_site: Site, start_hub: StartHub) -> LiveApi:
    """A hub on SQLite, and on PostgreSQL when it is available, with state to meet."""
    return start_live_api(any_site, start_hub)


def test_socket_garbage_is_refused_cleanly(live_api: LiveApi) -> None:
    """GIVEN a live hub with calls made and tokens of every kind
    WHEN every namespace and event gets garbage (with and without tokens) and raw frames
    THEN each event is answered or its connection closed, the hub goes on serving new
    screens, no refused event changes any state, and the hub logs no traceback or error.
    """
    with StateProbe(live_api.site.db) as probe:
        garbage = Garbage(live_api, probe)
        send_joins(garbage)
        probe.forget()
        send_events(garbage)
        send_raw(garbage)
    health = requests.get(f"{live_api.hub.url}/healthz", timeout=10)
    assert health.status_code == 200, health.text
    failures = garbage.failures
    assert not failures, f"{len(failures)} failures:\n" + "\n".join(failures[:60])
    assert_clean_log(live_api.hub)
