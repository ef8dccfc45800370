"""Alerts on ratings: rules from ``[alerts]``, stored, logged and sent to a webhook."""

from hub.alerts.rules import StreakRule, check_periodic, raise_alert, recent_alerts

__all__ = ["StreakRule", "check_periodic", "raise_alert", "recent_alerts"]
