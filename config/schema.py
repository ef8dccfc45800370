"""The whole configuration file: one field per section, each validated on load.

Each part lives in its own module (:mod:`config.hub`, :mod:`config.alerts`,
:mod:`config.upstream`, :mod:`config.booking`, and one per agent:
:mod:`config.kiosk`, :mod:`config.rating_pad`, :mod:`config.counter_keypad`,
:mod:`config.display_agent`); this module puts them together. Every section is
checked when the file is loaded (see :mod:`config.loader`), so a mistake anywhere
stops any command at start.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from config.alerts import AlertSettings
from config.booking import BookingSettings
from config.counter_keypad import CounterKeypadSettings
from config.display_agent import DisplayAgentSettings
from config.hub import (
    Counter,
    Display,
    Level,
    Queue,
    Ratings,
    Retention,
    Security,
    Server,
    Service,
    Site,
)
from config.kiosk import KioskSettings
from config.rating_pad import RatingPadSettings
from config.upstream import UpstreamSettings


@dataclass(frozen=True)
class Config:
    """A whole, validated configuration file."""

    path: str
    site: Site
    services: tuple[Service, ...]
    counters: tuple[Counter, ...]
    queue: Queue
    ratings: Ratings
    display: Display
    security: Security
    server: Server = field(default_factory=Server)
    retention: Retention = field(default_factory=Retention)
    alerts: AlertSettings = field(default_factory=AlertSettings)
    booking: BookingSettings = field(default_factory=BookingSettings)
    upstream: UpstreamSettings | None = None
    kiosk: KioskSettings | None = None
    rating_pad: RatingPadSettings | None = None
    counter_keypad: CounterKeypadSettings | None = None
    display_agent: DisplayAgentSettings | None = None

    def service(self, service_id: str) -> Service | None:
        """The field ``service_id``, or None."""
        return next((s for s in self.services if s.id == service_id), None)

    def counter(self, counter_id: str) -> Counter | None:
        """The counter ``counter_id``, or None."""
        return next((c for c in self.counters if c.id == counter_id), None)

    def level(self, level_id: str) -> Level | None:
        """The rating level ``level_id``, or None."""
        return next((lv for lv in self.ratings.levels if lv.id == level_id), None)
