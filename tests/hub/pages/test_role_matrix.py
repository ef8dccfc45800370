"""Who may open each page: every route of the page blueprints, for every role.

The test walks the URL map, so a page added later without a :func:`requires`
declaration fails here, and each declared page is tried as a visitor, an
officer, a manager and an admin: a visitor is sent to the login page, a wrong
role gets 403, an allowed role gets through (to whatever the page answers).
The API's matrix is ``tests/hub/api/test_auth_matrix.py``; Socket.IO's is
``test_socket_matrix.py``.
"""

from __future__ import annotations

import re

import pytest

from tests.conftest import PASSWORD
from tests.hub.pages.conftest import Browser

PAGE_BLUEPRINTS = ("pages_auth", "console", "admin_pages")
ROLES = ("visitor", "staff", "manager", "admin")
# Expected access, so that a change of a page's roles must change this table too.
EXPECTED = {
    "pages_auth.home": (),
    "pages_auth.login": (),
    "pages_auth.logout": (),
    "console.pick": ("staff", "admin"),
    "console.open_counter": ("staff", "admin"),
    "console.console": ("staff", "admin"),
    "console.close_counter": ("staff", "admin"),
    "console.state": ("staff", "admin"),
    "console.act": ("staff", "admin"),
    "admin_pages.overview": ("admin",),
    "admin_pages.live": ("admin",),
    "admin_pages.close_counter": ("admin",),
    "admin_pages.users": ("admin",),
    "admin_pages.add_user": ("admin",),
    "admin_pages.set_password": ("admin",),
    "admin_pages.set_active": ("admin",),
    "admin_pages.devices": ("admin",),
    "admin_pages.add_device": ("admin",),
    "admin_pages.new_token": ("admin",),
    "admin_pages.revoke_device": ("admin",),
    "admin_pages.config": ("admin",),
    "admin_pages.reload_config": ("admin",),
    "admin_pages.audit": ("admin",),
    "admin_pages.audit_csv": ("admin",),
}


# Open to anyone, and sending a visitor to the login page is their job (home), or
# they end the session the matrix needs (logout; see test_security.py).
LOGIN_BY_DESIGN = {"pages_auth.home", "pages_auth.logout"}


def page_rules(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint.split(".")[0] in PAGE_BLUEPRINTS:
            yield rule


def test_every_page_declares_who_may_open_it(app) -> None:
    """GIVEN the URL map WHEN each page route's view is inspected THEN it was declared
    with ``requires`` and its roles are the ones this matrix expects."""
    seen = set()
    for rule in page_rules(app):
        view = app.view_functions[rule.endpoint]
        assert hasattr(view, "page_roles"), f"{rule.rule} has no requires() declaration"
        assert view.page_roles == EXPECTED[rule.endpoint], rule.endpoint
        seen.add(rule.endpoint)
    assert seen == set(EXPECTED)


def _client(app, role: str) -> Browser:
    b = Browser(app)
    if role == "visitor":
        b.client.get("/login")
        b.refresh_csrf()
        return b
    b.login(f"ma-{role}")
    return b


# Each role works its own counter, so that "allowed" is about the role, not about
# whose counter it is (test_console.py covers the latter).
OWN_COUNTER = {"visitor": "3", "staff": "1", "manager": "3", "admin": "2"}


def _reopen(hub) -> None:
    """Open the staff's and the admin's counters again (a close in the matrix shuts them)."""
    from hub.accounts import Actor

    for role in ("staff", "admin"):
        user = next(u for u in hub.users.list_users() if u["username"] == f"ma-{role}")
        actor = Actor("user", user["id"], user["username"], role)
        hub.counters.open(OWN_COUNTER[role], actor=actor)


@pytest.fixture
def clients(app, hub):
    for role in ROLES[1:]:
        hub.users.add_user(f"ma-{role}", PASSWORD, role)
    hub.users.add_user("target", PASSWORD, "staff")
    ids = {
        "user_id": str(next(u["id"] for u in hub.users.list_users() if u["username"] == "target")),
        "device_id": str(hub.devices.register_device("dev-1", "kiosk", None)[0]),
        "counter_id": "1",
        "action": "recall",
        "change": "enable",
    }
    return {role: _client(app, role) for role in ROLES}, ids


def test_each_role_gets_what_its_declaration_says(app, clients) -> None:
    """GIVEN a visitor, an officer, a manager and an admin WHEN each opens every page
    route (GET) and posts to every form route (with a valid CSRF token) THEN those not
    allowed are refused — visitors to the login page, wrong roles 403 — and those
    allowed are never refused."""
    by_role, ids = clients
    hub = app.extensions["motcua"]
    checked = 0
    for rule in page_rules(app):
        allowed = EXPECTED[rule.endpoint]
        if rule.endpoint == "pages_auth.logout":
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            for role in ROLES:
                b = by_role[role]
                values = {**ids, "counter_id": OWN_COUNTER[role]}
                path = re.sub(r"<(?:[^>:]+:)?(\w+)>", lambda m, v=values: v[m.group(1)], rule.rule)
                _reopen(hub)
                if method == "GET":
                    answer = b.get(path)
                else:
                    answer = b.post(path)
                status, where = answer.status_code, answer.headers.get("Location", "")
                answer.close()
                refused = status == 403 or (status in (302, 401) and where.startswith("/login"))
                if not allowed or role in allowed:
                    assert not refused or rule.endpoint in LOGIN_BY_DESIGN, (
                        f"{role} {method} {rule.rule} → {status} {where}"
                    )
                elif role == "visitor":
                    assert status == 302 and where.startswith("/login"), (
                        f"visitor {method} {rule.rule} → {status}"
                    )
                else:
                    assert status == 403, f"{role} {method} {rule.rule} → {status}"
                checked += 1
    assert checked >= 4 * (len(EXPECTED) - 1)
