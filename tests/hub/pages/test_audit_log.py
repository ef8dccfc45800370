"""The audit log is append-only, and a working day leaves every action in it."""

from __future__ import annotations

import re

from sqlalchemy import select

from hub.audit import ACTIONS
from hub.store.db import read
from hub.store.tables import audit_log
from tests.hub.pages.conftest import Browser
from tests.support.paths import REPO

# update(audit_log), audit_log.delete(), raw SQL: any way of changing a row.
CHANGES = re.compile(
    r"(update|delete)\(\s*(tables\.)?audit_log\b|audit_log\.(update|delete)\(|"
    r"(UPDATE\s+audit_log|DELETE\s+FROM\s+audit_log|TRUNCATE\s+audit_log)",
    re.IGNORECASE,
)


def test_no_module_of_the_app_changes_or_deletes_audit_rows() -> None:
    """GIVEN every Python module of the app WHEN searched for an update or delete of
    audit_log THEN none is found (migrations create the table and may drop it on a
    downgrade, which is not the app)."""
    offenders = []
    for path in sorted(REPO.glob("*/**/*.py")):
        rel = path.relative_to(REPO)
        if rel.parts[0] not in ("hub", "kiosk", "display", "config") or "migrations" in rel.parts:
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if CHANGES.search(line):
                offenders.append(f"{rel}:{n}: {line.strip()}")
    assert not offenders, "\n".join(offenders)
    assert CHANGES.search("conn.execute(update(audit_log).values(actor='x'))")


def test_a_working_day_is_fully_audited(app, hub, browser, kiosk, api, clock) -> None:
    """GIVEN a day of work — a failed login, logins, opening, every counter action, user
    and device changes, a config reload, closing, logging out — WHEN the log is read
    THEN every known action is there with its actor, time and address."""
    for _ in range(3):
        api.issue(kiosk)
    Browser(app).login("canbo1", "sai-mat-khau-roi")
    admin = browser("quantri", "admin")
    staff = browser("canbo1")
    staff.post("/counter/1/open")
    for action in ("call-next", "recall", "complete"):
        staff.act("1", action)
        clock.advance(5)
    staff.act("1", "call-next")
    clock.advance(5)
    staff.act("1", "transfer", {"service": "tu-phap"})
    staff.act("1", "call-next")
    staff.act("1", "no-show")
    staff.act("1", "pause")
    staff.act("1", "resume")
    staff.post("/counter/1/close")
    staff.post("/logout")
    admin.post(
        "/admin/users",
        {
            "username": "canbo8",
            "role": "staff",
            "password": "mat-khau-tam-2026",
            "password2": "mat-khau-tam-2026",
        },
    )
    uid = next(u["id"] for u in hub.users.list_users() if u["username"] == "canbo8")
    admin.post(
        f"/admin/users/{uid}/password",
        {"password": "mat-khau-chin-2026", "password2": "mat-khau-chin-2026"},
    )
    admin.post(f"/admin/users/{uid}/disable")
    admin.post(f"/admin/users/{uid}/enable")
    admin.post("/admin/devices", {"name": "kp-1", "kind": "counter-keypad", "counter": "1"})
    did = next(d["id"] for d in hub.devices.list_devices() if d["name"] == "kp-1")
    admin.post(f"/admin/devices/{did}/token")
    admin.post(f"/admin/devices/{did}/revoke")
    admin.post("/admin/config/reload")
    hub.audit.record("user_update", actor="cli", target="user:canbo8")  # the CLI's own row

    with read(hub.engine) as conn:
        rows = list(conn.execute(select(audit_log)))

    assert {r.action for r in rows} == set(ACTIONS)
    assert all(r.actor and r.at is not None for r in rows)
    assert all(r.address == "127.0.0.1" for r in rows if r.actor != "cli")
