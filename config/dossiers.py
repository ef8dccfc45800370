"""The ``[dossiers]`` and ``[export]`` sections: dossier codes (*mã hồ sơ*) attached to a
completed ticket, and the webhook that pushes each rated dossier to the province.

``pattern`` is the regular expression a whole code must match (after surrounding
spaces are dropped and letters made capitals); the default takes the one-stop
systems' codes such as ``000.00.12.H56-241204-0001``. ``scan_gap_ms`` is the longest
pause between two characters of a barcode scanner typing into the staff console
(a keyboard wedge): a person types slower, so a faster burst ending in Enter is a
scanned code, not the console's one-key shortcuts.

Example::

    [dossiers]
    pattern = '^[A-Z0-9.\\-]{6,40}$'

    [export]
    webhook_url = "https://motcua.tinh.gov.vn/api/danh-gia"
    token = "…"          # optional: sent as "Authorization: Bearer …"
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import Field, field_validator
from pydantic.dataclasses import dataclass

from config.base import STRICT

DEFAULT_PATTERN = r"^[A-Z0-9.\-]{6,40}$"


@dataclass(frozen=True, config=STRICT)
class DossierSettings:
    """The ``[dossiers]`` section (every key has a default)."""

    pattern: Annotated[str, Field(min_length=1, max_length=500)] = DEFAULT_PATTERN
    max_per_ticket: Annotated[int, Field(ge=1, le=50)] = 10
    scan_gap_ms: Annotated[int, Field(ge=5, le=1000)] = 50

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            compiled = re.compile(value)
        except re.error as err:
            raise ValueError(f"not a regular expression: {err}") from None
        if compiled.fullmatch(""):
            raise ValueError("must not match an empty code")
        return value


@dataclass(frozen=True, config=STRICT)
class ExportSettings:
    """The ``[export]`` section: where rated dossiers are pushed (none without a URL)."""

    webhook_url: Annotated[str, Field(pattern=r"^https?://\S+$")] | None = None
    token: Annotated[str, Field(min_length=1, max_length=500, pattern=r"^\S+$")] | None = None
    timeout_s: Annotated[float, Field(gt=0, le=120)] = 10.0
    batch_size: Annotated[int, Field(ge=1, le=500)] = 50
