"""The ``[alerts]`` section: alert rules on ratings and the misuse thresholds.

Rules (see the hub's alerts): ``negative_streak`` negative ratings in a row at
one counter; a counter's satisfaction rate over ``low_rate_days`` under
``low_rate_below``; a rating pad silent for ``silent_pad_min`` minutes in
opening hours. ``[alerts.flags]`` holds the thresholds that mark a rating as
suspicious (a burst of presses, a level's share far off its baseline, a pad's
clock far off the hub's).
"""

# No ``from __future__ import annotations``: the loader reads the field types of
# nested dataclasses to suggest "did you mean" for a misspelt key in [alerts.flags].

from typing import Annotated

from pydantic import Field
from pydantic.dataclasses import dataclass

from config.base import STRICT


@dataclass(frozen=True, config=STRICT)
class FlagSettings:
    """Misuse thresholds of ``[alerts.flags]``."""

    burst_count: Annotated[int, Field(ge=2, le=1000)] = 5
    burst_window_s: Annotated[float, Field(gt=0, le=3600)] = 30.0
    share_min_ratings: Annotated[int, Field(ge=1, le=10_000)] = 15
    share_z: Annotated[float, Field(gt=0, le=20)] = 3.0
    share_min_excess: Annotated[float, Field(ge=0, le=1)] = 0.2
    share_baseline_days: Annotated[int, Field(ge=1, le=365)] = 30
    share_baseline_min: Annotated[int, Field(ge=1, le=100_000)] = 30
    clock_tolerance_s: Annotated[float, Field(gt=0, le=86_400)] = 120.0


@dataclass(frozen=True, config=STRICT)
class AlertSettings:
    """The ``[alerts]`` section (every key has a default)."""

    negative_streak: Annotated[int, Field(ge=0, le=100)] = 3
    low_rate_below: Annotated[float, Field(ge=0, le=1)] = 0.8
    low_rate_days: Annotated[int, Field(ge=1, le=366)] = 7
    low_rate_min_ratings: Annotated[int, Field(ge=1, le=100_000)] = 10
    silent_pad_min: Annotated[int, Field(ge=0, le=10_080)] = 30
    cooldown_min: Annotated[int, Field(ge=0, le=10_080)] = 60
    check_every_s: Annotated[int, Field(ge=5, le=86_400)] = 60
    webhook_url: Annotated[str, Field(pattern=r"^https?://\S+$")] | None = None
    flags: FlagSettings = FlagSettings()
