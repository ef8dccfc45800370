"""What every page blueprint shares: error pages, the page context, JSON answers."""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, Response, jsonify, redirect, render_template, request, url_for
from werkzeug.exceptions import HTTPException

from hub import errors
from hub.errors import HubError
from hub.pages.i18n import error_text
from hub.pages.labels import ROLE_LABELS, label
from hub.pages.security import current_actor, no_store, wants_json

logger = logging.getLogger(__name__)

_HTTP_CODES = {
    400: "invalid_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "invalid_request",
    413: "payload_too_large",
}


def json_error(status: int, code: str, message: str) -> Response:
    response = jsonify({"error": {"code": code, "message": message}})
    response.status_code = status
    return response


def _error_page(status: int, code: str, message: str) -> Any:
    if wants_json():
        return json_error(status, code, message)
    if status == 401:
        return redirect(url_for("pages_auth.login", next=request.path))
    html = render_template("error.html", status=status, code=code, message=message)
    return html, status


def _hub_error(err: HubError) -> Any:
    return _error_page(err.status, err.code, error_text(err))


def _http_error(err: HTTPException) -> Any:
    status = err.code or 500
    code = _HTTP_CODES.get(status, "invalid_request")
    return _error_page(status, code, error_text(errors.HubError(code=code)))


def page_blueprint(name: str, import_name: str, **kwargs: Any) -> Blueprint:
    """A blueprint whose errors render as pages (or JSON for fetch) in the page's
    language, and whose answers are never cached."""
    bp = Blueprint(name, import_name, **kwargs)
    bp.register_error_handler(HubError, _hub_error)
    bp.register_error_handler(HTTPException, _http_error)
    bp.after_request(no_store)
    bp.context_processor(page_context)
    return bp


def page_context() -> dict[str, Any]:
    """The site and the logged-in user, for the layout of every page."""
    from hub.context import current_hub

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
    from flask import current_app

    return any(rule.rule.startswith(prefix) for rule in current_app.url_map.iter_rules())


def render_page(template: str, **context: Any) -> str:
    """Render one of our templates (the layout gets the site and user itself)."""
    return render_template(template, **context)
