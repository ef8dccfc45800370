"""The counters of one site: their actions (call next, complete…) and views."""

from hub.counters.actions import CounterService
from hub.counters.views import CounterViews

__all__ = ["CounterService", "CounterViews"]
