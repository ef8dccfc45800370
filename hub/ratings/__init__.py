"""Pure rating maths: satisfaction rate, mean score, coverage, period keys."""

from hub.ratings.maths import (
    GROUPINGS,
    Tally,
    coverage,
    period_key,
    period_label,
    quarter_of,
)

__all__ = ["GROUPINGS", "Tally", "coverage", "period_key", "period_label", "quarter_of"]
