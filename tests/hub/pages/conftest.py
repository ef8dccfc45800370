"""Fixtures for the page tests: a logged-in browser-like client per role."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.conftest import PASSWORD

CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)">')
CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def database(sqlite_database):
    """The pages are not about storage: SQLite only."""
    return sqlite_database


class Browser:
    """A Flask test client that logs in through the login page, like a person."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.client = app.test_client()
        self.csrf = ""

    def login(self, username: str, password: str = PASSWORD, **extra: str) -> Any:
        page = self.client.get("/login")
        token = CSRF_FIELD.search(page.get_data(as_text=True)).group(1)
        data = {"username": username, "password": password, "csrf_token": token, **extra}
        answer = self.client.post("/login", data=data)
        self.refresh_csrf()
        return answer

    def refresh_csrf(self) -> str:
        """The session's CSRF token, as the page's <meta> carries it."""
        with self.client.session_transaction() as session:
            self.csrf = session.get("csrf", "")
        return self.csrf

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.client.get(path, **kwargs)

    def post(self, path: str, data: dict[str, str] | None = None, **kwargs: Any) -> Any:
        """A form post with the CSRF token."""
        return self.client.post(path, data={"csrf_token": self.csrf, **(data or {})}, **kwargs)

    def act(self, counter: str, action: str, body: dict[str, Any] | None = None) -> Any:
        """A console action, as the page's script sends it."""
        return self.client.post(
            f"/counter/{counter}/action/{action}",
            json=body or {},
            headers={"X-CSRF-Token": self.csrf, "Accept": "application/json"},
        )


@pytest.fixture
def browser(app):
    """``browser("canbo1", "staff")``: a new user logged in through the page."""

    def make(username: str, role: str = "staff", display_name: str | None = None) -> Browser:
        hub = app.extensions["motcua"]
        hub.users.add_user(username, PASSWORD, role, display_name=display_name)
        b = Browser(app)
        answer = b.login(username)
        if answer.status_code != 302:
            raise RuntimeError(f"page login failed: {answer.status_code}")
        return b

    return make


@pytest.fixture
def kiosk(api):
    return api.device("kiosk-test", "kiosk")
