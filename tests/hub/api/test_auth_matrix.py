"""Every state-changing endpoint refuses a missing token (401) and a wrong role (403).

The test walks the app's URL map, so an endpoint added later without auth fails
here. Endpoints that are public by design are listed with their reason.
"""

from __future__ import annotations

import re

import pytest

from hub.api.spec import REGISTRY

# Capability URLs: knowing the ticket's long random id is the permission, like a
# link to a parcel's tracking page. Login is how a token is obtained at all.
PUBLIC_BY_DESIGN = {
    "auth.login",
    "tickets.cancel_ticket",
    "tickets.rate_ticket",
    "tickets.comment_ticket",  # the ticket's long random id is the permission, as to rate
}
STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}


def concrete(rule: str) -> str:
    return re.sub(r"<(?:[^>:]+:)?(\w+)>", lambda m: "1" if "counter" in m.group(1) else "x", rule)


def state_changing_rules(app):
    for rule in app.url_map.iter_rules():
        methods = (rule.methods or set()) & STATE_CHANGING
        for method in sorted(methods):
            yield rule, method


@pytest.fixture
def sqlite_app(demo_config, sqlite_database, tmp_path, clock):
    from tests.conftest import build_app

    return build_app(demo_config, sqlite_database, tmp_path, clock)


def test_every_state_changing_route_is_declared(sqlite_app) -> None:
    """GIVEN the URL map WHEN compared with the endpoint registry THEN no route
    bypasses the `endpoint` declaration (which enforces auth), except pages that
    carry their own session and CSRF checks."""
    declared = {(r.endpoint, r.method.upper()) for r in REGISTRY}
    for rule, method in state_changing_rules(sqlite_app):
        if rule.rule.startswith("/api/"):
            assert (rule.endpoint, method) in declared, f"{method} {rule.rule} is undeclared"


def test_missing_token_is_401_everywhere(sqlite_app) -> None:
    client = sqlite_app.test_client()
    checked = 0
    for rule, method in state_changing_rules(sqlite_app):
        if not rule.rule.startswith("/api/") or rule.endpoint in PUBLIC_BY_DESIGN:
            continue
        r = client.open(concrete(rule.rule), method=method, json={})
        assert r.status_code == 401, f"{method} {rule.rule} answered {r.status_code}"
        assert r.json["error"]["code"] == "unauthorized"
        checked += 1
    assert checked >= 14


def test_wrong_role_is_403_everywhere(sqlite_app) -> None:
    """GIVEN a token of every kind WHEN it calls an endpoint not meant for it THEN 403."""
    from tests.conftest import Api

    api = Api(sqlite_app)
    tokens = {
        ("user", "staff"): api.user("canbo", "staff"),
        ("user", "manager"): api.user("sep", "manager"),
        ("user", "admin"): api.user("quantri", "admin"),
        ("device", "kiosk"): api.device("k", "kiosk"),
        ("device", "rating-pad"): api.device("p", "rating-pad", "1"),
        ("device", "display"): api.device("d", "display"),
        ("device", "counter-keypad"): api.device("kp", "counter-keypad", "1"),
    }
    routes = {(r.endpoint, r.method.upper()): r for r in REGISTRY}
    client = sqlite_app.test_client()
    refused = 0
    for rule, method in state_changing_rules(sqlite_app):
        route = routes.get((rule.endpoint, method))
        if route is None or route.access.public:
            continue
        for (kind, role), headers in tokens.items():
            allowed = role in (route.access.roles if kind == "user" else route.access.devices)
            if allowed:
                continue
            r = client.open(concrete(rule.rule), method=method, json={}, headers=headers)
            assert r.status_code == 403, f"{kind}:{role} {method} {rule.rule} → {r.status_code}"
            refused += 1
    assert refused >= 60


def test_every_read_route_refuses_the_wrong_roles(sqlite_app) -> None:
    """GIVEN every GET endpoint that is not public (stats, admin, devices/me) WHEN called
    without a token THEN 401; WHEN called by a role or device not allowed THEN 403; the
    allowed ones are not refused."""
    from tests.conftest import Api

    api = Api(sqlite_app)
    tokens = {
        ("user", "staff"): api.user("canbo", "staff"),
        ("user", "manager"): api.user("sep", "manager"),
        ("user", "admin"): api.user("quantri", "admin"),
        ("device", "kiosk"): api.device("k", "kiosk"),
        ("device", "counter-keypad"): api.device("kp", "counter-keypad", "1"),
    }
    client = sqlite_app.test_client()
    checked = 0
    for route in REGISTRY:
        if route.method != "get" or route.access.public:
            continue
        path = concrete(route.rule) + (
            "?from=2026-01-01&to=2026-01-31" if "stats" in route.rule else ""
        )
        assert client.get(path).status_code == 401, path
        for (kind, role), headers in tokens.items():
            allowed = role in (route.access.roles if kind == "user" else route.access.devices)
            answer = client.get(path, headers=headers)
            # A refusal for the role is 403 "forbidden"; other 403 codes are the
            # endpoint's own rules (e.g. staff_view_disabled), not the role's.
            by_role = answer.status_code == 403 and answer.json["error"]["code"] == "forbidden"
            if allowed:
                assert answer.status_code != 401 and not by_role, f"{role} {path}"
            else:
                assert by_role, f"{role} {path} → {answer.status_code}"
            checked += 1
    assert checked >= 40


def test_admin_routes_are_for_admins_only() -> None:
    """GIVEN the registry WHEN the /admin API routes are listed THEN each allows the
    admin role and nothing else."""
    admin_routes = [r for r in REGISTRY if r.rule.startswith("/api/v1/admin/")]
    assert len(admin_routes) >= 11
    assert all(r.access.roles == ("admin",) and not r.access.devices for r in admin_routes)


def test_a_manager_cannot_call_and_staff_cannot_read_stats(api) -> None:
    manager = api.user("sep", "manager")
    staff = api.user("canbo")
    assert api.post("/counters/1/open", manager).status_code == 403
    assert api.post("/counters/1/call-next", manager).status_code == 403
    r = api.get("/stats/satisfaction?from=2026-01-01&to=2026-01-31", staff)
    assert r.status_code == 403


@pytest.mark.parametrize(
    "header",
    ["Bearer nope", "Basic dXNlcjpwYXNz", "Bearer ", "token", "Bearer " + "x" * 500],
)
def test_bad_tokens_are_401(api, header) -> None:
    r = api.post("/tickets", {"Authorization": header}, json={"service": "dat-dai"})
    assert r.status_code == 401
    assert r.json["error"]["code"] in ("unauthorized", "bad_token", "bad_authorization")


def test_expired_and_revoked_tokens(api, clock) -> None:
    staff = api.user("canbo")
    assert api.post("/counters/1/open", staff).status_code == 200
    assert api.post("/auth/logout", staff).status_code == 204
    assert api.post("/counters/1/close", staff).status_code == 401
    staff = api.user("canbo")
    clock.advance(12 * 3600 + 1)
    assert api.post("/counters/1/close", staff).status_code == 401


def test_revoked_device_is_401(api, hub) -> None:
    kiosk = api.device("k", "kiosk")
    assert api.post("/tickets", kiosk, json={"service": "dat-dai"}).status_code == 201
    device_id = next(d["id"] for d in hub.devices.list_devices() if d["name"] == "k")
    hub.devices.revoke_device(device_id)
    assert api.post("/tickets", kiosk, json={"service": "dat-dai"}).status_code == 401


def test_login_lockout_and_rate_limit(api) -> None:
    """GIVEN five wrong passwords WHEN the right one follows THEN the account is locked
    (429) for the lockout period."""
    api.user("canbo")
    for _ in range(5):
        r = api.post("/auth/login", json={"username": "canbo", "password": "wrong-password"})
        assert r.status_code == 401 and r.json["error"]["code"] == "bad_credentials"
    r = api.post("/auth/login", json={"username": "canbo", "password": "mat-khau-thu-nghiem-2026"})
    assert r.status_code == 429 and r.json["error"]["code"] == "account_locked"
    for i in range(16):
        api.post("/auth/login", json={"username": f"ghost{i}", "password": "wrong-password"})
    r = api.post("/auth/login", json={"username": "other", "password": "whatever-pass"})
    assert r.status_code == 429


def test_tokens_are_stored_hashed(api, hub) -> None:
    from sqlalchemy import select

    from hub.store.db import read
    from hub.store.tables import auth_tokens, devices, users

    headers = api.user("canbo")
    token = headers["Authorization"].split()[1]
    device_token = api.device("k", "kiosk")["Authorization"].split()[1]
    with read(hub.engine) as conn:
        stored = [r[0] for r in conn.execute(select(auth_tokens.c.token_hash))]
        stored += [r[0] for r in conn.execute(select(devices.c.token_hash))]
        password_hash = conn.execute(select(users.c.password_hash)).scalar_one()
    assert token not in stored and device_token not in stored
    assert password_hash.startswith("$argon2id$")


@pytest.fixture
def database(sqlite_database):
    """Auth is not about storage: these tests run on SQLite only."""
    return sqlite_database
