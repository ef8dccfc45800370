"""What every page blueprint shares: error pages, the page context, JSON answers."""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from werkzeug.exceptions import HTTPException

from hub.context import current_hub
from hub.errors import HubError, http_error
from hub.pages.i18n import error_text
from hub.pages.labels import ROLE_LABELS, label
from hub.pages.security import current_actor, no_store
from hub.responses import error_json, wants_json

logger = logging.getLogger(__name__)


def error_page(err: HubError) -> Any:
    """An error as a page in the visitor's language (JSON to the pages' own fetches;
    a visitor who is not logged in goes to the login page)."""
    translated = HubError(error_text(err), code=err.code)
    translated.status = err.status
    if wants_json():
        return error_json(translated)
    if err.status == 401:
        return redirect(url_for("pages_auth.login", next=request.path))
    html = render_template(
        "error.html", status=err.status, code=err.code, message=translated.message
    )
    return html, err.status


def _http_error(err: HTTPException) -> Any:
    return error_page(http_error(err.code or 500))


def page_blueprint(name: str, import_name: str, **kwargs: Any) -> Blueprint:
    """A blueprint whose errors render as pages (or JSON for fetch) in the page's
    language, and whose answers are never cached."""
    bp = Blueprint(name, import_name, **kwargs)
    bp.register_error_handler(HubError, error_page)
    bp.register_error_handler(HTTPException, _http_error)
    bp.after_request(no_store)
    bp.context_processor(page_context)
    return bp


def page_context() -> dict[str, Any]:
    """The site and the logged-in user, for the layout of every page."""
    hub = current_hub()
    actor = current_actor()
    user = None
    if actor is not None:
        try:
            record = hub.users.get_user(actor.id)
        except HubError:
            record = {"display_name": None}
        user = {
            "username": actor.name,
            "name": record["display_name"] or actor.name,
            "role": actor.role,
            "role_label": label(ROLE_LABELS, actor.role),
        }
    return {"site": hub.config.site, "user": user, "has_dashboard": has_route("/dashboard")}


def has_route(prefix: str) -> bool:
    """True when some blueprint serves pages under ``prefix`` (e.g. the dashboard)."""
    return any(rule.rule.startswith(prefix) for rule in current_app.url_map.iter_rules())


def render_page(template: str, **context: Any) -> str:
    """Render one of our templates (the layout gets the site and user itself)."""
    return render_template(template, **context)
