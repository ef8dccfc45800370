"""The counter tablet: ``/rate/<counter>``, a rating pad with a screen.

A tablet on the counter shows the counter, the officer's name (display name,
never the login), three big labelled buttons and, after a negative one, every
reason as a button of its own. It is a ``rating-pad`` device bound to its
counter: it hears ``rating_open``/``rating_close`` on Socket.IO ``/devices`` as
the pads do, and posts to ``POST /api/v1/ratings``, so the hub applies the same
window and linking rules (:mod:`hub.satisfaction`). A press with no ticket to
rate is refused by the hub and the tablet says so.

Setting up: open ``/rate/<counter>#token=<device token>`` once. The fragment
never leaves the browser (no server or proxy log holds the token); the page keeps
the token in the browser's local storage and drops it from the address bar. The
page itself holds nothing secret; its state comes from ``GET /api/v1/rate/<counter>``
with that token (:mod:`hub.tablet.api`); it sends a heartbeat every minute, so
administrators see the tablet online like any device. Everything is served by the hub (no
CDN); the words go through Flask-Babel, Vietnamese first.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from flask import Blueprint, Flask, Response, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from hub.context import current_hub
from hub.tablet.api import bp as api_bp
from hub.ticket_pages import page_headers, socket_script

__all__ = ["bp", "register"]

bp = Blueprint(
    "tablet",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/tablet/static",
)


def _words() -> dict[str, str]:
    """The words ``tablet.js`` shows, in the page's language."""
    return {
        "invite": _("Please rate our service"),
        "idle": _("How satisfied are you with the service at this counter?"),
        "no_officer": _("No officer at this counter now"),
        "reasons": _("What were you not satisfied with?"),
        "skip": _("Skip"),
        "thanks": _("Thank you for your rating"),
        "no_ticket": _("There is no service just completed at this counter to rate."),
        "already_rated": _("This service has already been rated."),
        "refused": _("The rating was not accepted."),
        "offline": _("Cannot reach the centre's server. Please try again."),
        "setup": _(
            "This tablet is not set up. Open this page once with #token= and the "
            "rating pad token of this counter after its address."
        ),
        "wrong_counter": _("This tablet's token belongs to another counter."),
        "bad_token": _("This tablet's token is not valid. Set it up again."),
    }


@bp.get("/rate/<string(maxlength=32):counter_id>")
def rate_page(counter_id: str) -> Response:
    """The tablet page of one counter (404 for a counter the site does not have)."""
    config = current_hub().config
    counter = next((c for c in config.counters if c.id == counter_id), None)
    if counter is None:
        html = render_template("tablet_missing.html", site=config.site)
        return Response(html, status=404, mimetype="text/html")
    english = str(get_locale()) == "en"
    page = {
        "counter": counter_id,
        "state_api": url_for("tablet_api.tablet_state", counter_id=counter_id),
        "rating_api": "/api/v1/ratings",
        "levels": [
            {
                "id": lv.id,
                "label": (lv.label_en if english and lv.label_en else lv.label),
                "positive": lv.positive,
            }
            for lv in config.ratings.levels
        ],
        "reasons": [
            {"id": r.id, "label": (r.label_en if english and r.label_en else r.label)}
            for r in config.ratings.reasons
        ],
        "reason_s": config.ratings.reason_s,
        "heartbeat_api": "/api/v1/devices/heartbeat",
        "version": _version(),
        "t": _words(),
    }
    html = render_template(
        "tablet.html", page=page, counter=counter, site=config.site, socket=socket_script()
    )
    response = Response(html, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    return response


def _version() -> str:
    """What the page reports in its heartbeats, as the agents do: ``motcua-tablet/<release>``."""
    try:
        return f"motcua-tablet/{version('motcua')}"
    except PackageNotFoundError:  # pragma: no cover - a source tree without metadata
        return "motcua-tablet/0.0.0"


bp.after_request(page_headers)


def register(app: Flask) -> None:
    """Add the tablet page and its API to the hub."""
    app.register_blueprint(bp)
    app.register_blueprint(api_bp)
