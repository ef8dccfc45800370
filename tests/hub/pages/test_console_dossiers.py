"""The console's actions with dossier codes: ``complete`` and ``call-next`` carry them."""

from __future__ import annotations

from sqlalchemy import select

from hub.store.db import read
from hub.store.tables import ticket_dossiers, tickets

A, B = "000.00.12.H56-261127-0001", "000.00.12.H56-261127-0002"


def _stored(hub) -> list[tuple[str, str]]:  # noqa: ANN001
    with read(hub.engine) as conn:
        query = (
            select(tickets.c.number, ticket_dossiers.c.code)
            .join(tickets, tickets.c.id == ticket_dossiers.c.ticket_id)
            .order_by(ticket_dossiers.c.id)
        )
        return [tuple(r) for r in conn.execute(query)]


def test_complete_and_call_next_attach_the_codes(app, hub, browser, kiosk, api, clock) -> None:
    """GIVEN 1001 and 1002 waiting WHEN the officer completes 1001 with a bad code THEN
    400 with the Vietnamese message and 1001 is still served; with a good code THEN done;
    WHEN 1002 is completed by the next call with a code THEN the code is 1002's."""
    api.issue(kiosk)
    api.issue(kiosk)
    staff = browser("canbo1")
    staff.post("/counter/1/open")
    staff.act("1", "call-next")

    bad = staff.act("1", "complete", {"dossiers": [A, "xin chào"]})
    wrong_shape = staff.act("1", "complete", {"dossiers": A})
    done = staff.act("1", "complete", {"dossiers": [A]})
    staff.act("1", "call-next")
    clock.advance(5)
    nxt = staff.act("1", "call-next", {"dossiers": [B.lower()]})

    assert bad.status_code == 400 and bad.json["error"]["code"] == "invalid_dossier"
    assert bad.json["error"]["message"].startswith("Có mã hồ sơ không hợp lệ")
    assert wrong_shape.status_code == 400
    assert done.json["message"] == "Số 1001 đã hoàn thành."
    assert nxt.status_code == 200 and nxt.json["today"]["served"] == 2
    assert _stored(hub) == [("1001", A), ("1002", B)]
