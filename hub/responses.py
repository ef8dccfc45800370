"""Answers every web part of the hub shares: one content negotiation, one error body.

The API always answers JSON. A page answers JSON to its own ``fetch()`` calls
(they ask for it with ``Accept: application/json``) and an HTML page to a
browser; :mod:`hub.pages` renders that page in the visitor's language.
"""

from __future__ import annotations

from flask import Response, jsonify, request

from config.wire import error_body
from hub import errors
from hub.errors import HubError


def wants_json() -> bool:
    """True for ``/api/`` and for clients that ask for JSON rather than HTML."""
    if request.path.startswith("/api/") or request.is_json:
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def refuse_nul() -> None:
    """``before_request``: no NUL character in the path, the query or a form.

    PostgreSQL cannot store one in text, and no name, id or code ever holds one: a
    path that carries it names nothing (404), a query or a form that does is
    malformed (400) — never a database error.
    """
    if "\x00" in request.path:
        raise errors.NotFound()
    values = list(request.args.values())
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        values += list(request.form.values())
    if any("\x00" in value for value in values):
        raise errors.BadRequest("Yêu cầu có ký tự NUL", code="invalid_request")


def has_nul(value: object) -> bool:
    """True when a decoded JSON value holds a NUL character in any string or key.

    It walks the value with a stack of its own, not by recursion: a body the JSON
    parser read may still be nested too deeply for Python's recursion limit.
    """
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


def error_json(err: HubError) -> Response:
    """``{"error": {"code", "message"}}`` with the error's status."""
    response = jsonify(error_body(err.code, err.message))
    response.status_code = err.status
    return response
