"""Statistics: the figures managers read (:mod:`hub.stats.figures`) and the closing of
each day's queue figures they are read from (:mod:`hub.stats.daily`)."""

from hub.stats.daily import roll_queue_days, store_queue_day
from hub.stats.figures import GROUPINGS, StatsService, check_range

__all__ = ["GROUPINGS", "StatsService", "check_range", "roll_queue_days", "store_queue_day"]
