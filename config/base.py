"""Types every section's schema shares: strict frozen dataclasses, ids, names."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import ConfigDict, Field

STRICT = ConfigDict(extra="forbid", str_strip_whitespace=True)
"""Unknown keys are errors (with a "did you mean"), so a typo never silently
falls back to a default."""

Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]
CounterId = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")]
Name = Annotated[str, Field(min_length=1, max_length=200)]
HttpUrl = Annotated[str, Field(pattern=r"^https?://[^\s/]+\S*$")]
HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
PinId = int | str
"""A GPIO pin: a BCM number (``17``) or a gpiozero name (``"GPIO17"``, ``"BOARD11"``)."""
