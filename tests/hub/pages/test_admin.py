"""The admin pages and the admin API: users, devices, configuration, audit log."""

from __future__ import annotations

import re
import shutil
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from config.paths import EXAMPLES
from config.schema import load_config
from hub.audit import csv_lines
from hub.store.db import read
from hub.store.tables import audit_log
from tests.conftest import PASSWORD, build_app, close_app
from tests.hub.pages.conftest import Browser

TOKEN = re.compile(r'<code id="new-token">([^<]+)</code>')


def audit(hub, action: str) -> list:
    with read(hub.engine) as conn:
        return list(conn.execute(select(audit_log).where(audit_log.c.action == action)))


def user_id(hub, name: str) -> int:
    return next(u["id"] for u in hub.users.list_users() if u["username"] == name)


# ------------------------------------------------------------------ users
def test_add_reset_disable_enable_a_user(app, hub, browser) -> None:
    """GIVEN an admin WHEN they add an officer, reset the password, disable and enable
    the account THEN each step works, is flashed and audited; the old password stops
    working and a disabled account cannot log in."""
    admin = browser("quantri", "admin")

    added = admin.post(
        "/admin/users",
        {
            "username": "canbo9",
            "display_name": "Lê Văn Chín",
            "role": "staff",
            "password": "mot-hai-ba-bon-2026",
            "password2": "mot-hai-ba-bon-2026",
        },
    )
    uid = user_id(hub, "canbo9")
    reset = admin.post(
        f"/admin/users/{uid}/password",
        {"password": "nam-sau-bay-tam-2026", "password2": "nam-sau-bay-tam-2026"},
    )
    old_password = Browser(app).login("canbo9", "mot-hai-ba-bon-2026")
    disabled = admin.post(f"/admin/users/{uid}/disable", follow_redirects=True)
    while_disabled = Browser(app).login("canbo9", "nam-sau-bay-tam-2026")
    admin.post(f"/admin/users/{uid}/enable")
    enabled = Browser(app).login("canbo9", "nam-sau-bay-tam-2026")

    assert added.headers["Location"] == "/admin/users"
    assert hub.users.get_user(uid)["display_name"] == "Lê Văn Chín"
    assert reset.status_code == 302 and old_password.status_code == 401
    assert "Đã khóa tài khoản canbo9" in disabled.get_data(as_text=True)
    assert while_disabled.status_code == 401 and enabled.status_code == 302
    assert [r.action for r in audit(hub, "user_add")] == ["user_add"]
    assert audit(hub, "user_disable")[0].before == {"active": True}
    assert audit(hub, "user_enable")[0].after == {"active": True}
    assert audit(hub, "user_password")[0].actor == "user:quantri"


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"username": "quantri"}, "Tên đăng nhập đã có người dùng."),
        ({"password": "ngan", "password2": "ngan"}, "Mật khẩu phải có ít nhất 10 ký tự."),
        ({"password": "canbo7-abc-xyz", "password2": "canbo7-abc-xyz"}, "không được chứa tên"),
        ({"password": "1234567890", "password2": "1234567890"}, "quá phổ biến"),
        ({"password2": "khong-khop-2026"}, "Hai lần nhập mật khẩu không khớp."),
        ({"username": "Cán Bộ"}, "Tên đăng nhập chỉ gồm chữ thường không dấu"),
        ({"role": "boss"}, "Vai trò không hợp lệ."),
    ],
)
def test_bad_new_users_are_refused_with_a_reason(app, hub, browser, form, message) -> None:
    """GIVEN the add-user form WHEN a field is wrong THEN the page says why (in
    Vietnamese), keeps what was typed, and nobody is added."""
    admin = browser("quantri", "admin")
    good = {
        "username": "canbo7",
        "role": "staff",
        "password": "mat-khau-tot-2026",
        "password2": "mat-khau-tot-2026",
    }

    answer = admin.post("/admin/users", {**good, **form})

    assert answer.status_code in (400, 409)
    assert message in answer.get_data(as_text=True)
    assert {u["username"] for u in hub.users.list_users()} == {"quantri"}


def test_an_admin_cannot_disable_themselves(app, hub, browser) -> None:
    """GIVEN the only admin WHEN they try to disable their own account THEN refused."""
    admin = browser("quantri", "admin")

    answer = admin.post(f"/admin/users/{user_id(hub, 'quantri')}/disable", follow_redirects=True)

    assert "Không thể tự khóa tài khoản của mình." in answer.get_data(as_text=True)
    assert hub.users.get_user(user_id(hub, "quantri"))["active"] is True


# ---------------------------------------------------------------- devices
def test_register_a_device_and_see_it_come_alive(app, hub, browser, api) -> None:
    """GIVEN an admin WHEN they register a counter keypad THEN its token is shown once
    with a config snippet, works at once, and the device turns from "never connected"
    to online after its first heartbeat; a new token replaces the old; revoking ends it."""
    admin = browser("quantri", "admin")

    page = admin.post(
        "/admin/devices", {"name": "keypad-3", "kind": "counter-keypad", "counter": "3"}
    ).get_data(as_text=True)
    token = TOKEN.search(page).group(1)
    before = admin.get("/admin/live", headers={"Accept": "application/json"}).json
    beat = api.post(
        "/devices/heartbeat",
        {"Authorization": f"Bearer {token}"},
        json={"version": "0.1", "status": {"keypad": "ok"}},
    )
    after = admin.get("/admin/live", headers={"Accept": "application/json"}).json
    listing = admin.get("/admin/devices").get_data(as_text=True)
    did = next(d["id"] for d in hub.devices.list_devices() if d["name"] == "keypad-3")
    rekeyed = TOKEN.search(admin.post(f"/admin/devices/{did}/token").get_data(as_text=True))
    old_works = api.get("/devices/me", {"Authorization": f"Bearer {token}"}).status_code
    new = {"Authorization": f"Bearer {rekeyed.group(1)}"}
    me = api.get("/devices/me", new).json
    admin.post(f"/admin/devices/{did}/revoke")

    assert 'token = "' + token + '"' in page and "[counter_keypad]" in page
    assert beat.status_code == 204
    (was,) = [d for d in before["devices"] if d["name"] == "keypad-3"]
    (now,) = [d for d in after["devices"] if d["name"] == "keypad-3"]
    assert (was["health"], now["health"]) == ("never", "online")
    assert now["health_label"] == "Đang hoạt động"
    assert now["status_labels"] == [["Bàn phím đã kết nối", False]]
    assert token not in listing
    assert old_works == 401 and me == {"name": "keypad-3", "kind": "counter-keypad", "counter": "3"}
    assert api.get("/devices/me", new).status_code == 401
    assert [r.action for r in audit(hub, "device_add")] == ["device_add"]
    assert audit(hub, "device_rekey")[0].target == "device:keypad-3"
    assert audit(hub, "device_revoke")[0].after == {"revoked": True}


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"name": "pad 1"}, "Tên thiết bị chỉ gồm chữ không dấu"),
        ({"kind": "rating-pad", "counter": ""}, "phải gắn với một quầy"),
        ({"counter": "99", "kind": "rating-pad"}, "Không có quầy này."),
        ({"kind": "toaster"}, "Loại thiết bị không hợp lệ."),
        ({"name": "kiosk-cu"}, "Đã có thiết bị mang tên này."),
    ],
)
def test_bad_devices_are_refused(app, hub, browser, form, message) -> None:
    """GIVEN an existing kiosk WHEN a device is registered with a bad field THEN the
    page says why and no token is shown."""
    hub.devices.add_device("kiosk-cu", "kiosk", None)
    admin = browser("quantri", "admin")

    answer = admin.post("/admin/devices", {"name": "moi", "kind": "kiosk", **form})

    assert answer.status_code in (400, 409)
    html = answer.get_data(as_text=True)
    assert message in html and 'id="new-token"' not in html


# ----------------------------------------------------------------- config
@pytest.fixture
def config_file(tmp_path):
    path = tmp_path / "hub.toml"
    shutil.copy(EXAMPLES / "demo.toml", path)
    return path


@pytest.fixture
def app(config_file, sqlite_database, tmp_path, clock):
    """The hub on a configuration file of its own, so tests may edit it."""
    application = build_app(load_config(config_file), sqlite_database, tmp_path, clock)
    yield application
    close_app(application)


def test_reload_applies_the_file_without_a_restart(app, hub, browser, config_file) -> None:
    """GIVEN an edited configuration file WHEN the admin reloads it THEN the new values
    are in force at once (site name, security limits), and the reload is audited with
    what changed; a broken file is refused with its problems and changes nothing."""
    admin = browser("quantri", "admin")
    text = config_file.read_text(encoding="utf-8")
    config_file.write_text(
        text.replace("phường Hải Châu (demo)", "phường Thạch Thang")
        + "\n[security]\npassword_min_length = 12\n",
        encoding="utf-8",
    )

    reloaded = admin.post("/admin/config/reload", follow_redirects=True)
    config_file.write_text(
        text.replace("priority_every = 2", 'priority_every = "x"'), encoding="utf-8"
    )
    broken = admin.post("/admin/config/reload")

    assert "Đã nạp lại cấu hình: thay đổi ở site, security." in reloaded.get_data(as_text=True)
    assert hub.config.site.name.endswith("phường Thạch Thang")
    assert hub.users.security.password_min_length == 12
    assert broken.status_code == 400
    html = broken.get_data(as_text=True)
    assert "Tệp cấu hình có lỗi" in html and "queue.priority_every" in html
    assert hub.config.site.name.endswith("phường Thạch Thang")
    ok, failed = audit(hub, "config_reload")
    assert ok.after["ok"] is True and ok.after["changed"] == ["site", "security"]
    assert failed.after == {"ok": False, "problems": 1}


def test_config_page_hides_agent_secrets(app, hub, browser, config_file) -> None:
    """GIVEN an agent section with a token in the hub's file WHEN the config page and
    the API show the configuration THEN the token is hidden."""
    config_file.write_text(
        config_file.read_text(encoding="utf-8")
        + '\n[kiosk]\nhub_url = "http://127.0.0.1:8080"\ntoken = "bi-mat-lam"\n'
        + 'printer = { kind = "fake" }\n',
        encoding="utf-8",
    )
    admin = browser("quantri", "admin")
    admin.post("/admin/config/reload")

    page = admin.get("/admin/config").get_data(as_text=True)
    api_view = admin.get("/api/v1/admin/config", headers=_bearer(app, "quantri")).json

    assert "bi-mat-lam" not in page and "•••" in page
    assert api_view["config"]["sections"]["kiosk"]["token"] == "•••"


def _bearer(app, username: str) -> dict[str, str]:
    client = app.test_client()
    r = client.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD})
    return {"Authorization": f"Bearer {r.json['token']}"}


# ------------------------------------------------------------------ audit
def test_audit_page_filters_and_exports(app, hub, browser, kiosk, api) -> None:
    """GIVEN logins, a failed login and counter actions WHEN the admin filters the log by
    action, by actor and by day, and exports it THEN the rows match, and the CSV has a
    BOM, a header, local and UTC times, and the same rows."""
    api.issue(kiosk)
    staff = browser("canbo1")
    staff.post("/counter/1/open")
    staff.act("1", "call-next")
    Browser(app).login("canbo1", "sai-mat-khau-roi")
    admin = browser("quantri", "admin")

    by_action = admin.get("/admin/audit?action=login_failed").get_data(as_text=True)
    by_actor = admin.get("/admin/audit?actor=canbo1").get_data(as_text=True)
    other_day = admin.get("/admin/audit?from=2026-11-28").get_data(as_text=True)
    bad_filter = admin.get("/admin/audit?from=hom-qua").get_data(as_text=True)
    export = admin.get("/admin/audit.csv?actor=canbo1")
    lines = export.get_data(as_text=True).splitlines()

    assert by_action.count('data-action="login_failed"') == 1
    assert 'data-action="login"' not in by_action
    assert by_actor.count("<tr data-action=") == 4  # login, open, call, failed login
    assert "Không có mục nào phù hợp." in other_day
    assert "không hợp lệ nên đã bị bỏ qua" in bad_filter
    assert export.headers["Content-Disposition"].startswith('attachment; filename="nhat-ky-')
    assert lines[0] == "\ufeffid,at_utc,at_local,actor,action,target,address,before,after"
    assert len(lines) == 5 and ",2026-11-27 09:00:00,user:canbo1," in lines[1]
    assert any(",call_next,counter:1,127.0.0.1," in line for line in lines)


@pytest.mark.parametrize(
    "query",
    ["from=0001-01-01&to=9999-12-31", "from=0001-01-01", "to=9999-12-31", "to=1999-12-31"],
)
def test_audit_days_outside_2000_to_2099_are_refused(app, browser, api, query) -> None:
    """GIVEN the admin WHEN the audit log is searched from year 1 or to year 9999
    THEN the API answers 400 invalid_query and the pages ignore the filter, as any
    bad one (the site's midnight of such a day overflowed: a 500)."""
    admin = browser("quantri", "admin")
    page = admin.get(f"/admin/audit?{query}")
    export = admin.get(f"/admin/audit.csv?{query}")
    r = api.get(f"/admin/audit?{query}", _bearer(app, "quantri"))
    assert page.status_code == 200
    assert "không hợp lệ nên đã bị bỏ qua" in page.get_data(as_text=True)
    assert export.status_code == 200
    assert r.status_code == 400 and r.json["error"]["code"] == "invalid_query"


def test_csv_cells_cannot_become_formulas() -> None:
    """GIVEN audit rows whose text starts like a spreadsheet formula WHEN exported THEN
    those cells are prefixed with a quote."""
    row = {
        "id": 1,
        "at": datetime(2026, 11, 27, 2, 0, tzinfo=UTC),
        "actor": "=HYPERLINK(1)",
        "action": "login_failed",
        "target": "+1",
        "address": "@x",
        "before": None,
        "after": {"k": "v"},
    }

    _header, line = list(csv_lines(iter([row]), lambda at: "27/11/2026 09:00"))

    assert "'=HYPERLINK(1)" in line and ",'+1,'@x," in line and '"{""k"": ""v""}"' in line


def test_admin_api(app, hub, api, kiosk) -> None:
    """GIVEN an admin token WHEN the admin API lists, adds and changes users and devices,
    reads the audit log and reloads the configuration THEN the answers match their
    models; a staff token gets 403 everywhere."""
    admin = api.user("quantri", "admin")
    staff = api.user("canbo1")

    created = api.post(
        "/admin/users",
        admin,
        json={"username": "canbo5", "role": "staff", "password": "mat-khau-nam-2026"},
    )
    dup = api.post(
        "/admin/users",
        admin,
        json={"username": "canbo5", "role": "staff", "password": "mat-khau-nam-2026"},
    )
    uid = created.json["id"]
    pw = api.post(f"/admin/users/{uid}/password", admin, json={"password": "mat-khau-sau-2026"})
    off = api.post(f"/admin/users/{uid}/disable", admin)
    on = api.post(f"/admin/users/{uid}/enable", admin)
    device = api.post(
        "/admin/devices", admin, json={"name": "pad-9", "kind": "rating-pad", "counter": "2"}
    )
    rekey = api.post(f"/admin/devices/{device.json['device']['id']}/token", admin)
    api.post(
        "/devices/heartbeat",
        {"Authorization": f"Bearer {rekey.json['token']}"},
        json={"version": "1"},
    )
    listed = api.get("/admin/devices", admin).json
    revoke = api.post(f"/admin/devices/{device.json['device']['id']}/revoke", admin)
    unknown = api.post("/admin/users/abc/disable", admin)
    huge = api.post(f"/admin/devices/{'9' * 30}/revoke", admin)
    negative = api.post("/admin/users/-1/enable", admin)
    log = api.get("/admin/audit?action=user_add&limit=5", admin)
    too_far = api.get(f"/admin/audit?before_id={'9' * 25}", admin)
    reload = api.post("/admin/config/reload", admin)

    assert created.status_code == 201 and created.json["role"] == "staff"
    assert dup.status_code == 409 and dup.json["error"]["code"] == "user_exists"
    assert (pw.status_code, off.status_code, on.status_code) == (204, 204, 204)
    assert device.status_code == 201 and len(device.json["token"]) > 30
    assert rekey.json["token"] != device.json["token"] and revoke.status_code == 204
    assert unknown.status_code == huge.status_code == negative.status_code == 404
    assert huge.json["error"]["code"] == "unknown_device"
    assert [r["action"] for r in log.json["rows"]] == ["user_add"]
    # Times are ISO 8601 in UTC, as the OpenAPI schema says (not Flask's RFC 1123).
    assert log.json["rows"][0]["at"].startswith("2026-11-27T02:00:00")
    assert log.json["rows"][0]["at"].endswith("Z")
    (seen,) = [d["last_seen_at"] for d in listed if d["name"] == "pad-9"]
    assert seen.startswith("2026-11-27T02:00:00") and seen.endswith("Z")
    assert all(u["created_at"].endswith("Z") for u in api.get("/admin/users", admin).json)
    assert log.json["next_before_id"] is None
    assert too_far.status_code == 400 and too_far.json["error"]["code"] == "invalid_query"
    assert reload.status_code == 200 and reload.json["changed"] == []
    for path in ("/admin/users", "/admin/devices", "/admin/audit", "/admin/config"):
        assert api.get(path, staff).status_code == 403
    assert api.get("/admin/users", {"Authorization": kiosk["Authorization"]}).status_code == 403
