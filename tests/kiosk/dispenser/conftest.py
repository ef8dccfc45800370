"""Fixtures of the kiosk agent's tests (helpers in ``support``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from gpiozero.pins.mock import MockFactory


@pytest.fixture
def database(sqlite_database):
    """The kiosk is not about storage: SQLite only."""
    return sqlite_database


@pytest.fixture
def mock_pins() -> Iterator[Any]:
    factory = MockFactory()
    yield factory
    factory.reset()


@pytest.fixture
def token(hub) -> str:
    return hub.devices.add_device("kiosk-test", "kiosk", None)
