"""The app-wide error handlers: JSON for the API and for clients that ask for it.

Page blueprints answer their own errors as pages (:mod:`hub.pages.common`); what
reaches these handlers comes from the API, the Socket.IO endpoint, the screens
or a path that exists nowhere.
"""

from __future__ import annotations

import logging

from flask import Blueprint, Response, render_template_string, request
from werkzeug.exceptions import HTTPException

from hub.errors import HubError, http_error
from hub.responses import error_json, wants_json

logger = logging.getLogger(__name__)

bp = Blueprint("errors", __name__)

_PLAIN_PAGE = (
    "<!doctype html><meta charset=utf-8><title>{{ m }}</title>"
    "<link rel=icon href=\"{{ url_for('static', filename='favicon.svg') }}\" type=image/svg+xml>"
    "<h1>{{ m }}</h1>"
)


@bp.app_errorhandler(HubError)
def hub_error(err: HubError) -> Response:
    return error_json(err)


@bp.app_errorhandler(HTTPException)
def web_error(err: HTTPException) -> Response | tuple[str, int]:
    found = http_error(err.code or 500)
    if not wants_json() and found.status in (404, 405):
        return render_template_string(_PLAIN_PAGE, m=found.message), found.status
    return error_json(found)


@bp.app_errorhandler(Exception)
def unexpected(err: Exception) -> Response:
    logger.exception("unexpected error on %s %s", request.method, request.path)
    return error_json(http_error(500))
