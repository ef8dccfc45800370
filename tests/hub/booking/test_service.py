"""Remote tickets (``/book``, ``POST /api/v1/bookings``): off by default, then the rules."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from hub.booking import expire_bookings, normalise_phone
from tests.conftest import Api, build_app
from tests.hub.booking.conftest import book as _book
from tests.hub.booking.conftest import booking_config
from tests.hub.booking.conftest import form_token as _token


def test_booking_is_off_by_default(make_app) -> None:
    """GIVEN no [booking] section WHEN /book or the API is used THEN 404 page; the API
    wants the page's token (401) and, with a forged one, still refuses."""
    client = make_app(None).test_client()
    r = client.get("/book")
    assert r.status_code == 404 and "Chưa mở lấy số từ xa" in r.get_data(as_text=True)
    r = client.post("/api/v1/bookings", json={"service": "dat-dai", "phone": "0912345678"})
    assert (r.status_code, r.json["error"]["code"]) == (401, "unauthorized")
    r = _book(client, "forged.token.value")
    assert (r.status_code, r.json["error"]["code"]) == (401, "booking_token_expired")


def test_a_booked_ticket_joins_the_same_queue(make_app) -> None:
    """GIVEN booking on WHEN a kiosk ticket, a remote ticket and another kiosk ticket are
    issued THEN the remote one waits between them by issue time, is marked remote,
    and its status URL is the ticket page."""
    app = make_app({"enabled": True})
    client, api = app.test_client(), Api(app)
    kiosk = api.device("kiosk-1", "kiosk")
    first = api.issue(kiosk, "dat-dai")
    r = _book(client, _token(client))
    assert r.status_code == 201, r.json
    remote = r.json
    last = api.issue(kiosk, "dat-dai")
    assert [first["number"], remote["number"], last["number"]] == ["1001", "1002", "1003"]
    assert remote["waiting_ahead"] == 1 and last["waiting_ahead"] == 2
    assert remote["status_url"] == f"http://localhost/t/{remote['id']}"
    from sqlalchemy import select

    from hub.store.db import read
    from hub.store.tables import ticket_events, tickets

    hub = app.extensions["motcua"]
    with read(hub.engine) as conn:
        channel = conn.execute(select(tickets.c.channel).where(tickets.c.id == remote["id"]))
        assert channel.scalar_one() == "remote"
        details = [d for (d,) in conn.execute(select(ticket_events.c.detail))]
    assert "0912345678" not in repr(details), "the phone number itself is never stored"


def test_one_phone_one_ticket_a_day(make_app, clock) -> None:
    """GIVEN a cap of one per phone per day WHEN the same phone books again, written
    differently THEN 409 phone_limit_reached; another phone may book; the next day the
    first phone may book again."""
    app = make_app({"enabled": True, "rate_limit": 50})
    client = app.test_client()
    assert _book(client, _token(client), "0912345678").status_code == 201
    r = _book(client, _token(client), "+84 912 345 678", service="tu-phap")
    assert (r.status_code, r.json["error"]["code"]) == (409, "phone_limit_reached")
    assert _book(client, _token(client), "0987654321").status_code == 201
    clock.set(datetime(2026, 11, 30, 2, 0, tzinfo=UTC))  # Monday 09:00
    assert _book(client, _token(client), "0912345678").status_code == 201


def test_rate_limit_per_client(make_app) -> None:
    """GIVEN a rate limit of 3 attempts WHEN one client tries a fourth time (even after
    failed attempts) THEN 429 rate_limited."""
    app = make_app({"enabled": True, "rate_limit": 3, "per_phone_per_day": 5})
    client = app.test_client()
    r = _book(client, _token(client), "0212345678")  # a landline: refused, but it counts
    assert (r.status_code, r.json["error"]["code"]) == (400, "invalid_phone")
    assert _book(client, _token(client)).status_code == 201
    assert _book(client, _token(client)).status_code == 201
    r = _book(client, _token(client))
    assert (r.status_code, r.json["error"]["code"]) == (429, "rate_limited")


def test_outside_hours_and_closed_fields(make_app, clock) -> None:
    """GIVEN hours 07:30–17:00 on weekdays, bookings stopping 30 min before closing and
    only "Đất đai" open to booking WHEN booking at 16:45, on Saturday, or for another
    field THEN 409 outside_hours / 400 service_not_bookable; unknown fields are 404."""
    app = make_app({"enabled": True, "services": ["dat-dai"], "rate_limit": 50})
    client = app.test_client()
    token = _token(client)
    r = _book(client, token, service="tu-phap")
    assert (r.status_code, r.json["error"]["code"]) == (400, "service_not_bookable")
    r = _book(client, token, service="ho-chieu")
    assert (r.status_code, r.json["error"]["code"]) == (404, "unknown_service")
    clock.set(datetime(2026, 11, 27, 9, 45, tzinfo=UTC))  # 16:45 (a form opened then)
    r = _book(client, _token(client))
    assert (r.status_code, r.json["error"]["code"]) == (409, "outside_hours")
    assert "Ngoài giờ làm việc" in r.json["error"]["message"]
    clock.set(datetime(2026, 11, 28, 2, 0, tzinfo=UTC))  # Saturday 09:00
    assert _book(client, _token(client)).json["error"]["code"] == "outside_hours"


def test_booked_tickets_expire_at_closing_time(make_app, clock) -> None:
    """GIVEN a remote ticket and a kiosk ticket still waiting WHEN closing time passes
    THEN only the remote one is cancelled; before closing, nothing is."""
    app = make_app({"enabled": True})
    client, api = app.test_client(), Api(app)
    hub = app.extensions["motcua"]
    booking = app.extensions["motcua"].booking
    remote = _book(client, _token(client)).json
    kiosk_ticket = api.issue(api.device("kiosk-1", "kiosk"), "dat-dai")
    clock.set(datetime(2026, 11, 27, 9, 59, tzinfo=UTC))  # 16:59
    assert expire_bookings(booking) == 0
    clock.set(datetime(2026, 11, 27, 10, 0, 1, tzinfo=UTC))  # 17:00:01
    assert expire_bookings(booking) == 1
    assert hub.tickets.ticket(remote["id"])["status"] == "cancelled"
    assert hub.tickets.ticket(kiosk_ticket["id"])["status"] == "waiting"


def test_without_hours_booking_is_open_and_expires_at_midnight(make_app, clock) -> None:
    """GIVEN no site hours WHEN booking late in the evening THEN it works, and the ticket
    expires once the site's day is over."""
    app = make_app({"enabled": True}, hours=None)
    client = app.test_client()
    clock.set(datetime(2026, 11, 27, 15, 0, tzinfo=UTC))  # 22:00 in Hà Nội
    remote = _book(client, _token(client)).json
    booking = app.extensions["motcua"].booking
    assert expire_bookings(booking) == 0
    clock.set(datetime(2026, 11, 27, 17, 0, 1, tzinfo=UTC))  # 00:00:01 next day
    assert expire_bookings(booking) == 1
    assert app.extensions["motcua"].tickets.ticket(remote["id"])["status"] == "cancelled"


def test_book_page_lists_fields_and_rules(make_app) -> None:
    """GIVEN booking on WHEN /book is opened THEN it lists the fields, the hours in
    Vietnamese and the daily cap, without inline script."""
    client = make_app({"enabled": True, "per_phone_per_day": 2}).test_client()
    r = client.get("/book")
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "Lấy số thứ tự từ xa" in html and "Tư pháp – Hộ tịch" in html
    assert "Thứ Hai – Thứ Sáu, 07:30 – 17:00" in html
    assert "tối đa 2 số mỗi ngày" in html
    assert "<script>" not in html


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0912345678", "0912345678"),
        ("+84 912-345-678", "0912345678"),
        ("84.35.123.4567", "0351234567"),
    ],
)
def test_phone_numbers_are_normalised(raw, expected) -> None:
    """GIVEN the ways people write a mobile number WHEN normalised THEN one form."""
    assert normalise_phone(raw) == expected


@pytest.mark.parametrize("raw", ["", "12345", "0212345678", "09123456789", "abc0912345678"])
def test_bad_phone_numbers_are_refused(raw) -> None:
    """GIVEN things that are not Vietnamese mobile numbers WHEN normalised THEN refused."""
    from hub.errors import BadRequest

    with pytest.raises(BadRequest):
        normalise_phone(raw)


def test_invalid_booking_section_stops_the_hub(sqlite_database, tmp_path) -> None:
    """GIVEN [booking] with a typo WHEN the hub starts THEN a ConfigError names the key."""
    from config.errors import ConfigError

    with pytest.raises(ConfigError, match=r"booking\.per_phone"):
        build_app(booking_config({"enabled": True, "per_phone": 2}), sqlite_database, tmp_path)
