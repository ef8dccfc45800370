"""Languages of the pages: Vietnamese by default, English second (Flask-Babel).

The locale is ``?lang=en|vi`` (remembered in a cookie), else the cookie, else
Vietnamese: a centre's PCs speak Vietnamese whatever the browser says.
Message ids are English; ``hub/translations/vi`` holds the Vietnamese of every
one (a test fails on a missing or fuzzy entry), ``en`` is the identity.

Times are shown in the site's timezone as ``27/11/2026 14:05`` in both
languages (the glossary's format).

Errors raised by the services carry Vietnamese messages (the JSON API speaks
Vietnamese); the pages show them through :func:`error_text`, which translates
them by their ``code``.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from babel.dates import format_datetime as babel_format_datetime
from flask import Flask, Response, current_app, request
from flask_babel import Babel, get_locale, lazy_gettext
from flask_babel import gettext as _

from hub.context import current_hub
from hub.errors import HubError

logger = logging.getLogger(__name__)

LOCALES = ("vi", "en")
DEFAULT_LOCALE = "vi"
LANG_COOKIE = "motcua_lang"
LANG_COOKIE_MAX_AGE = 365 * 86400
LOCALE_NAMES = {"vi": "Tiếng Việt", "en": "English"}

# Messages of the service errors the pages can meet, by error code.
ERROR_MESSAGES: dict[str, Any] = {
    "bad_credentials": lazy_gettext("Wrong user name or password."),
    "account_locked": lazy_gettext(
        "This account is locked for a while after too many wrong passwords. Try again later."
    ),
    "too_many_attempts": lazy_gettext("Too many attempts. Please wait and try again."),
    "counter_taken": lazy_gettext("Another officer is already working at this counter."),
    "already_at_counter": lazy_gettext(
        "You already have a counter open. Close it before opening another."
    ),
    "counter_closed": lazy_gettext("This counter is not open."),
    "counter_paused": lazy_gettext("The counter is paused. Resume before calling."),
    "not_your_counter": lazy_gettext("Only the officer who opened this counter can work on it."),
    "no_current_ticket": lazy_gettext("No number is being served at this counter."),
    "same_service": lazy_gettext("The ticket already belongs to this field."),
    "cannot_transfer": lazy_gettext("This ticket cannot be transferred now."),
    "unknown_service": lazy_gettext("Unknown field."),
    "invalid_dossier": lazy_gettext(
        "A dossier code is not valid, or there are too many. Check the codes and try again."
    ),
    "unknown_counter": lazy_gettext("Unknown counter."),
    "race_lost": lazy_gettext("Another counter has just called that number. Call again."),
    "too_soon": lazy_gettext("A number was called a moment ago. Wait a few seconds."),
    "invalid_username": lazy_gettext(
        "User names use lowercase letters without accents, digits, dot, hyphen and "
        "underscore (2–64 characters)."
    ),
    "invalid_role": lazy_gettext("Unknown role."),
    "user_exists": lazy_gettext("This user name is already taken."),
    "unknown_user": lazy_gettext("Unknown user."),
    "cannot_disable_self": lazy_gettext("You cannot disable your own account."),
    "invalid_kind": lazy_gettext("Unknown device kind."),
    "invalid_name": lazy_gettext(
        "Device names use letters without accents, digits, dot, hyphen and underscore."
    ),
    "counter_required": lazy_gettext("This kind of device must belong to a counter."),
    "device_exists": lazy_gettext("A device with this name already exists."),
    "unknown_device": lazy_gettext("Unknown device."),
    "config_invalid": lazy_gettext(
        "The configuration file has errors; the configuration in force is unchanged."
    ),
    "csrf_failed": lazy_gettext(
        "This form has expired or did not come from this site. Reload the page and try again."
    ),
    "password_mismatch": lazy_gettext("The two passwords do not match."),
    "unauthorized": lazy_gettext("Please log in again."),
    "forbidden": lazy_gettext("You are not allowed to do this."),
    "payload_too_large": lazy_gettext("What was sent is too large."),
    "not_found": lazy_gettext("Not found."),
    "invalid_request": lazy_gettext("The request is not valid."),
    "storage_full": lazy_gettext(
        "The server's disk is full: nothing was saved. Please tell the administrator."
    ),
    "storage_read_only": lazy_gettext(
        "The database is read-only: nothing was saved. Please tell the administrator."
    ),
}


def password_error_text(err: Any) -> str:
    """The translated reason a password was refused (``hub.accounts.WeakPassword``)."""
    reason = getattr(err, "reason", "")
    params = getattr(err, "params", {})
    if reason == "too_short":
        return _("The password must have at least %(min)d characters.", min=params.get("min", 0))
    if reason == "too_long":
        return _("The password is longer than %(max)d characters.", max=params.get("max", 256))
    if reason == "contains_username":
        return _("The password must not contain the user name.")
    if reason == "common":
        return _("This password is too common and easy to guess.")
    return _("The password is too simple.")


def error_text(err: HubError) -> str:
    """The message of a service error in the page's language."""
    if err.code == "weak_password":
        return password_error_text(err)
    message = ERROR_MESSAGES.get(err.code)
    return str(message) if message is not None else err.message


def select_locale() -> str:
    """``?lang=``, else the language cookie, else Vietnamese."""
    asked = request.args.get("lang", "")
    if asked in LOCALES:
        return asked
    saved = request.cookies.get(LANG_COOKIE, "")
    return saved if saved in LOCALES else DEFAULT_LOCALE


def _remember_locale(response: Response) -> Response:
    asked = request.args.get("lang", "")
    if asked in LOCALES and request.cookies.get(LANG_COOKIE) != asked:
        response.set_cookie(
            LANG_COOKIE,
            asked,
            max_age=LANG_COOKIE_MAX_AGE,
            httponly=True,
            samesite="Lax",
            secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")) or request.is_secure,
        )
    return response


def local_time(value: datetime | None, fmt: str = "dd/MM/yyyy HH:mm") -> str:
    """``value`` (UTC) in the site's timezone, e.g. ``27/11/2026 14:05``."""
    if value is None:
        return ""
    zone = ZoneInfo(current_hub().config.site.timezone)
    return babel_format_datetime(value, fmt, tzinfo=zone, locale=str(get_locale() or "vi"))


def lang_url(code: str) -> str:
    """The current page in another language."""
    args = {k: v for k, v in request.args.items() if k != "lang"}
    args["lang"] = code
    return f"{request.path}?{urlencode(args)}"


def current_locale() -> str:
    return str(get_locale() or DEFAULT_LOCALE)


def init(app: Flask, hub: Any) -> None:
    """Install Flask-Babel with our locale and timezone selection."""
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LOCALE)
    Babel(
        app,
        locale_selector=select_locale,
        timezone_selector=lambda: hub.config.site.timezone,
    )
    app.after_request(_remember_locale)
    app.jinja_env.globals.update(
        local_time=local_time,
        lang_url=lang_url,
        current_locale=current_locale,
        LOCALES=LOCALES,
        LOCALE_NAMES=LOCALE_NAMES,
    )
