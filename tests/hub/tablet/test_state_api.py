"""``GET /api/v1/rate/<counter>``: the tablet's state, for the pad of that counter only."""

from __future__ import annotations

from tests.conftest import PASSWORD


def test_the_state_names_the_officer_by_display_name_and_the_window(api, hub) -> None:
    """GIVEN officer "Nguyễn Thị Lan" (login lan.nt) at counter 1 and its pad's token WHEN
    the tablet asks THEN it reads the counter's name and her display name, never the login,
    and no window; WHEN a ticket is completed THEN the window is open until invite_s."""
    hub.users.add_user("lan.nt", PASSWORD, "staff", display_name="Nguyễn Thị Lan")
    login = api.post("/auth/login", json={"username": "lan.nt", "password": PASSWORD})
    staff = {"Authorization": f"Bearer {login.json['token']}"}
    pad = api.device("tablet-1", "rating-pad", "1")
    r = api.get("/rate/1", pad)
    assert r.status_code == 200
    assert r.json == {
        "counter": {"id": "1", "name": "Quầy 1"},
        "officer": None,
        "open": False,
        "rating_until": None,
    }
    api.post("/counters/1/open", staff)
    api.issue(api.device("k1", "kiosk"))
    api.post("/counters/1/call-next", staff)
    api.post("/counters/1/complete", staff)
    r = api.get("/rate/1", pad)
    assert r.json["officer"] == "Nguyễn Thị Lan" and "lan.nt" not in r.get_data(as_text=True)
    assert r.json["open"] is True and r.json["rating_until"] is not None


def test_other_tokens_are_refused(api) -> None:
    """GIVEN the pad of counter 3, a kiosk, an officer, no token THEN 403 not_your_counter,
    403, 403, 401."""
    r = api.get("/rate/1", api.device("pad-3", "rating-pad", "3"))
    assert r.status_code == 403 and r.json["error"]["code"] == "not_your_counter"
    assert api.get("/rate/1", api.device("k1", "kiosk")).status_code == 403
    assert api.get("/rate/1", api.user("canbo1")).status_code == 403
    assert api.get("/rate/1").status_code == 401


def test_the_page_of_an_unknown_counter_is_a_404(api) -> None:
    """GIVEN no counter "9" THEN /rate/9 is a 404 page saying so."""
    r = api.client.get("/rate/9")
    assert r.status_code == 404 and "Trung tâm không có quầy này." in r.get_data(as_text=True)
