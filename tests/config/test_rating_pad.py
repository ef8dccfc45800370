"""The ``[rating_pad]`` section's limit on reasons: the LED codes show at most 4 pages."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from config.rating_pad import PadCounter, RatingPadSettings

COUNTER = PadCounter(counter="1", token="t", buttons={"very_satisfied": 17})


def test_six_reasons_fit_and_nine_do_not() -> None:
    """GIVEN three buttons (two reason slots, four pages) THEN the six default reasons fit and
    nine are refused with a one-line reason."""
    assert len(RatingPadSettings(hub_url="http://h", counters=(COUNTER,)).reasons) == 6
    with pytest.raises(ValidationError, match="at most 8 reasons fit on 3 buttons"):
        RatingPadSettings(
            hub_url="http://h", counters=(COUNTER,), reasons=tuple(f"r{n}" for n in range(9))
        )
