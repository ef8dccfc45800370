"""Answers every web part of the hub shares: one content negotiation, one error body.

The API always answers JSON. A page answers JSON to its own ``fetch()`` calls
(they ask for it with ``Accept: application/json``) and an HTML page to a
browser; :mod:`hub.pages` renders that page in the visitor's language.
"""

from __future__ import annotations

from flask import Response, jsonify, request

from config.wire import error_body
from hub.errors import HubError


def wants_json() -> bool:
    """True for ``/api/`` and for clients that ask for JSON rather than HTML."""
    if request.path.startswith("/api/") or request.is_json:
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def error_json(err: HubError) -> Response:
    """``{"error": {"code", "message"}}`` with the error's status."""
    response = jsonify(error_body(err.code, err.message))
    response.status_code = err.status
    return response
