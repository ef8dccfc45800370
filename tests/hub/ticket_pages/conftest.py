"""Fixtures for the ticket pages' tests: SQLite, a kiosk and an officer."""

from __future__ import annotations

import pytest


@pytest.fixture
def database(sqlite_database):
    """Pages are not about storage: SQLite only."""
    return sqlite_database


@pytest.fixture
def kiosk(api):
    return api.device("kiosk-1", "kiosk")


@pytest.fixture
def staff(api):
    return api.user("canbo1")
