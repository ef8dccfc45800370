"""The ticket holder's short comment after rating (``POST /tickets/<id>/comment``)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from hub.store.db import read
from hub.store.tables import ratings


def _served(api) -> str:  # noqa: ANN001
    kiosk, staff = api.device("k1", "kiosk"), api.user("canbo1")
    ticket = api.issue(kiosk)
    api.post("/counters/1/open", staff)
    api.post("/counters/1/call-next", staff)
    api.post("/counters/1/complete", staff)
    return str(ticket["id"])


def _comment(hub, ticket_id: str) -> str | None:  # noqa: ANN001
    with read(hub.engine) as conn:
        return conn.execute(
            select(ratings.c.comment).where(ratings.c.ticket_id == ticket_id)
        ).scalar_one()


def test_a_comment_after_rating_is_kept_once(api, hub) -> None:
    """GIVEN a served ticket WHEN its holder comments before rating THEN 409 not_rated; WHEN
    they rate and comment THEN the comment is stored trimmed; WHEN they comment again THEN
    409 already_commented and the first stays."""
    ticket = _served(api)
    r = api.post(f"/tickets/{ticket}/comment", json={"comment": "Cán bộ nhiệt tình"})
    assert r.status_code == 409 and r.json["error"]["code"] == "not_rated"
    api.post(f"/tickets/{ticket}/rating", json={"level": "unsatisfied", "reasons": ["harassment"]})
    r = api.post(f"/tickets/{ticket}/comment", json={"comment": "  Phải chờ ký lại 3 lần  "})
    assert r.status_code == 201 and r.json["comment"] == "Phải chờ ký lại 3 lần"
    r = api.post(f"/tickets/{ticket}/comment", json={"comment": "Lần nữa"})
    assert r.status_code == 409 and r.json["error"]["code"] == "already_commented"
    assert _comment(hub, ticket) == "Phải chờ ký lại 3 lần"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("x" * 201, "comment_too_long"),
        ("   ", "invalid_comment"),
        ("hai\ndòng", "invalid_comment"),
        ("chuông\x07", "invalid_comment"),
        ("đảo\u202echiều", "invalid_comment"),
    ],
)
def test_a_bad_comment_is_refused_and_nothing_changes(api, hub, text: str, code: str) -> None:
    """GIVEN a rated ticket WHEN the comment is too long (over [ratings] comment_chars = 200),
    empty, or holds a control or format character THEN a 400 with its code, nothing stored."""
    ticket = _served(api)
    api.post(f"/tickets/{ticket}/rating", json={"level": "satisfied"})
    r = api.post(f"/tickets/{ticket}/comment", json={"comment": text})
    assert r.status_code == 400 and r.json["error"]["code"] == code
    assert _comment(hub, ticket) is None


def test_only_the_holder_comments(api) -> None:
    """GIVEN a rated ticket WHEN an officer's token comments THEN 403 holder_only; an unknown
    ticket is a 404."""
    ticket = _served(api)
    api.post(f"/tickets/{ticket}/rating", json={"level": "satisfied"})
    r = api.post(f"/tickets/{ticket}/comment", api.user("canbo2"), json={"comment": "tốt"})
    assert r.status_code == 403 and r.json["error"]["code"] == "holder_only"
    r = api.post("/tickets/khongco/comment", json={"comment": "tốt"})
    assert r.status_code == 404
