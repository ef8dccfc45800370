"""The ``[rating_pad]`` section: the satisfaction buttons of one or several counters.

One Pi serves one or several counters, each with its own device token (a pad
is bound to its counter on the hub). Buttons on GPIO, or keys of a USB
keypad, map to the rating levels. Example::

    [rating_pad]
    hub_url = "http://10.0.0.2:8080"     # or "https://…" with ca_file = "/etc/motcua/ca.pem"
    device = "pad-sanh-a"
    outbox = "/var/lib/motcua/rating-pad.sqlite"

    [[rating_pad.counters]]
    counter = "1"
    token_file = "/etc/motcua/pad-1.token"
    buttons = { very_satisfied = 17, satisfied = 27, unsatisfied = 22 }
    leds = { very_satisfied = 5, satisfied = 6, unsatisfied = 13 }

    [[rating_pad.counters]]
    counter = "2"
    token_file = "/etc/motcua/pad-2.token"
    keypad = { name = "USB Keypad", keymap = { KEY_KP1 = "very_satisfied", KEY_KP2 = "satisfied", KEY_KP3 = "unsatisfied" } }
"""  # noqa: E501

from __future__ import annotations

import socket
from dataclasses import field
from typing import Annotated

from pydantic import Field, model_validator
from pydantic.dataclasses import dataclass

from config.base import STRICT, CounterId, PinId, Slug
from config.hub import DEFAULT_LEVELS, DEFAULT_REASONS

__all__ = ["LEVELS", "PATHS", "PadCounter", "PadKeypad", "RatingPadSettings"]

PATHS: tuple[str, ...] = ("outbox", "ca_file", "counters[].token_file")
"""Keys holding a path, taken from the configuration file's folder when relative."""

LEVELS = tuple(level.id for level in DEFAULT_LEVELS)
"""The hub's default rating levels, best first: the pad's default buttons."""
NEGATIVE = tuple(level.id for level in DEFAULT_LEVELS if not level.positive)
REASONS = tuple(reason.id for reason in DEFAULT_REASONS)


@dataclass(frozen=True, config=STRICT)
class PadKeypad:
    """A USB keypad for one counter: evdev key name → level id."""

    keymap: dict[str, Slug]
    name: str | None = None
    path: str | None = None


@dataclass(frozen=True, config=STRICT)
class PadCounter:
    """The buttons of one counter and the token that speaks for it."""

    counter: CounterId
    token: str | None = None
    token_file: str | None = None
    buttons: dict[Slug, PinId] = field(default_factory=dict)
    leds: dict[Slug, PinId] = field(default_factory=dict)
    keypad: PadKeypad | None = None

    @model_validator(mode="after")
    def _wired(self) -> PadCounter:
        if not self.buttons and self.keypad is None:
            raise ValueError("give `buttons` (GPIO pins) or a `keypad`")
        if not (self.token or self.token_file):
            raise ValueError("give `token` or `token_file`")
        return self


@dataclass(frozen=True, config=STRICT)
class RatingPadSettings:
    """The ``[rating_pad]`` section."""

    hub_url: Annotated[str, Field(pattern=r"^https?://\S+$")]
    counters: Annotated[tuple[PadCounter, ...], Field(min_length=1)]
    ca_file: str | None = None
    device: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,47}$")] | None = None
    outbox: str = "var/rating-pad.sqlite"
    levels: tuple[Slug, ...] = LEVELS
    negative: tuple[Slug, ...] = NEGATIVE
    reasons: tuple[Slug, ...] = REASONS
    invite_s: Annotated[float, Field(gt=0, le=600)] = 30.0
    reason_s: Annotated[float, Field(gt=0, le=120)] = 10.0
    debounce_ms: Annotated[float, Field(ge=0, le=5000)] = 250.0
    pull_up: bool = True
    heartbeat_s: Annotated[float, Field(ge=5, le=3600)] = 60.0
    retry_max_s: Annotated[float, Field(gt=0, le=3600)] = 60.0

    @model_validator(mode="after")
    def _reason_pages(self) -> RatingPadSettings:
        # The reason step shows its page by LED codes up to 4 (see kiosk.rating_pad.loop).
        slots = max(1, len(self.levels) - 1)
        if len(self.reasons) > 4 * slots:
            raise ValueError(f"at most {4 * slots} reasons fit on {len(self.levels)} buttons")
        return self

    @property
    def device_name(self) -> str:
        """The pad's name, the first part of every press key (the host's, by default)."""
        return self.device or socket.gethostname().split(".")[0][:48] or "pad"
