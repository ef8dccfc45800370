"""What the hall screens learn of a counter's state: open, closed, paused."""

from __future__ import annotations

from typing import Any

from config.wire import EV_COUNTER, EV_COUNTER_STATUS, NS_DISPLAY
from hub.events import MemorySink
from tests.conftest import Api


def test_screens_hear_when_a_counter_opens_pauses_resumes_and_closes(app: Any, hub: Any) -> None:
    """GIVEN counter 1 closed and a screen listening on /display
    WHEN its officer opens, pauses, resumes and closes it
    THEN each step sends counter_status {id, name, status, paused}, the snapshot
    carries the same two fields, and a pause sends no `counter` event (the number
    served did not change)."""
    sink = MemorySink()
    hub.counters.sink = sink
    api = Api(app)
    staff = api.user("canbo1")
    snapshot = {c["id"]: c for c in hub.views.snapshot()["counters"]}
    assert (snapshot["1"]["status"], snapshot["1"]["paused"]) == ("closed", False)
    steps = [("open", ("open", False)), ("pause", ("open", True)),
             ("resume", ("open", False)), ("close", ("closed", False))]  # fmt: skip
    for action, (status, paused) in steps:
        sink.events.clear()
        assert api.post(f"/counters/1/{action}", staff).status_code == 200
        shown = [e for e in sink.events if e.namespace == NS_DISPLAY]
        found = [e.payload for e in shown if e.name == EV_COUNTER_STATUS]
        assert found == [{"id": "1", "name": "Quầy 1", "status": status, "paused": paused}]
        assert (EV_COUNTER in [e.name for e in shown]) is (action in ("open", "close"))
        if action == "pause":
            counter = next(c for c in hub.views.snapshot()["counters"] if c["id"] == "1")
            assert (counter["status"], counter["paused"]) == ("open", True)
            assert "staff" not in counter
