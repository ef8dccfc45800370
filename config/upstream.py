"""The ``[upstream]`` section: forwarding a centre's ratings to a district or
province hub (absent: nothing is forwarded).

Example::

    [upstream]
    url = "http://10.1.0.2:8080"
    token_file = "upstream.token"   # made on the upstream with `motcua upstream link NAME`
    batch_size = 200
    interval_s = 5
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field
from pydantic.dataclasses import dataclass

from config.base import STRICT, HttpUrl

PATHS = ("token_file",)
"""Keys holding a path, taken from the configuration file's folder when relative."""


@dataclass(frozen=True, config=STRICT)
class UpstreamSettings:
    """Where and how to forward."""

    url: HttpUrl
    token: str | None = None
    token_file: str | None = None
    batch_size: Annotated[int, Field(ge=1, le=500)] = 200
    interval_s: Annotated[float, Field(gt=0, le=3600)] = 5.0
    timeout_s: Annotated[float, Field(gt=0, le=120)] = 10.0
    forward_queue: bool = True
