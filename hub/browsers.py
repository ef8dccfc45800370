"""The known-browser cookie around a login (:mod:`hub.accounts.known_browsers`), for
the login page and ``POST /api/v1/auth/login`` alike."""

from __future__ import annotations

from flask import Response, after_this_request, current_app, request

from hub.accounts.known_browsers import COOKIE, MAX_AGE_S, KnownBrowsers


def _browsers() -> KnownBrowsers:
    return KnownBrowsers(current_app.secret_key or "")


def known_key(username: str) -> str | None:
    """This browser's key for ``username`` when it logged in as them before."""
    return _browsers().key_for(request.cookies.get(COOKIE), username)


def remember_browser(username: str) -> None:
    """After a successful login: this browser is known for ``username`` from now on
    (the cookie is set on the response; Secure under TLS, as the session's)."""
    value = _browsers().remember(request.cookies.get(COOKIE), username)
    secure = bool(current_app.config.get("SESSION_COOKIE_SECURE"))

    @after_this_request
    def set_cookie(response: Response) -> Response:
        response.set_cookie(
            COOKIE, value, max_age=MAX_AGE_S, secure=secure, httponly=True, samesite="Lax"
        )
        return response
