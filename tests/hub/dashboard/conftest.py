"""Fixtures of the dashboard tests."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.conftest import PASSWORD
from tests.support.history import demo_history

CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def database(sqlite_database):
    """The dashboard is not about storage: SQLite only."""
    return sqlite_database


@pytest.fixture
def history(hub, api, clock):
    """Six weeks of demo history up to 27 Nov 2026, then one live rating today at counter 1."""
    return demo_history(hub, api)


def page_login(client: Any, username: str, query: str = "") -> Any:
    """Log ``username`` in through the login page (``query``: e.g. ``?lang=en``)."""
    page = client.get(f"/login{query}").get_data(as_text=True)
    token = CSRF_FIELD.search(page).group(1)
    form = {"username": username, "password": PASSWORD, "csrf_token": token}
    return client.post("/login", data=form)
