"""Bad input everywhere gets a clear 4xx with the error body and changes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from hub.api.models import CounterOut, ServiceOut, TicketOut
from hub.store.db import read
from hub.store.tables import rating_presses, tickets


@pytest.fixture
def database(sqlite_database):
    return sqlite_database


@pytest.fixture
def kiosk(api):
    return api.device("k1", "kiosk")


def ticket_count(hub) -> int:
    with read(hub.engine) as conn:
        return int(conn.execute(select(func.count()).select_from(tickets)).scalar_one())


def assert_error(r, status: int, code: str | None = None) -> None:
    assert r.status_code == status, (r.status_code, r.data[:300])
    body = r.json
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}
    assert body["error"]["message"]
    if code:
        assert body["error"]["code"] == code


@pytest.mark.parametrize(
    ("payload", "content_type", "code"),
    [
        ("{bad json", "application/json", "invalid_json"),
        ("", "application/json", "invalid_json"),
        ("[]", "application/json", "invalid_body"),
        ('"dat-dai"', "application/json", "invalid_body"),
        ('{"service": 5}', "application/json", "invalid_body"),
        ('{"service": null}', "application/json", "invalid_body"),
        ('{"service": "dat-dai", "priority": 3}', "application/json", "invalid_body"),
        ('{"service": "dat-dai", "extra": true}', "application/json", "invalid_body"),
        ('{"service": "../../etc/passwd"}', "application/json", "invalid_body"),
        ('{"service": "' + "a" * 500 + '"}', "application/json", "invalid_body"),
        ("service=dat-dai", "application/x-www-form-urlencoded", "invalid_json"),
        ('{"service": "dat-dai"}', "text/plain", "invalid_json"),
        ("\xff\xfe", "application/json", "invalid_json"),
    ],
)
def test_malformed_ticket_requests(api, hub, kiosk, payload, content_type, code) -> None:
    before = ticket_count(hub)
    r = api.post("/tickets", kiosk, data=payload, content_type=content_type)
    assert_error(r, 400, code)
    assert ticket_count(hub) == before


def test_body_over_the_limit_is_413(api, hub, kiosk) -> None:
    r = api.post("/tickets", kiosk, data='{"service": "' + "x" * (1024 * 1024 + 10) + '"}',
                 content_type="application/json")  # fmt: skip
    assert_error(r, 413, "payload_too_large")
    assert ticket_count(hub) == 0


@pytest.mark.parametrize(
    "path",
    ["/tickets/nope", "/tickets/" + "x" * 65, "/tickets/%2e%2e%2fetc", "/tickets/a%00b",
     "/tickets/../services/x", "/tickets/Đất"],
)  # fmt: skip
def test_unknown_or_tricky_ticket_ids_are_404(api, path) -> None:
    r = api.get(path)
    assert_error(r, 404)


@pytest.mark.parametrize("counter", ["99", "x" * 40, "..", "%2F"])
def test_unknown_counters_are_404(api, counter) -> None:
    staff = api.user("canbo")
    r = api.post(f"/counters/{counter}/open", staff)
    assert r.status_code == 404


def test_unknown_service_is_404_and_unknown_route_is_json_404(api, kiosk) -> None:
    assert_error(api.post("/tickets", kiosk, json={"service": "khong-co"}), 404, "unknown_service")
    assert_error(api.get("/nothing-here"), 404, "not_found")
    assert_error(api.client.delete("/api/v1/tickets"), 405, "method_not_allowed")


def test_transfer_validates_its_body(api, kiosk) -> None:
    staff = api.user("canbo")
    api.issue(kiosk)
    api.post("/counters/1/open", staff)
    api.post("/counters/1/call-next", staff)
    assert_error(api.post("/counters/1/transfer", staff, json={}), 400, "invalid_body")
    assert_error(api.post("/counters/1/transfer", staff, json={"service": "zzz"}), 404)
    assert_error(api.post("/counters/1/transfer", staff, json={"service": "dat-dai"}), 409)


@pytest.mark.parametrize(
    "body",
    [{"key": "short", "level": "satisfied"}, {"key": "pad-000001", "level": "satisfied",
     "at": "yesterday"}, {"key": "pad-000001"}, {"key": "pad-000001", "level": "nope"},
     {"key": "pad 000001 with spaces", "level": "satisfied"},
     {"key": "pad-000001", "level": "satisfied", "reasons": "attitude"}],
)  # fmt: skip
def test_bad_ratings(api, hub, body) -> None:
    pad = api.device("p1", "rating-pad", "1")
    r = api.post("/ratings", pad, json=body)
    assert r.status_code == 400


def test_batch_limits(api) -> None:
    pad = api.device("p1", "rating-pad", "1")
    assert_error(api.post("/ratings/batch", pad, json={"ratings": []}), 400)
    many = [{"key": f"pad-{i:08d}", "level": "satisfied"} for i in range(501)]
    assert_error(api.post("/ratings/batch", pad, json={"ratings": many}), 400)


def test_heartbeat_validates_status(api) -> None:
    kiosk = api.device("k9", "kiosk")
    ok = api.post("/devices/heartbeat", kiosk, json={"version": "1.2", "status": {
        "printer": "paper_low", "cpu_temp_c": 51.2}})  # fmt: skip
    assert ok.status_code == 204
    bad = api.post("/devices/heartbeat", kiosk, json={"version": "1", "status": {"printer": "on"}})
    assert_error(bad, 400, "invalid_body")
    assert_error(api.post("/devices/heartbeat", kiosk, json={"status": {}}), 400)


def test_responses_match_their_models(api, kiosk) -> None:
    ticket = api.issue(kiosk)
    TicketOut.model_validate(ticket)
    TicketOut.model_validate(api.get(f"/tickets/{ticket['id']}").json)
    for s in api.get("/services").json:
        ServiceOut.model_validate(s)
    for c in api.get("/counters").json:
        CounterOut.model_validate(c)


def test_openapi_describes_every_api_route(app, api) -> None:
    spec = api.get("/openapi.json").json
    assert spec["openapi"].startswith("3.")
    documented = {(p, m) for p, ops in spec["paths"].items() for m in ops}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.endpoint == "openapi.openapi_json":
            continue
        path = rule.rule
        for conv in ("string(maxlength=64):", "string(maxlength=32):"):
            path = path.replace(conv, "")
        path = path.replace("<", "{").replace(">", "}")
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}:
            assert (path, method.lower()) in documented, f"{method} {path} undocumented"
    ticket_post = spec["paths"]["/api/v1/tickets"]["post"]
    assert "201" in ticket_post["responses"] and "409" in ticket_post["responses"]
    assert ticket_post["security"] == [{"bearer": []}]


def test_healthz(api) -> None:
    r = api.client.get("/healthz")
    assert r.status_code == 200 and r.json == {"status": "ok"}


DEEP = "[" * 50_000 + "]" * 50_000


@pytest.mark.parametrize("path", ["/tickets", "/devices/heartbeat", "/auth/login"])
def test_json_nested_thousands_of_levels_is_a_400(api, hub, kiosk, path) -> None:
    """GIVEN a body nested 50,000 levels deep WHEN posted (with or without a token)
    THEN 400 invalid_json, and no ticket appears."""
    before = ticket_count(hub)
    token = None if path == "/auth/login" else kiosk
    r = api.post(path, token, data=DEEP, content_type="application/json")
    assert_error(r, 400, "invalid_json")
    assert ticket_count(hub) == before


NESTED_FIELD = '{"service": ' + "[" * 600 + "]" * 600 + "}"


@pytest.mark.parametrize("path", ["/tickets", "/devices/heartbeat", "/auth/login"])
def test_a_field_nested_hundreds_of_levels_is_a_400(api, hub, kiosk, path) -> None:
    """GIVEN a body the JSON parser reads, with a field nested 600 levels deep
    WHEN posted THEN 400 invalid_body (the NUL check walked it recursively: a 500)."""
    before = ticket_count(hub)
    token = None if path == "/auth/login" else kiosk
    r = api.post(path, token, data=NESTED_FIELD, content_type="application/json")
    assert_error(r, 400, "invalid_body")
    assert ticket_count(hub) == before


@pytest.mark.parametrize(
    "at",
    ["2026-12-04T10:00:00", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "1999-12-31T23:59:59Z"],
)
def test_rating_times_without_timezone_or_out_of_range_are_400(api, hub, at) -> None:
    """GIVEN a pad WHEN it sends a rating whose ``at`` has no timezone or is out of range,
    alone or inside a batch THEN 400 invalid_body, and nothing is stored."""
    pad = api.device("pad1", "rating-pad", "1")
    one = api.post("/ratings", pad, json={"key": "pad1-k-0001", "level": "satisfied", "at": at})
    assert_error(one, 400, "invalid_body")
    items = [{"key": "pad1-k-0002", "level": "satisfied"}, {"key": "pad1-k-0003", "at": at,
             "level": "satisfied"}]  # fmt: skip
    batch = api.post("/ratings/batch", pad, json={"ratings": items})
    assert_error(batch, 400, "invalid_body")
    with read(hub.engine) as conn:
        assert conn.execute(select(func.count()).select_from(rating_presses)).scalar_one() == 0


def test_a_nul_character_anywhere_is_a_400_on_every_database(api, hub, kiosk) -> None:
    """GIVEN requests carrying a NUL: a login name (no token), a ticket id in the path, a
    heartbeat's version, an admin's display name, an audit filter WHEN sent THEN each is
    refused with the error body (the path: 404, as an unknown id; the rest: 400), never a
    500 (PostgreSQL cannot store a NUL), and nothing changes."""
    admin = api.user("quantri", "admin")
    before = ticket_count(hub)
    assert_error(api.post("/auth/login", json={"username": "a\x00b", "password": "x"}), 400)
    assert_error(api.get("/tickets/ab%00cd"), 404)
    heartbeat = {"version": "1.0\x00", "status": {"printer": "ok"}}
    assert_error(api.post("/devices/heartbeat", kiosk, json=heartbeat), 400)
    user = {"username": "canbo9", "password": "mot-mat-khau-dai-2026", "role": "staff",
            "display_name": "Lan\x00"}  # fmt: skip
    assert_error(api.post("/admin/users", admin, json=user), 400)
    assert_error(api.get("/admin/audit?actor=a%00b", admin), 400)
    assert ticket_count(hub) == before
    assert all(u["username"] != "canbo9" for u in hub.users.list_users())
