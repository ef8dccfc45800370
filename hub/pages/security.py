"""Web security of the pages: session, CSRF, roles, headers.

- **Session.** A signed cookie (HttpOnly, SameSite=Lax; Secure when
  ``security.secure_cookies`` is set, when ``[server]`` has TLS, or when the
  request came over HTTPS) holding
  ``token`` — the user's login token (``session["token"]``, resolved with
  ``hub.tokens.resolve`` on every request, so logout, expiry, a disabled
  account or a new password end the session at once) — and ``csrf``.
- **CSRF.** Every state-changing request outside ``/api/`` (which takes bearer
  tokens, never cookies) must carry the session's CSRF token in the form field
  ``csrf_token`` or the ``X-CSRF-Token`` header, and must not come from another
  origin. Templates get ``csrf_token()``; pages put it in a ``<meta>`` for JS.
- **Roles.** Each page view is declared with :func:`requires`; the role matrix
  test walks the URL map and fails on a page view that is not. A view may also
  take a user's ``Authorization: Bearer`` token (``bearer=True``, as the API
  does; a browser never sends one by itself) and may answer JSON only
  (``json_only=True``: no login is a 401, never the login page).
- **Headers.** A Content-Security-Policy with no inline script, nosniff,
  frame denial, a strict referrer policy, and HSTS (one year) on every answer
  given over HTTPS, on every response that did not set its own. A hub with
  ``[server] tls_cert`` serves HTTPS only (gunicorn), so its every answer has it.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from collections.abc import Callable
from dataclasses import replace
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Response, g, redirect, request, session, url_for
from flask.sessions import SecureCookieSessionInterface

from config.wire import ROLES
from hub import errors
from hub.accounts import Actor
from hub.context import current_hub
from hub.responses import wants_json

logger = logging.getLogger(__name__)

SESSION_COOKIE = "motcua_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; media-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}
#: Endpoints (``blueprint.view``) that take a state-changing request without a
#: CSRF token. Empty: nothing outside /api/ needs to.
CSRF_EXEMPT: set[str] = set()


class CsrfFailed(errors.BadRequest):
    """A form without the session's CSRF token, or from another site."""

    code = "csrf_failed"
    message = "Biểu mẫu đã hết hạn hoặc không đến từ trang này; hãy tải lại trang"


class HubSessionInterface(SecureCookieSessionInterface):
    """The signed-cookie session, marked Secure also when the request was HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config.get("SESSION_COOKIE_SECURE")) or request.is_secure


# ------------------------------------------------------------------- CSRF
def csrf_token() -> str:
    """The session's CSRF token (created on first use)."""
    token = session.get("csrf")
    if not isinstance(token, str) or len(token) < 32:
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return token


def _origin_ok() -> bool:
    """False when the browser says the request comes from another origin."""
    origin = request.headers.get("Origin")
    if origin is None or origin == "null":
        referer = request.headers.get("Referer")
        if not referer:
            return origin is None  # no header at all: not a cross-site browser form
        origin = referer
    return urlsplit(origin).netloc == request.host


def check_csrf() -> None:
    """``before_request``: refuse a state-changing page request without the token."""
    if request.method not in STATE_CHANGING or request.path.startswith("/api/"):
        return
    if request.endpoint in CSRF_EXEMPT:
        return
    expected = session.get("csrf")
    sent = request.headers.get(CSRF_HEADER) or request.form.get(CSRF_FIELD, "")
    if not isinstance(expected, str) or not sent or not _origin_ok():
        raise CsrfFailed()
    if not hmac.compare_digest(expected.encode(), sent.encode()):
        raise CsrfFailed()


# ------------------------------------------------------------------ roles
def current_actor(*, bearer: bool = False) -> Actor | None:
    """The logged-in user of this request, or None.

    The user comes from ``session["token"]``; with ``bearer`` (views declared
    ``requires(..., bearer=True)``) an ``Authorization: Bearer`` header, when
    there is one, decides instead, as on the API. Only users count: a device's
    token is no login.
    """
    token = _bearer_token() if bearer else None
    if token is not None:
        if "bearer_actor" not in g:
            g.bearer_actor = _user(_resolve(token))
        return g.bearer_actor
    if "actor" not in g:
        token = session.get("token")
        actor = _user(_resolve(token)) if isinstance(token, str) else None
        if actor is None and token:
            session.pop("token", None)  # expired, revoked or disabled: forget it
        g.actor = actor
    return g.actor


def _bearer_token() -> str | None:
    """The token of an ``Authorization: Bearer`` header, or None without one."""
    header = request.headers.get("Authorization", "")
    return header[7:].strip() if header.lower().startswith("bearer ") else None


def _resolve(token: str) -> Actor | None:
    """Whoever ``token`` belongs to (user or device), or None."""
    return current_hub().tokens.resolve(token)


def _user(actor: Actor | None) -> Actor | None:
    """``actor`` when it is a user (with the request's address), else None."""
    if actor is None or actor.kind != "user":
        return None
    return replace(actor, address=(request.remote_addr or "unknown")[:64])


def requires(
    *roles: str, bearer: bool = False, json_only: bool = False
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare who may open a page view: a logged-in user with one of ``roles``.

    No role means anyone, logged in or not. A visitor who is not logged in is
    sent to the login page (a fetch, and any visitor of a ``json_only`` view,
    gets 401); a wrong role gets 403. With ``bearer`` the view also takes a
    user's bearer token (see :func:`current_actor`).
    """
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles {sorted(unknown)}")

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def guarded(**kwargs: Any) -> Any:
            if roles:
                actor = current_actor(bearer=bearer)
                if actor is None:
                    if json_only or wants_json() or request.method in STATE_CHANGING:
                        raise errors.Unauthorized()
                    return redirect(url_for("pages_auth.login", next=_next_path()))
                if actor.role not in roles:
                    raise errors.Forbidden()
            return view(**kwargs)

        guarded.page_roles = tuple(roles)  # type: ignore[attr-defined]
        return guarded

    return decorate


def _next_path() -> str:
    path = request.full_path if request.query_string else request.path
    return path.rstrip("?")


def safe_next(value: str | None) -> str | None:
    """A same-site path to go to after login, or None (no open redirects)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return None
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return None
    return value


# ---------------------------------------------------------------- headers
def security_headers(response: Response) -> Response:
    """``after_request``: the headers every response gets unless it set its own."""
    if "Content-Security-Policy" not in response.headers:
        response.headers["Content-Security-Policy"] = CSP
        response.headers.setdefault("X-Frame-Options", "DENY")
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


def no_store(response: Response) -> Response:
    """Pages with a user's data are never kept by caches or the back button."""
    response.headers["Cache-Control"] = "no-store"
    response.vary.add("Cookie")
    return response


def init(app: Flask) -> None:
    """Install the session interface, the CSRF check and the security headers."""
    app.session_interface = HubSessionInterface()
    app.config["SESSION_COOKIE_NAME"] = SESSION_COOKIE
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.before_request(check_csrf)
    app.after_request(security_headers)
    app.jinja_env.globals.update(csrf_token=csrf_token, CSRF_FIELD=CSRF_FIELD)
