"""A full disk or a read-only database: tickets and logins answer 503 with a clear code,
``/healthz`` says ``degraded`` with the reason, nothing changes, and all is well again
once the database accepts writes (issue 15.3). On SQLite and PostgreSQL; how each
fault is made is told in tests.support.storage."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from hub.store.db import read
from hub.store.tables import audit_log, auth_tokens, login_failures, tickets
from tests.conftest import PASSWORD
from tests.support.storage import full, read_only

CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')
MESSAGES = {
    "storage_read_only": "Cơ sở dữ liệu đang ở chế độ chỉ đọc",
    "storage_full": "Ổ đĩa của máy chủ đã đầy",
}


def counts(engine: Engine) -> dict[str, int]:
    with read(engine) as conn:
        return {
            table.name: int(conn.execute(select(func.count()).select_from(table)).scalar_one())
            for table in (tickets, auth_tokens, login_failures, audit_log)
        }


def assert_refused(answer: Any, code: str) -> None:
    assert answer.status_code == 503, (answer.status_code, answer.data[:300])
    assert answer.json["error"]["code"] == code
    assert answer.json["error"]["message"].startswith(MESSAGES[code])


def test_a_read_only_database(api, hub, client) -> None:
    """GIVEN a working hub WHEN its database turns read-only THEN tickets, logins (right
    or wrong password) and counter actions answer 503 storage_read_only, /healthz says
    degraded with the reason, and nothing changed; once writable, all works again."""
    kiosk = api.device("k1", "kiosk")
    staff = api.user("canbo1")
    api.issue(kiosk)
    assert client.get("/healthz").json == {"status": "ok"}
    before = counts(hub.engine)
    with read_only(hub.engine):
        assert_refused(
            api.post("/tickets", kiosk, json={"service": "dat-dai"}), "storage_read_only"
        )
        good = {"username": "canbo1", "password": PASSWORD}
        assert_refused(api.post("/auth/login", json=good), "storage_read_only")
        bad = {"username": "canbo1", "password": "not-the-password"}
        assert_refused(api.post("/auth/login", json=bad), "storage_read_only")
        assert_refused(api.post("/counters/1/open", staff), "storage_read_only")
        health = client.get("/healthz")
        assert health.status_code == 200
        assert health.json == {"status": "degraded", "reasons": ["storage_read_only"]}
        assert counts(hub.engine) == before
    assert api.post("/tickets", kiosk, json={"service": "dat-dai"}).status_code == 201
    assert client.get("/healthz").json == {"status": "ok"}


def test_a_full_disk(api, hub, client) -> None:
    """GIVEN a database that cannot grow WHEN kiosks keep issuing THEN, once its room is
    used up, 503 storage_full (never a 500), /healthz degraded, and the tickets saved are
    exactly those answered 201; once it can grow, tickets are issued again."""
    kiosk = api.device("k1", "kiosk")
    issued = counts(hub.engine)["tickets"]
    with full(hub.engine):
        for _ in range(3000):
            answer = api.post("/tickets", kiosk, json={"service": "dat-dai"})
            if answer.status_code != 201:
                break
            issued += 1
        assert_refused(answer, "storage_full")
        for _ in range(3):
            again = api.post("/tickets", kiosk, json={"service": "dat-dai"})
            assert again.status_code in (201, 503), again.data[:300]
            issued += again.status_code == 201
        assert client.get("/healthz").json == {"status": "degraded", "reasons": ["storage_full"]}
        assert counts(hub.engine)["tickets"] == issued
    assert api.post("/tickets", kiosk, json={"service": "dat-dai"}).status_code == 201
    assert client.get("/healthz").json == {"status": "ok"}


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        ("vi", "Cơ sở dữ liệu đang ở chế độ chỉ đọc, chưa lưu được"),
        ("en", "The database is read-only: nothing was saved."),
    ],
)
def test_the_login_page_says_it_in_the_visitors_language(app, hub, lang: str, message: str) -> None:
    """GIVEN a read-only database WHEN someone logs in on the page THEN a 503 page that
    says so in Vietnamese, or in English."""
    hub.users.add_user("canbo1", PASSWORD, "staff")
    browser = app.test_client()
    page = browser.get(f"/login?lang={lang}").get_data(as_text=True)
    token = CSRF_FIELD.search(page).group(1)
    with read_only(hub.engine):
        answer = browser.post(
            "/login", data={"username": "canbo1", "password": PASSWORD, "csrf_token": token}
        )
    assert answer.status_code == 503
    assert message in answer.get_data(as_text=True)
