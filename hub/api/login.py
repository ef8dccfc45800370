"""``/auth``: log in and out with a user name and password."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request

from config.wire import ROLES
from hub import errors
from hub.accounts import Actor
from hub.api.models import LoginIn, LoginOut
from hub.api.spec import PUBLIC, Access, endpoint
from hub.browsers import known_key, remember_browser
from hub.context import current_hub, remote_address

bp = Blueprint("auth", __name__, url_prefix="/api/v1")
ANY_USER = Access(roles=ROLES)


@endpoint(
    bp,
    "/auth/login",
    "POST",
    summary="Log in; returns a bearer token",
    access=PUBLIC,
    body=LoginIn,
    response=LoginOut,
    errors_=(400, 401, 429),
)
def login(*, actor: Actor | None, body: LoginIn) -> dict[str, Any]:
    hub = current_hub()
    address = remote_address()
    try:
        known = known_key(body.username)
        result = hub.tokens.login(body.username, body.password, address, known=known)
    except errors.HubError as err:
        hub.audit.record(
            "login_failed",
            actor=f"user:{body.username[:64]}",
            address=address,
            after={"reason": err.code, "via": "api"},
        )
        raise
    hub.audit.record(
        "login",
        actor=f"user:{body.username}",
        address=address,
        after={"role": result["role"], "via": "api"},
    )
    remember_browser(body.username)
    return {
        "token": result["token"],
        "role": result["role"],
        "expires_at": result["expires_at"].isoformat().replace("+00:00", "Z"),
    }


@endpoint(
    bp,
    "/auth/logout",
    "POST",
    summary="Revoke the bearer token",
    access=ANY_USER,
    status=204,
    errors_=(401, 403),
)
def logout(*, actor: Actor | None) -> None:
    token = request.headers.get("Authorization", "").partition(" ")[2].strip()
    current_hub().tokens.logout(token)
    current_hub().audit.record(
        "logout",
        actor=actor.label if actor else "?",
        address=remote_address(),
        after={"via": "api"},
    )
