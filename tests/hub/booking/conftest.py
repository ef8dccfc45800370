"""Booking fixtures: a hub with ``[booking]`` on SQLite and PostgreSQL, its /book form
tokens and requests, and the fake gateway (:mod:`tests.hub.booking.gateway`)."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from config.paths import EXAMPLES
from config.schema import Config, parse_config
from tests.conftest import build_app, close_app
from tests.hub.booking.gateway import gateway

__all__ = [
    "HOURS",
    "book",
    "booking_app",
    "booking_config",
    "form_token",
    "gateway",
    "make_app",
    "send_code",
]

# The fake clock starts on Friday 27/11/2026 at 09:00 in Hà Nội (02:00 UTC).
HOURS = {"open": "07:30", "close": "17:00", "weekdays": [1, 2, 3, 4, 5]}
ADDRESS = "203.0.113.7"


def booking_config(booking: dict[str, Any] | None, hours: dict[str, Any] | None = HOURS) -> Config:
    """The demo centre with ``[booking]`` = ``booking`` and the given opening hours."""
    raw = tomllib.loads((EXAMPLES / "demo.toml").read_text("utf-8"))
    if hours is not None:
        raw["site"]["hours"] = hours
    if booking is not None:
        raw["booking"] = booking
    return parse_config(raw, "booking.toml")


def _apps(db: Any, tmp_path: Any, clock: Any) -> Iterator[Callable[..., Any]]:
    made: list[Any] = []

    def make(booking: dict[str, Any] | None, hours: dict[str, Any] | None = HOURS) -> Any:
        folder = tmp_path / f"hub{len(made)}"
        folder.mkdir()
        app = build_app(booking_config(booking, hours), db, folder, clock)
        made.append(app)
        return app

    yield make
    for app in made:
        close_app(app)


@pytest.fixture
def booking_app(database, tmp_path, clock) -> Iterator[Callable[..., Any]]:
    """``booking_app(booking, hours=HOURS)``: a hub app on this test's database
    (SQLite and PostgreSQL); several share the database, as processes would."""
    yield from _apps(database, tmp_path, clock)


@pytest.fixture
def make_app(sqlite_database, tmp_path, clock) -> Iterator[Callable[..., Any]]:
    """:func:`booking_app` on SQLite only (rules that do not depend on the database)."""
    yield from _apps(sqlite_database, tmp_path, clock)


def form_token(client: Any) -> str:
    """The form token of a freshly opened /book page."""
    html = client.get("/book").get_data(as_text=True)
    match = re.search(r'"token": ?"([^"]+)"', html.replace("&#34;", '"'))
    assert match, "the /book page carries a form token"
    return match.group(1)


def book(client: Any, token: str, phone: str = "0912 345 678", service: str = "dat-dai",
         address: str = ADDRESS, **extra: Any) -> Any:  # fmt: skip
    """``POST /api/v1/bookings`` as the page sends it."""
    return client.post(
        "/api/v1/bookings",
        json={"service": service, "phone": phone, **extra},
        headers={"X-Booking-Token": token},
        environ_base={"REMOTE_ADDR": address},
    )


def send_code(client: Any, token: str, phone: str = "0912 345 678", service: str = "dat-dai",
              address: str = ADDRESS) -> Any:  # fmt: skip
    """``POST /api/v1/bookings/code`` as the page sends it."""
    return client.post(
        "/api/v1/bookings/code",
        json={"service": service, "phone": phone},
        headers={"X-Booking-Token": token},
        environ_base={"REMOTE_ADDR": address},
    )
