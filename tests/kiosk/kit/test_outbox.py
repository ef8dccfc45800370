"""The pad's on-disk outbox: keys, durability across restarts, the clock offset per boot."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from kiosk.kit.outbox import Outbox

T0 = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)


def test_keys_are_unique_and_survive_a_restart(tmp_path) -> None:
    """GIVEN presses stored by one process WHEN the outbox is reopened and more are stored
    THEN every key is distinct, they continue the sequence and all presses are still there."""
    path = tmp_path / "pad.sqlite"
    box = Outbox(path, "pad-a", boot_id="b1")
    first = [box.add("1", "satisfied", T0) for _ in range(3)]
    box.close()
    box = Outbox(path, "pad-a", boot_id="b1")
    second = [box.add("1", "satisfied", T0) for _ in range(2)]
    keys = first + second
    assert len(set(keys)) == 5 and box.count() == 5
    assert [k.rsplit(".", 1)[1] for k in keys] == ["00000001", "00000002", "00000003",
                                                   "00000004", "00000005"]  # fmt: skip
    assert all(k.startswith("pad-a.") for k in keys)


def test_a_new_file_gets_a_new_epoch(tmp_path) -> None:
    """GIVEN a pad whose outbox file was lost WHEN it starts over THEN its keys cannot
    collide with the ones the hub already holds."""
    a = Outbox(tmp_path / "a.sqlite", "pad-a").add("1", "satisfied", T0)
    b = Outbox(tmp_path / "b.sqlite", "pad-a").add("1", "satisfied", T0)
    assert a != b and a.endswith(".00000001") and b.endswith(".00000001")


def test_clock_offset_is_kept_only_within_one_boot(tmp_path) -> None:
    """GIVEN an offset measured in boot b1 WHEN the agent restarts in the same boot THEN it
    is reused; after a reboot (b2) it is unknown until measured again."""
    path = tmp_path / "pad.sqlite"
    box = Outbox(path, "pad-a", boot_id="b1")
    assert box.clock_offset_s is None
    box.set_clock_offset(-3600.5)
    box.add("1", "unsatisfied", T0)
    box.close()
    assert Outbox(path, "pad-a", boot_id="b1").clock_offset_s == -3600.5
    rebooted = Outbox(path, "pad-a", boot_id="b2")
    assert rebooted.clock_offset_s is None
    press = rebooted.due(T0)[0]
    assert press.clock_offset_s == -3600.5  # stored with the press when it was made
    assert press.wire()["clock_offset_s"] == -3600.5


def test_held_press_takes_a_reason_then_goes(tmp_path) -> None:
    """GIVEN a negative press held for its reason WHEN a reason is added and it is released
    THEN it becomes due with the reason; before that it is not due."""
    box = Outbox(tmp_path / "pad.sqlite", "pad-a")
    key = box.add("1", "unsatisfied", T0, hold_s=11)
    assert box.due(T0 + timedelta(seconds=5)) == []
    assert box.add_reason(key, "attitude") and box.add_reason(key, "attitude")
    box.release(key, T0 + timedelta(seconds=6))
    (press,) = box.due(T0 + timedelta(seconds=6))
    assert press.reasons == ("attitude",) and press.wire()["reasons"] == ["attitude"]
    box.delete([key])
    assert box.count() == 0 and not box.add_reason(key, "long_wait")


def test_backoff_grows_and_is_capped(tmp_path) -> None:
    """GIVEN a press that failed twice WHEN asked what is due THEN it waits 0.5 s, then 1 s,
    never more than the cap."""
    box = Outbox(tmp_path / "pad.sqlite", "pad-a", max_backoff_s=0.8)
    box.add("1", "satisfied", T0)
    (p,) = box.due(T0)
    assert box.backoff([p], "down", T0) == 0.5
    assert box.due(T0 + timedelta(seconds=0.4)) == []
    (p,) = box.due(T0 + timedelta(seconds=0.6))
    assert box.backoff([p], "down", T0) == 0.8


def test_bury_keeps_a_malformed_press_aside(tmp_path) -> None:
    """GIVEN a press the hub refuses as malformed WHEN buried THEN it leaves the queue but
    stays on disk with the error."""
    box = Outbox(tmp_path / "pad.sqlite", "pad-a")
    box.add("1", "satisfied", T0)
    (p,) = box.due(T0)
    box.bury(p, "400 invalid_body", T0)
    assert box.count() == 0
    import sqlite3

    db = sqlite3.connect(tmp_path / "pad.sqlite")
    rows = db.execute("SELECT key, error FROM dead").fetchall()
    db.close()
    assert rows == [(p.key, "400 invalid_body")]


def test_a_counters_presses_go_in_the_order_they_were_made(tmp_path) -> None:
    """GIVEN a press that failed while the hub was down (backing off), then a second
    press of the same counter and one of another counter
    WHEN asked what is due before the first's retry, and at it
    THEN the second waits for the first (the hub keeps a ticket's first rating), the
    other counter's goes at once, and at the retry both of the first counter go in order;
    the wakeup is the first's retry, not the blocked press's time."""
    box = Outbox(tmp_path / "pad.sqlite", "pad-a")
    first = box.add("1", "unsatisfied", T0)
    (p,) = box.due(T0)
    box.backoff([p], "down", T0)  # due again at T0 + 0.5 s
    second = box.add("1", "satisfied", T0 + timedelta(seconds=0.1))
    other = box.add("2", "satisfied", T0 + timedelta(seconds=0.1))
    now = T0 + timedelta(seconds=0.2)
    assert [press.key for press in box.due(now)] == [other]
    box.delete([other])
    assert box.due(now) == []
    assert box.next_wakeup() == T0 + timedelta(seconds=0.5)
    assert [press.key for press in box.due(T0 + timedelta(seconds=0.5))] == [first, second]


def test_a_held_press_holds_back_the_next_of_its_counter(tmp_path) -> None:
    """GIVEN a negative press held for its reason and a later press of the same counter
    WHEN the later one is ready first THEN it waits until the held one is released."""
    box = Outbox(tmp_path / "pad.sqlite", "pad-a")
    held = box.add("1", "unsatisfied", T0, hold_s=11)
    later = box.add("1", "satisfied", T0 + timedelta(seconds=2))
    assert box.due(T0 + timedelta(seconds=3)) == []
    box.release(held, T0 + timedelta(seconds=4))
    assert [p.key for p in box.due(T0 + timedelta(seconds=4))] == [held, later]


class SteppedClock:
    """The pad's two clocks: the wall clock, which NTP may step, and the monotonic one."""

    def __init__(self, wall: float) -> None:
        self.wall_s, self.mono_s = wall, 100.0

    def wall(self) -> float:
        return self.wall_s

    def monotonic(self) -> float:
        return self.mono_s

    def run(self, seconds: float) -> None:
        self.wall_s += seconds
        self.mono_s += seconds

    def step(self, seconds: float) -> None:
        self.wall_s += seconds

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.wall_s, UTC)


def test_a_clock_step_after_the_offset_was_measured_is_corrected(tmp_path) -> None:
    """GIVEN a pad that booted an hour behind and measured the hub's offset (+3600 s)
    WHEN NTP then steps its clock forward an hour and a citizen presses
    THEN the press carries an offset that still puts it at the hub's time of the press
    (before, the press was placed an hour in the future and refused); the same after the
    agent restarts in that boot."""
    clock = SteppedClock(T0.timestamp() - 3600)
    box = Outbox(tmp_path / "pad.sqlite", "pad-a", boot_id="b1", wall=clock.wall,
                 monotonic=clock.monotonic)  # fmt: skip
    box.set_clock_offset(3600.0)
    clock.run(10)
    clock.step(3600)  # NTP
    clock.run(5)
    box.add("1", "satisfied", clock.now())
    (press,) = box.due(clock.now())
    assert press.at + timedelta(seconds=press.clock_offset_s or 0) == T0 + timedelta(seconds=15)
    box.close()

    clock.run(5)
    again = Outbox(tmp_path / "pad.sqlite", "pad-a", boot_id="b1", wall=clock.wall,
                   monotonic=clock.monotonic)  # fmt: skip
    assert again.clock_offset_s == 0.0


def test_a_clock_stepped_back_does_not_hold_the_presses(tmp_path) -> None:
    """GIVEN a press backing off for a second after a failed send WHEN the clock is stepped
    back an hour THEN the press is due a second later by the clock that never steps, not
    an hour later."""
    clock = SteppedClock(T0.timestamp())
    box = Outbox(tmp_path / "pad.sqlite", "pad-a", wall=clock.wall, monotonic=clock.monotonic)
    box.add("1", "satisfied", clock.now())
    (press,) = box.due(clock.now())
    box.backoff([press], "hub down", clock.now())
    clock.step(-3600)
    assert box.due(clock.now()) == []
    clock.run(0.6)
    assert [p.key for p in box.due(clock.now())] == [press.key]
    wakeup = box.next_wakeup()
    assert wakeup is not None and wakeup <= clock.now()
