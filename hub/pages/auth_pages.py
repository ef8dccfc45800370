"""Log in and out of the pages; ``/`` sends each role to its page.

Logging in through the page issues a login token exactly as
``POST /api/v1/auth/login`` does (same lockout per user and per address, the same
exemption of a browser the user logged in from before, same audit rows) and keeps
it in ``session["token"]``; logging out revokes it.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import redirect, request, session, url_for
from flask_babel import gettext as _

from hub.browsers import known_key, remember_browser
from hub.context import current_hub, remote_address
from hub.errors import HubError
from hub.pages.common import has_route, page_blueprint, render_page
from hub.pages.i18n import error_text
from hub.pages.security import csrf_token, current_actor, requires, safe_next

logger = logging.getLogger(__name__)

bp = page_blueprint("pages_auth", __name__)

MAX_USERNAME = 64
MAX_PASSWORD = 256


def home_for(role: str) -> str:
    """Where a role starts: staff the console, admins the admin pages."""
    if role == "admin":
        return url_for("admin_pages.overview")
    if role == "manager" and has_route("/dashboard"):
        return "/dashboard"
    if role == "staff":
        return url_for("console.pick")
    return url_for("pages_auth.home")


@bp.get("/")
@requires()
def home() -> Any:
    """A logged-in staff member or admin goes to their page; others see the links."""
    actor = current_actor()
    if actor is None:
        return redirect(url_for("pages_auth.login"))
    target = home_for(actor.role)
    if target != url_for("pages_auth.home"):
        return redirect(target)
    return render_page("home.html", has_display=has_route("/display"))


@bp.route("/login", methods=["GET", "POST"])
@requires()
def login() -> Any:
    """The login form; a POST checks the password and starts a session."""
    hub = current_hub()
    next_path = safe_next(request.values.get("next"))
    if request.method == "GET":
        actor = current_actor()
        if actor is not None:
            return redirect(next_path or home_for(actor.role))
        return render_page(
            "login.html", next=next_path, username="", no_users=hub.users.user_count() == 0
        )
    username = request.form.get("username", "").strip()[:MAX_USERNAME]
    password = request.form.get("password", "")[:MAX_PASSWORD]
    address = remote_address()
    if not username or not password:
        return _login_failed(_("Enter your user name and password."), username, next_path, 400)
    try:
        known = known_key(username)
        result = hub.tokens.login(username, password, address, kind="session", known=known)
    except HubError as err:
        hub.audit.record(
            "login_failed",
            actor=f"user:{username}",
            address=address,
            after={"reason": err.code, "via": "page"},
        )
        return _login_failed(error_text(err), username, next_path, err.status)
    # A fresh session (new CSRF token too): nothing from before the login survives.
    session.clear()
    session["token"] = result["token"]
    csrf_token()
    hub.audit.record(
        "login",
        actor=f"user:{username}",
        address=address,
        after={"role": result["role"], "via": "page"},
    )
    remember_browser(username)
    return redirect(next_path or home_for(result["role"]))


def _login_failed(message: str, username: str, next_path: str | None, status: int) -> Any:
    html = render_page(
        "login.html", next=next_path, username=username, error=message, no_users=False
    )
    return html, status


@bp.post("/logout")
@requires()
def logout() -> Any:
    """Revoke the session's token and forget the session."""
    hub = current_hub()
    actor = current_actor()
    token = session.get("token")
    if isinstance(token, str) and token:
        hub.tokens.logout(token)
    if actor is not None:
        hub.audit.record(
            "logout", actor=actor.label, address=remote_address(), after={"via": "page"}
        )
    session.clear()
    return redirect(url_for("pages_auth.login"))
