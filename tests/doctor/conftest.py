"""Fixtures of the doctor's tests (helpers in ``tests.doctor.support``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import hardware.keypad
from tests.doctor.support import PipeKeypad, serve


@pytest.fixture
def database(sqlite_database):
    """The doctor reads the database only on the hub's own checks: SQLite here."""
    return sqlite_database


@pytest.fixture
def live(app) -> Iterator[str]:
    """The hub on a real threaded server on 127.0.0.1."""
    with serve(app) as url:
        yield url


@pytest.fixture(autouse=True)
def environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A data folder of the test's own (the machine's checks look at its disk), and none
    of the caller's motcua variables."""
    data = tmp_path / "data"
    data.mkdir()
    for name in ("MOTCUA_CONFIG", "MOTCUA_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MOTCUA_DATA", str(data))
    return data


@pytest.fixture(autouse=True)
def free_pins() -> Iterator[None]:
    """Each test starts with gpiozero's default (mock) pins free."""
    yield
    from gpiozero import Device

    if Device.pin_factory is not None:
        Device.pin_factory.reset()


@pytest.fixture
def keypads(monkeypatch: pytest.MonkeyPatch) -> Iterator[set[str]]:
    """The names (or paths) of the keypads plugged in: the agents' reader finds a fresh
    pipe-backed device for each, as it finds ``/dev/input/event*``; none by default."""
    plugged: set[str] = set()
    made: list[PipeKeypad] = []

    def find(name: str | None, path: str | None) -> Any:
        if (name or path) not in plugged:
            return None
        made.append(PipeKeypad())
        return made[-1]

    monkeypatch.setattr(hardware.keypad, "_find_device", find)
    yield plugged
    for keypad in made:
        keypad.close()


@pytest.fixture
def keypad(keypads: set[str]) -> str:
    """The kiosk's keypad of these tests, plugged in."""
    keypads.add("Doctor Keypad")
    return "Doctor Keypad"
