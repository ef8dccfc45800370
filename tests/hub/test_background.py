"""The periodic jobs log a fault once when it starts or changes, and once when it ends;
never a line, or a traceback, at every turn (issue 12.4: a read-only database made
them write about 200 traceback lines in ten seconds)."""

from __future__ import annotations

import logging
import threading

import pytest

from hub.background import Background, Job
from hub.errors import StorageFull, StorageReadOnly

TICK_S = 0.005
DEADLINE_S = 20.0


class Scripted:
    """A job's turns: each raises what the script says (None: the turn works)."""

    def __init__(self, script: list[Exception | None]) -> None:
        self.script = script
        self.turns = 0
        self.done = threading.Event()

    def __call__(self) -> None:
        if self.turns >= len(self.script):
            self.done.set()
            return
        outcome = self.script[self.turns]
        self.turns += 1
        if outcome is not None:
            raise outcome


def run(script: list[Exception | None]) -> None:
    job = Scripted(script)
    background = Background([Job("test-job", job, lambda: TICK_S)])
    background.start()
    try:
        assert job.done.wait(DEADLINE_S), f"only {job.turns} turns in {DEADLINE_S} s"
    finally:
        background.stop()


def lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "hub.background"]


def test_a_storage_fault_is_one_line_then_one_when_it_ends(caplog) -> None:
    """GIVEN a job that meets a read-only database for 50 turns, then a full disk for 50,
    then works WHEN it runs THEN three lines: each fault once (no traceback), the end."""
    caplog.set_level(logging.INFO, logger="hub.background")
    run([StorageReadOnly()] * 50 + [StorageFull()] * 50 + [None])
    records = lines(caplog)
    assert [r.getMessage().split("(")[1].split(":")[0] for r in records[:2]] == [
        "storage_read_only",
        "storage_full",
    ]
    assert "works again" in records[2].getMessage()
    assert len(records) == 3
    assert all(r.exc_info is None for r in records)


def test_an_unexpected_error_gives_its_traceback_once(caplog) -> None:
    """GIVEN a job that fails the same unexpected way 50 turns in a row WHEN it runs THEN
    one line with the traceback (a bug to fix), and one when it works again."""
    caplog.set_level(logging.INFO, logger="hub.background")
    run([RuntimeError("boom")] * 50 + [None])
    records = lines(caplog)
    assert len(records) == 2
    assert records[0].exc_info is not None
    assert "works again" in records[1].getMessage()


def test_a_lost_database_is_said_once_by_the_leadership(caplog) -> None:
    """GIVEN PostgreSQL unreachable WHEN every job asks, turn after turn, whether it leads
    THEN one line says leadership is lost (not one per job per turn)."""
    from sqlalchemy import create_engine

    from hub.background import Leadership
    from tests.support.live import free_port

    engine = create_engine(f"postgresql+psycopg://nobody@127.0.0.1:{free_port()}/none")
    leadership = Leadership(engine)
    caplog.set_level(logging.INFO, logger="hub.background")
    try:
        for _ in range(5):
            for job in ("rating-windows", "unseen-calls", "outbox"):
                assert not leadership.leads(job)
    finally:
        engine.dispose()
    assert len(lines(caplog)) == 1
