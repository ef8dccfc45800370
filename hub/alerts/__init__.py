"""Alerts on ratings: rules from ``[alerts]``, stored, logged and sent to a webhook."""

from hub.alerts.rules import RULE_LABELS, StreakRule, check_periodic, raise_alert, recent_alerts

__all__ = ["RULE_LABELS", "StreakRule", "check_periodic", "raise_alert", "recent_alerts"]
