"""Fixtures for the call screen: a real hub app on a temporary SQLite file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hub.app import create_app
from tests.conftest import close_app
from tests.display.web.livehub import (
    FAST_DISPLAY,
    Accounts,
    Caller,
    FakeClock,
    add_accounts,
    settings_for,
    write_config,
)


@pytest.fixture
def config_path(tmp_path: Path) -> Path:
    return write_config(tmp_path, **FAST_DISPLAY)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def app(tmp_path: Path, config_path: Path, clock: FakeClock) -> Iterator[Any]:
    app = create_app(settings_for(config_path, tmp_path, clock=clock))
    yield app
    close_app(app)


@pytest.fixture
def hub(app: Any) -> Any:
    return app.extensions["motcua"]


@pytest.fixture
def accounts(app: Any) -> Accounts:
    return add_accounts(app, counters=())


@pytest.fixture
def caller(app: Any, accounts: Accounts) -> Caller:
    return Caller(app, accounts)
