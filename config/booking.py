"""The ``[booking]`` section: remote tickets taken from the public ``/book`` page."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field
from pydantic.dataclasses import dataclass

from config.base import STRICT, Slug


@dataclass(frozen=True, config=STRICT)
class BookingSettings:
    """Remote tickets (off by default)."""

    enabled: bool = False
    per_phone_per_day: Annotated[int, Field(ge=1, le=20)] = 1
    rate_limit: Annotated[int, Field(ge=1, le=1000)] = 5
    rate_window_s: Annotated[int, Field(ge=10, le=86_400)] = 600
    services: tuple[Slug, ...] = ()
    cutoff_min: Annotated[int, Field(ge=0, le=600)] = 30
