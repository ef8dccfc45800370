"""The staff console: picking a counter, every action, the guards, the audit rows."""

from __future__ import annotations

import json
import re

from sqlalchemy import select

from hub.store.db import read
from hub.store.tables import audit_log, tickets


def console_config(page_html: str) -> dict:
    raw = re.search(r"data-config='([^']*)'", page_html).group(1)
    return json.loads(raw.replace("&#34;", '"').replace("&amp;", "&"))


def audit(hub) -> list:
    with read(hub.engine) as conn:
        return list(conn.execute(select(audit_log).order_by(audit_log.c.id)))


def test_pick_open_and_work_a_counter(app, hub, browser, kiosk, api, clock) -> None:
    """GIVEN two waiting tickets WHEN an officer opens counter 1 and calls next, recalls,
    transfers, calls again, marks a no-show, pauses and resumes THEN each answer carries
    the new state and a Vietnamese message, never a ticket id, and each action is
    audited with the counter's state before and after."""
    first, second = api.issue(kiosk), api.issue(kiosk)
    staff = browser("canbo1", display_name="Nguyễn Thị Lan")

    picker = staff.get("/counter").get_data(as_text=True)
    opened = staff.post("/counter/1/open")
    page = staff.get("/counter/1")
    called = staff.act("1", "call-next")
    clock.advance(10)
    recalled = staff.act("1", "recall")
    moved = staff.act("1", "transfer", {"service": "tu-phap"})
    again = staff.act("1", "call-next")
    clock.advance(10)
    absent = staff.act("1", "no-show")
    paused = staff.act("1", "pause")
    refused = staff.act("1", "call-next")
    resumed = staff.act("1", "resume")

    assert "Quầy 1" in picker and "Mở quầy" in picker
    assert opened.headers["Location"] == "/counter/1"
    config = console_config(page.get_data(as_text=True))
    assert config["counter"] == "1" and config["state"]["waiting"] == {"dat-dai": 2}
    assert called.json["message"] == "Đang mời số 1001."
    assert called.json["counter"]["current"]["number"] == "1001"
    assert called.json["waiting"] == {"dat-dai": 1}
    assert recalled.json["message"] == "Đang gọi lại số 1001."
    assert moved.json["message"] == "Số 1001 đã chuyển sang chờ lĩnh vực Tư pháp – Hộ tịch."
    assert again.json["counter"]["current"]["number"] == "1002"
    assert absent.json["message"] == "Số 1002 vắng mặt." and absent.json["today"]["no_show"] == 1
    assert paused.json["counter"]["paused"] is True
    assert refused.status_code == 409 and refused.json["error"]["code"] == "counter_paused"
    assert resumed.json["message"] == "Quầy tiếp tục làm việc."
    for answer in (page, called, recalled, moved, again, absent):
        text = answer.get_data(as_text=True)
        assert first["id"] not in text and second["id"] not in text
    rows = [r for r in audit(hub) if r.target == "counter:1"]
    assert [r.action for r in rows] == [
        "counter_open",
        "call_next",
        "recall",
        "transfer",
        "call_next",
        "no_show",
        "pause",
        "resume",
    ]
    assert all(r.actor == "user:canbo1" and r.address == "127.0.0.1" for r in rows)
    # The queue service writes these rows in each action's own transaction.
    assert rows[1].before == {"status": "open", "paused": False, "current": None}
    assert rows[1].after == {"number": "1001"}
    assert rows[3].after == {"number": "1001", "service": "tu-phap"}
    assert rows[4].before["current"] is None and rows[5].before["current"] == "1002"


def test_a_second_call_right_after_a_call_is_refused(app, hub, browser, kiosk, api, clock):
    """GIVEN a number just called WHEN call next comes again within the guard time
    THEN 409 too_soon and the called citizen is still being served; after it, the call
    completes them and calls the next."""
    api.issue(kiosk)
    api.issue(kiosk)
    staff = browser("canbo1")
    staff.post("/counter/1/open")
    staff.act("1", "call-next")

    double = staff.act("1", "call-next")
    clock.advance(5)
    later = staff.act("1", "call-next")

    assert double.status_code == 409 and double.json["error"]["code"] == "too_soon"
    assert double.json["error"]["message"] == "Vừa gọi số xong. Vui lòng chờ vài giây."
    assert later.json["counter"]["current"]["number"] == "1002"
    assert later.json["today"]["served"] == 1


def test_nobody_waiting_and_actions_without_a_ticket(app, hub, browser) -> None:
    """GIVEN an open counter and an empty queue WHEN the officer calls next, recalls or
    completes THEN call next says nobody waits, the others 409 in Vietnamese."""
    staff = browser("canbo1")
    staff.post("/counter/1/open")

    empty = staff.act("1", "call-next")
    recall = staff.act("1", "recall")
    complete = staff.act("1", "complete")

    assert empty.status_code == 200 and empty.json["message"] == "Không có công dân nào đang chờ."
    for answer in (recall, complete):
        assert answer.status_code == 409
        assert answer.json["error"]["message"] == "Quầy chưa gọi số nào."


def test_a_second_user_cannot_open_the_same_counter(app, hub, browser) -> None:
    """GIVEN counter 1 opened by canbo1 WHEN canbo2 tries to open it, to act on it or to
    open its console THEN refused; canbo1 keeps it. canbo1 cannot open a second one."""
    one, two = browser("canbo1"), browser("canbo2")
    one.post("/counter/1/open")

    taken = two.post("/counter/1/open", follow_redirects=True)
    act = two.act("1", "call-next")
    console = two.get("/counter/1")
    second = one.post("/counter/2/open", follow_redirects=True)

    assert "Quầy đang do cán bộ khác phụ trách." in taken.get_data(as_text=True)
    assert act.status_code == 403 and act.json["error"]["code"] == "not_your_counter"
    assert console.status_code == 302 and console.headers["Location"] == "/counter"
    assert "Anh/chị đang mở một quầy khác" in second.get_data(as_text=True)
    (view,) = [c for c in hub.views.counters() if c["id"] == "1"]
    assert view["staff"] == "canbo1"
    assert one.get("/counter").headers["Location"] == "/counter/1"


def test_a_manager_cannot_call(app, hub, browser, api) -> None:
    """GIVEN a manager WHEN they open the console or post an action THEN 403, and the
    API refuses them too."""
    manager = browser("sep", "manager")

    page = manager.get("/counter")
    act = manager.act("1", "call-next")
    opened = manager.post("/counter/1/open")

    assert page.status_code == 403 and "Không có quyền" in page.get_data(as_text=True)
    assert act.status_code == 403 and opened.status_code == 403
    with read(hub.engine) as conn:
        assert conn.execute(select(tickets)).first() is None
    assert all(r.action == "login" for r in audit(hub))


def test_close_from_the_console_and_from_admin(app, hub, browser, kiosk, api) -> None:
    """GIVEN an officer serving a number WHEN they close the counter THEN the number is
    completed and the counter is free; WHEN an admin closes a counter someone left open
    THEN the officer's console sends them back to the picker."""
    api.issue(kiosk)
    one = browser("canbo1")
    admin = browser("quantri", "admin")
    one.post("/counter/1/open")
    one.act("1", "call-next")

    closed = one.post("/counter/1/close")
    one.post("/counter/1/open")
    by_admin = admin.post("/admin/counters/1/close")
    after = one.act("1", "call-next")

    assert closed.headers["Location"] == "/counter"
    assert after.status_code == 403
    assert by_admin.headers["Location"] == "/admin"
    closes = [r for r in audit(hub) if r.action == "counter_close"]
    assert [r.actor for r in closes] == ["user:canbo1", "user:quantri"]
    assert closes[0].before == {"status": "open", "current": "1001", "paused": False}
    with read(hub.engine) as conn:
        assert conn.execute(select(tickets.c.status)).scalar_one() == "done"


def test_console_state_and_unknown_things(app, browser) -> None:
    """GIVEN an officer at counter 2 WHEN the page script asks for its state, for an
    unknown action, counter or field THEN JSON state, 404 and 400 answers."""
    staff = browser("canbo1")
    staff.post("/counter/2/open")

    state = staff.get("/counter/2/state", headers={"Accept": "application/json"})
    unknown_action = staff.act("2", "explode")
    unknown_counter = staff.get("/counter/99", headers={"Accept": "application/json"})
    bad_transfer = staff.act("2", "transfer", {"service": "khong-co"})

    assert state.json["counter"]["services"] == [
        {"id": "tu-phap", "name": "Tư pháp – Hộ tịch"},
        {"id": "kinh-doanh", "name": "Kinh doanh"},
    ]
    assert state.json["today"] == {"served": 0, "no_show": 0}
    assert unknown_action.status_code == 404
    assert unknown_counter.status_code == 404
    assert bad_transfer.status_code == 400 and bad_transfer.json["error"]["code"] == (
        "unknown_service"
    )


def test_english_console_messages(app, browser, kiosk, api) -> None:
    """GIVEN an officer who chose English WHEN they call THEN the message is English."""
    api.issue(kiosk)
    staff = browser("canbo1")
    staff.get("/counter?lang=en")
    staff.post("/counter/1/open")

    answer = staff.act("1", "call-next")

    assert answer.json["message"] == "Calling number 1001."
