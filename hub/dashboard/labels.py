"""The dashboard's words, with English message ids (Flask-Babel, ``hub/translations``).

The codes of other packages (alert rules, misuse flags, refused presses, device
kinds) get their words here, at the dashboard's edge, so that ``hub.alerts`` and
the pure ``hub.ratings`` need no Flask. Where the pages already use an English
word with another Vietnamese one, the dashboard's has the context ``dashboard``
(``pgettext``; a literal, so that ``pybabel extract`` sees it).

``dashboard.js`` gets its words from :func:`script_strings`, in the page's
``data-i18n`` attribute (the CSP allows no inline script).
"""

from __future__ import annotations

import logging
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext, pgettext

from hub.alerts.rules import LOW_RATE, NEGATIVE_STREAK, SILENT_PAD
from hub.ratings.flags import BURST, CLOCK, LEVEL_SHARE, NO_TICKET

logger = logging.getLogger(__name__)

PRESET_LABELS: dict[str, Any] = {
    "day": _l("Today"),
    "week": _l("This week"),
    "month": _l("Month"),
    "quarter": _l("Quarter"),
    "half": _l("6 months"),
    "nine_months": _l("9 months"),
    "year": _l("Year"),
}

RULE_LABELS: dict[str, Any] = {
    NEGATIVE_STREAK: _l("Streak of negative ratings"),
    LOW_RATE: _l("Satisfaction rate under threshold"),
    SILENT_PAD: _l("Silent rating pad"),
}

FLAG_LABELS: dict[str, Any] = {
    BURST: _l("Burst of presses"),
    NO_TICKET: _l("Press with no ticket"),
    LEVEL_SHARE: _l("One level far above its usual share"),
    CLOCK: _l("Pad clock off"),
}

# Why the hub refused a raw press (``rating_presses.code``).
REFUSAL_LABELS: dict[str, Any] = {
    "no_ticket": _l("No ticket"),
    "already_rated": _l("Already rated"),
    "invalid_time": _l("Invalid time"),
    "unknown_level": _l("Unknown level"),
    "unknown_reason": _l("Unknown reason"),
}

# A remote ticket's status, as the list of unverified bookings shows it.
TICKET_STATUS_LABELS: dict[str, Any] = {
    "waiting": _l("Waiting"),
    "called": _l("Being served"),
    "done": _l("Completed"),
    "no_show": _l("No-show"),
    "cancelled": _l("Cancelled"),
}

DEVICE_KIND_LABELS: dict[str, Any] = {
    "kiosk": lazy_pgettext("dashboard", "Ticket kiosk"),
    "rating-pad": _l("Rating pad"),
    "display": _l("Call screen"),
    "counter-keypad": _l("Counter keypad"),
    "hub": _l("Hub link"),
}


def refused_text() -> str:
    """What the dashboard's 403 page says (the JSON error says it in Vietnamese)."""
    return _("Only managers and administrators can see this page")


def script_strings() -> dict[str, str]:
    """The words ``dashboard.js`` shows (``T.<key>``), in the request's language."""
    return {
        "rate": _("Counter satisfaction rate"),
        "mean": _("Mean score (0–2 scale, our own convention)"),
        "ratings": _("Ratings"),
        "coverage": _("Coverage (rated / served)"),
        "served": pgettext("dashboard", "Served"),
        "flagged": _("Flagged ratings"),
        "flagged_note": _("left out of the rates"),
        "flagged_in": _("included in the rates"),
        "name": _("Name"),
        "total": _("Total"),
        "waiting": _("People waiting"),
        "open_counters": _("Open counters"),
        "avg_wait": _("Avg wait today"),
        "longest_wait": _("Longest wait"),
        "field": _("Field"),
        "no_alerts": _("No alerts"),
        "online": _("Online"),
        "offline": _("Offline"),
        "last_seen": _("Last seen"),
        "none": _("None"),
        "updated": _("Updated"),
        "open": pgettext("dashboard", "Open"),
        "paused": _("Paused"),
        "closed": pgettext("dashboard", "Closed"),
        "minutes": _("min"),
        "time": pgettext("dashboard", "Time"),
        "counter": _("Counter"),
        "staff": _("Officer"),
        "level": _("Level"),
        "flags": _("Flags"),
        "number": _("Number"),
        "weekdays": _("Mon,Tue,Wed,Thu,Fri,Sat,Sun"),
        "empty": _("No ratings in this period"),
        "remote_total": _("Remote tickets"),
        "unverified": _("Phone not verified"),
        "status": _("Status"),
    }
