"""Calls no screen showed within ack_timeout_s: logged once, listed for managers."""

from __future__ import annotations

import logging
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from hub.background import BACKGROUND_EXTENSION, start_background
from hub.screens import check_unseen, flag_unseen, unseen_calls
from hub.store.db import make_test_engine
from tests.display.web.livehub import Caller, FakeClock


def _ack(app: Any, seq: int, kind: str = "shown", screen: str = "sanh-tv1") -> Any:
    """A registered screen's acknowledgement over the real /display namespace handler."""
    hub = app.extensions["motcua"]
    token = hub.devices.add_device("tv-sanh", "display", None)
    client = hub.socketio.test_client(app, namespace="/display", auth={"token": token})
    try:
        return client.emit(
            "ack", {"seq": seq, "kind": kind, "screen": screen}, namespace="/display", callback=True
        )
    finally:
        client.disconnect(namespace="/display")


def test_calls_not_shown_in_time_are_logged_once(
    app: Any, hub: Any, caller: Caller, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    """GIVEN three calls, the second acknowledged "shown" by a screen at once
    WHEN the check runs 3 s after the first call and again 10 s later
    THEN only the first and third are logged, each once, with number and counter;
    the third (made 1 s later) only on the second run."""
    first = caller.call("1", "dat-dai")
    second = caller.call("1", "dat-dai")
    assert _ack(app, second["seq"]) == {"ok": True}
    clock.advance(1)
    third = caller.call("1", "dat-dai")
    clock.advance(2)
    with caplog.at_level(logging.WARNING, logger="hub.screens.unseen"):
        found = check_unseen(hub.engine, timeout_s=3.0, now=clock())
        assert [c.seq for c in found] == [first["seq"]]
        clock.advance(10)
        later = check_unseen(hub.engine, timeout_s=3.0, now=clock())
        assert [c.seq for c in later] == [third["seq"]]
        assert check_unseen(hub.engine, timeout_s=3.0, now=clock()) == []
    messages = [r.getMessage() for r in caplog.records if r.name == "hub.screens.unseen"]
    assert len(messages) == 2
    assert f"number {first['number']} at counter 1" in messages[0]
    assert f"number {third['number']} at counter 1" in messages[1]


@pytest.mark.parametrize("returning", [True, False], ids=["update-returning", "per-row-update"])
def test_two_processes_never_log_the_same_call(
    app: Any, caller: Caller, clock: FakeClock, tmp_path: Path, returning: bool
) -> None:
    """GIVEN six unseen calls and two hub processes (separate engines) on one database
    WHEN both check at the same moment, many times
    THEN every call is reported by exactly one of them (with and without RETURNING)."""
    seqs = [caller.call("1", "dat-dai")["seq"] for _ in range(6)]
    clock.advance(60)
    engines = [make_test_engine(f"sqlite:///{tmp_path / 'motcua.db'}") for _ in range(2)]
    for engine in engines:
        engine.dialect.update_returning = returning
    start = threading.Barrier(2)
    reported: list[list[int]] = [[], []]

    def check(index: int) -> None:
        start.wait()
        for _ in range(5):
            found = flag_unseen(engines[index], timeout_s=3.0, now=clock())
            reported[index] += [c.seq for c in found]

    threads = [threading.Thread(target=check, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    for engine in engines:
        engine.dispose()
    assert sorted(reported[0] + reported[1]) == seqs


def test_unseen_calls_lists_calls_never_shown_or_shown_late(
    app: Any, hub: Any, caller: Caller, clock: FakeClock
) -> None:
    """GIVEN a call shown after 1 s, one shown after 5 s (a screen reconnecting) and one
    never shown, then a call two hours later
    WHEN a manager lists the unseen calls of the first hour (3 s allowed)
    THEN the late and the never-shown calls are listed with their delays, oldest first."""
    start = clock()
    on_time = caller.call("1", "dat-dai")
    late = caller.call("1", "dat-dai")
    never = caller.call("1", "dat-dai")
    clock.advance(1)
    _ack(app, on_time["seq"])
    clock.advance(4)
    _ack(app, late["seq"])
    _ack(app, never["seq"], kind="spoken")  # spoken without being shown still is not shown
    clock.advance(7200)
    caller.call("1", "dat-dai")
    found = unseen_calls(hub.engine, start, until=start + timedelta(hours=1), timeout_s=3.0)
    assert [c.seq for c in found] == [late["seq"], never["seq"]]
    assert found[0].delay_s == pytest.approx(5.0)
    assert found[1].as_dict() == {
        "seq": never["seq"],
        "number": never["number"],
        "service": "dat-dai",
        "counter": "1",
        "at": "2026-11-27T02:00:00Z",
        "shown_at": None,
        "delay_s": None,
    }


def test_watcher_thread_logs_an_unseen_call(
    app: Any, hub: Any, caller: Caller, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    """GIVEN a test app (which starts no watcher by itself) and one call nobody showed
    WHEN the watcher is started explicitly and the clock passes ack_timeout_s
    THEN its thread logs the call within a few ticks."""
    assert BACKGROUND_EXTENSION not in app.extensions
    call = caller.call("1", "dat-dai")
    with caplog.at_level(logging.WARNING, logger="hub.screens.unseen"):
        watcher = start_background(app, only=["unseen-calls"], tick_s=0.02)
        try:
            clock.advance(hub.config.display.ack_timeout_s + 0.1)
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline and not caplog.records:
                time.sleep(0.02)
        finally:
            watcher.stop()
    assert [r.getMessage().split(" (")[0] for r in caplog.records] == [f"call {call['seq']}"]
