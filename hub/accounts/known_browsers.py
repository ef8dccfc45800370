"""Browsers a user has logged in from before, so that guessing elsewhere cannot lock
them out (OWASP's "device cookies").

A centre's staff share one NAT address, and anyone on the LAN knows their user names.
Counting failed logins per address and per user stops guessing, but it also lets one
person lock the whole counter floor out at opening time. So a successful login leaves
a signed cookie naming the user (up to :data:`MAX_USERS` per browser, with a random
key each). A login from a browser holding the user's key is *known*: its failures
are counted against that key alone (:data:`MAX_AGE_S`, ``login_max_attempts``) and
the address's and the user's lockouts do not apply to it. Every other login is
counted as before.
"""

from __future__ import annotations

import secrets
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer

COOKIE = "motcua_known"
MAX_AGE_S = 180 * 86_400
"""A browser stays known for half a year after its last login."""
MAX_USERS = 8
"""A shared counter PC remembers the last eight people who logged in on it."""


class KnownBrowsers:
    """Signs and reads the cookie (the hub's secret key; nothing is stored)."""

    def __init__(self, secret: str | bytes) -> None:
        self._serializer = URLSafeTimedSerializer(secret, salt="motcua-known-browser")

    def read(self, cookie: str | None) -> dict[str, str]:
        """User name → the browser's key for that user; empty when absent or forged."""
        if not cookie or len(cookie) > 4096:
            return {}
        try:
            data: Any = self._serializer.loads(cookie, max_age=MAX_AGE_S)
        except BadSignature:
            return {}
        if not isinstance(data, dict):
            return {}
        return {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, str)}

    def key_for(self, cookie: str | None, username: str) -> str | None:
        """The key this browser holds for ``username``, if it is known for that user."""
        return self.read(cookie).get(username)

    def remember(self, cookie: str | None, username: str) -> str:
        """The cookie's new value after ``username`` logged in (a fresh key for them,
        most recent first, the oldest forgotten past :data:`MAX_USERS`)."""
        known = {username: secrets.token_hex(12)}
        for name, key in self.read(cookie).items():
            if name != username and len(known) < MAX_USERS:
                known[name] = key
        return self._serializer.dumps(known)
