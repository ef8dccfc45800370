"""The counter keypad agent against a live hub, fed kernel-shaped key events.

The keypad is a pipe of raw ``struct input_event`` records read by the real
:class:`~hardware.keypad.EvdevKeypad` (evdev's own reader); the hub is the
real app on 127.0.0.1; the LED board is the fake that records its frames.
"""

from __future__ import annotations

import queue
import time
from typing import Any

import pytest
from sqlalchemy import select

from config.counter_keypad import DEFAULT_KEYMAP, CounterKeypadSettings, KeypadSection
from hardware.fakes import FakeCounterDisplay
from hardware.keypad import EvdevKeypad
from hub.store.db import read
from hub.store.tables import audit_log, tickets
from kiosk.counter_keypad.loop import CounterKeypadAgent, Result
from kiosk.counter_keypad.settings import build_agent
from kiosk.kit.hub_client import HubClient


class Rig:
    """An agent on a pipe keypad, with helpers to press and wait."""

    def __init__(self, agent: CounterKeypadAgent, keypad: Any, board: FakeCounterDisplay):
        self.agent, self.keypad, self.board = agent, keypad, board

    def press(self, key: str, repeats: int = 0) -> Result:
        self.keypad.press(key, repeats)
        return self.agent.results.get(timeout=10)

    def no_more_results(self) -> bool:
        try:
            self.agent.results.get(timeout=0.3)
        except queue.Empty:
            return True
        return False


@pytest.fixture
def rig(app, live, pipe_keypad):
    """``rig(counter="1", **agent options)``: a started agent of a keypad bound to the counter."""
    made: list[Rig] = []

    def make(counter: str = "1", **options: Any) -> Rig:
        hub = app.extensions["motcua"]
        token = hub.devices.add_device(f"kp-{counter}-{len(made)}", "counter-keypad", counter)
        device = pipe_keypad()
        found = iter([device])
        reader = EvdevKeypad(DEFAULT_KEYMAP, open_device=lambda: next(found, None), poll_s=0.05)
        board = FakeCounterDisplay([counter])
        agent = CounterKeypadAgent(HubClient(live.url, token), counter, reader, board, **options)
        agent.start()
        if not reader.wait_connected(5):
            raise RuntimeError("the pipe keypad never connected")
        made.append(Rig(agent, device, board))
        return made[-1]

    yield make
    for r in made:
        r.agent.stop()


def wait_for(check, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.02)
    return False


def test_a_day_at_a_counter_from_the_keypad(app, hub, api, rig) -> None:
    """GIVEN counter 1 opened by an officer and two waiting tickets WHEN the keypad
    presses Enter (held, so it repeats), +, 0, 0, *, -, Enter, Enter THEN the hub calls,
    recalls, pauses, resumes, completes, refuses the no-show (nobody served), calls the
    second and then finds nobody; the LED board shows each result; the actions are the
    device's in the audit log, acting for the officer who opened the counter."""
    kiosk = api.device("k", "kiosk")
    api.issue(kiosk)
    api.issue(kiosk)
    staff = api.user("canbo1")
    api.post("/counters/1/open", staff)
    r = rig(min_call_gap_s=0, error_show_s=0.2)

    called = r.press("KEY_KPENTER", repeats=4)
    recalled = r.press("KEY_KPPLUS")
    paused = r.press("KEY_KP0")
    paused_board = r.board.shown.get("1")
    resumed = r.press("KEY_KP0")
    done = r.press("KEY_KPASTERISK")
    no_show = r.press("KEY_KPMINUS")
    error_board = r.board.shown.get("1")
    second = r.press("KEY_KPENTER")
    nobody = r.press("KEY_KPENTER")

    assert (called.ok, called.number, called.shown) == (True, "1001", "1001")
    assert (recalled.ok, recalled.number) == (True, "1001")
    assert (paused.code, paused_board) == ("pause", "P")
    assert (resumed.code, resumed.shown) == ("resume", "1001")
    assert done.ok and done.shown == ""
    assert (no_show.ok, no_show.status, no_show.code) == (False, 409, "no_current_ticket")
    assert error_board == "E"
    assert second.number == "1002" and r.board.frames[-2] == ("1", "1002")
    assert (nobody.ok, nobody.status, nobody.shown) == (True, 204, "---")
    assert r.no_more_results()  # the held Enter's repeats did nothing
    with read(hub.engine) as conn:
        statuses = dict(conn.execute(select(tickets.c.number, tickets.c.status)).all())
        actors = {
            row.actor
            for row in conn.execute(select(audit_log))
            if row.target == "counter:1" and row.action != "counter_open"
        }
    assert statuses == {"1001": "done", "1002": "done"}
    assert actors == {"device:kp-1-0"}
    assert [c["number"] for c in hub.views.calls_after(0)] == ["1001", "1001", "1002"]


def test_a_double_press_does_not_skip_a_citizen(app, hub, api, rig) -> None:
    """GIVEN a number just called from the keypad WHEN Enter is pressed again within the
    guard time THEN nothing is sent, the board shows E for a moment, then the number
    again; the called citizen is still being served."""
    kiosk = api.device("k", "kiosk")
    api.issue(kiosk)
    api.issue(kiosk)
    api.post("/counters/1/open", api.user("canbo1"))
    r = rig(min_call_gap_s=60, error_show_s=0.2)

    first = r.press("KEY_KPENTER")
    second = r.press("KEY_KPENTER")

    assert first.number == "1001"
    assert (second.ok, second.code, second.shown) == (False, "too_soon", "E")
    assert wait_for(lambda: r.board.shown.get("1") == "1001")
    assert r.board.frames[-3:] == [("1", "1001"), ("1", "E"), ("1", "1001")]
    assert [c["number"] for c in hub.views.calls_after(0)] == ["1001"]


def test_a_closed_counter_or_a_revoked_token_shows_an_error(app, hub, api, rig) -> None:
    """GIVEN a keypad whose counter nobody opened WHEN Enter is pressed THEN 409
    counter_closed and E; WHEN its token is revoked THEN 401 and E."""
    r = rig()

    closed = r.press("KEY_KPENTER")
    device_id = next(d["id"] for d in hub.devices.list_devices() if d["name"] == "kp-1-0")
    hub.devices.revoke_device(device_id)
    revoked = r.press("KEY_KPPLUS")

    assert (closed.status, closed.code, closed.shown) == (409, "counter_closed", "E")
    assert (revoked.status, revoked.code) == (401, "bad_token")


def test_the_keypad_of_one_counter_cannot_work_another(app, hub, api, rig) -> None:
    """GIVEN an agent bound (wrongly) to counter 2 with the token of counter 1's keypad
    WHEN it calls THEN the hub refuses it (403) and counter 2's queue is untouched."""
    kiosk = api.device("k", "kiosk")
    api.issue(kiosk, "tu-phap")
    api.post("/counters/2/open", api.user("canbo2"))
    r = rig("1")
    r.agent.counter_id = "2"

    refused = r.press("KEY_KPENTER")

    assert (refused.status, refused.code) == (403, "not_your_counter")
    assert hub.views.calls_after(0) == []


def test_it_shows_the_counter_at_start_and_reports_its_health(app, hub, api, rig) -> None:
    """GIVEN counter 1 serving 1001 WHEN a keypad agent starts THEN its board shows 1001
    and its first heartbeat reaches the hub: online, keypad and board ok."""
    kiosk = api.device("k", "kiosk")
    api.issue(kiosk)
    staff = api.user("canbo1")
    api.post("/counters/1/open", staff)
    api.post("/counters/1/call-next", staff)

    r = rig()

    assert wait_for(lambda: r.board.shown.get("1") == "1001")

    def seen() -> dict[str, Any] | None:
        return next((d for d in hub.devices.list_devices() if d["name"] == "kp-1-0"), None)

    assert wait_for(lambda: seen()["health"] == "online")
    assert seen()["status"] == {"keypad": "ok", "led_board": "ok"}
    assert seen()["version"].startswith("motcua-counter-keypad/")


def test_build_agent_checks_the_tokens_counter(app, hub, live) -> None:
    """GIVEN a keypad token bound to counter 2 WHEN the configuration says counter 1
    THEN build_agent refuses to start; without a counter it learns 2 from the hub."""
    token = hub.devices.add_device("kp-2", "counter-keypad", "2")
    keypad = KeypadSection(path="/dev/input/by-id/nothing-here")

    wrong = CounterKeypadSettings(hub_url=live.url, token=token, counter="1", keypad=keypad)
    learned = build_agent(CounterKeypadSettings(hub_url=live.url, token=token, keypad=keypad))

    learned.source.close()
    with pytest.raises(ValueError, match="belongs to '2'"):
        build_agent(wrong)
    assert learned.counter_id == "2"


def test_started_before_the_hub_it_catches_up(app, hub, api, live_server) -> None:
    """GIVEN a keypad agent started while the hub is down (a power cut: the Pi boots
    first) WHEN the hub comes up THEN the agent's heartbeat gets through and its board
    shows the counter's current number, without a restart."""
    kiosk = api.device("k", "kiosk")
    api.issue(kiosk)
    staff = api.user("canbo1")
    api.post("/counters/1/open", staff)
    api.post("/counters/1/call-next", staff)
    server = live_server(app, start=False)
    token = hub.devices.add_device("kp-late", "counter-keypad", "1")
    board = FakeCounterDisplay(["1"])
    reader = EvdevKeypad(DEFAULT_KEYMAP, open_device=lambda: None, poll_s=0.05)
    client = HubClient(server.url, token, timeout_s=1)
    agent = CounterKeypadAgent(client, "1", reader, board, heartbeat_s=0.2)
    agent.start()
    try:
        time.sleep(0.3)  # let a heartbeat fail first
        server.start()

        assert wait_for(lambda: board.shown.get("1") == "1001")
        device = next(d for d in hub.devices.list_devices() if d["name"] == "kp-late")
        assert device["health"] == "online"
        assert device["status"]["keypad"] == "offline"  # no keypad plugged in this test
    finally:
        agent.stop()
