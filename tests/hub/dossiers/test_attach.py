"""``POST /counters/{c}/complete`` with ``{dossiers: [...]}``: the ticket and its rating
belong to those dossiers (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from hub.dossiers import dossier_rows
from hub.store.db import read
from hub.store.tables import audit_log, ticket_dossiers

DAY = date(2026, 11, 27)  # the fake clock's day in Hà Nội
A, B = "000.00.12.H56-261127-0001", "000.00.12.H56-261127-0002"


def _serving(api, kiosk):  # noqa: ANN001, ANN202
    """Counter 1 open by canbo1 and serving a ticket; returns canbo1's headers."""
    staff = api.user("canbo1")
    api.issue(kiosk)
    assert api.post("/counters/1/open", staff).status_code == 200
    assert api.post("/counters/1/call-next", staff).status_code == 200
    return staff


def _codes(hub) -> list[str]:  # noqa: ANN001
    with read(hub.engine) as conn:
        return [
            r.code for r in conn.execute(select(ticket_dossiers).order_by(ticket_dossiers.c.id))
        ]


def test_completion_links_the_dossiers_and_the_rating_follows(api, hub, kiosk, clock) -> None:
    """GIVEN a ticket being served WHEN it is completed with three codes (one typed in
    lower case with spaces, one twice) and then rated at the pad THEN two dossiers are
    stored, and each dossier's row carries the field, officer, counter, level, reasons and
    the rating's time in the site's timezone."""
    staff = _serving(api, kiosk)
    answer = api.post("/counters/1/complete", staff, json={"dossiers": [f" {A.lower()} ", B, A]})
    assert answer.status_code == 200 and answer.json["number"] == "1001"
    pad = api.device("pad1", "rating-pad", "1")
    clock.advance(5)
    rated = api.post(
        "/ratings",
        pad,
        json={"key": "pad1-000001", "level": "unsatisfied", "reasons": ["long_wait"]},
    )
    assert rated.status_code in (200, 201), rated.json

    assert _codes(hub) == [A, B]
    with read(hub.engine) as conn:
        rows = dossier_rows(conn, hub.config, DAY, DAY)
    assert [r.cells()[:6] for r in rows] == [
        [code, "Đất đai", "Canbo1", "Quầy 1", "Không hài lòng", "Thời gian chờ lâu"]
        for code in (A, B)
    ]
    assert rows[0].rated_at is not None and rows[0].cells()[6].startswith("2026-11-27T09:")
    assert rows[0].cells()[6].endswith("+07:00")


def test_an_unrated_dossier_has_an_empty_level(api, hub, kiosk) -> None:
    staff = _serving(api, kiosk)
    api.post("/counters/1/complete", staff, json={"dossiers": [A]})
    with read(hub.engine) as conn:
        (row,) = dossier_rows(conn, hub.config, DAY, DAY)
    assert row.cells() == [A, "Đất đai", "Canbo1", "Quầy 1", "", "", ""]


def test_a_bad_code_is_400_and_changes_nothing(api, hub, kiosk) -> None:
    """GIVEN a ticket being served WHEN completed with a good and a bad code THEN 400
    invalid_dossier, the ticket is still being served, no code is stored, no audit row."""
    staff = _serving(api, kiosk)
    answer = api.post("/counters/1/complete", staff, json={"dossiers": [A, "=CMD|' /C calc'!A0"]})

    assert answer.status_code == 400 and answer.json["error"]["code"] == "invalid_dossier"
    (counter,) = [c for c in api.get("/counters").json if c["id"] == "1"]
    assert counter["current"]["number"] == "1001"
    assert _codes(hub) == []
    with read(hub.engine) as conn:
        done = select(func.count()).where(audit_log.c.action == "complete")
        assert conn.execute(done).scalar_one() == 0


def test_the_body_stays_optional_and_strict(api, hub, kiosk) -> None:
    """GIVEN tickets being served WHEN completed with no body THEN 200 as before; a body
    of the wrong shape is 400 invalid_body and changes nothing."""
    staff = _serving(api, kiosk)
    for bad in ({"dossiers": A}, {"dossiers": [1]}, {"dossier": [A]}, {"dossiers": [A] * 51}):
        answer = api.post("/counters/1/complete", staff, json=bad)
        assert answer.status_code == 400 and answer.json["error"]["code"] == "invalid_body", bad
    assert api.post("/counters/1/complete", staff).status_code == 200
    api.issue(kiosk)
    api.post("/counters/1/call-next", staff)
    assert api.post("/counters/1/complete", staff, json={}).status_code == 200
    assert _codes(hub) == []


def test_no_show_takes_no_dossier(api, hub, kiosk) -> None:
    staff = _serving(api, kiosk)
    assert api.post("/counters/1/no-show", staff, json={"dossiers": [A]}).status_code == 200
    assert _codes(hub) == []
