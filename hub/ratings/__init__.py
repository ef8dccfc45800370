"""Pure rating maths: satisfaction rate, mean score, coverage, period keys, misuse flags."""

from hub.ratings.flags import FlagRules
from hub.ratings.maths import (
    GROUPINGS,
    Tally,
    coverage,
    period_key,
    period_label,
    quarter_of,
)

__all__ = [
    "GROUPINGS",
    "FlagRules",
    "Tally",
    "coverage",
    "period_key",
    "period_label",
    "quarter_of",
]
