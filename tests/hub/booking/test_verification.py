"""The phone is verified with a one-time code before a remote ticket is issued
(SQLite and PostgreSQL): sent through ``[booking.sender]`` (here the fake gateway on
127.0.0.1, or the recording sender), entered on the page, guessed at most five
times, valid ``code_ttl_s``; bookings are flagged on the dashboard while no sender is
configured."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from hub.booking import RecordingSender
from hub.store.db import make_test_engine
from hub.store.tables import booking_forms
from tests.conftest import Api
from tests.hub.booking.conftest import book, form_token, send_code
from tests.hub.booking.gateway import Gateway


def _with_gateway(gateway: Gateway, **sender: Any) -> dict[str, Any]:
    return {
        "enabled": True,
        "sender": {"kind": "sms", "url": gateway.url,
                   "headers": {"Authorization": "Bearer khoa-thu"}, "timeout_s": 2, **sender},
    }  # fmt: skip


def test_a_code_through_the_sms_gateway_books_a_verified_ticket(booking_app, gateway) -> None:
    """GIVEN [booking.sender] an SMS gateway (the fake one on 127.0.0.1)
    WHEN the page asks for a code, then books with the code the gateway received
    THEN the gateway got one JSON POST {to, text} with the configured header and a
    Vietnamese text holding the code; the page is told where it went (masked); the
    ticket is issued and counted as verified on the dashboard."""
    app = booking_app(_with_gateway(gateway))
    client = app.test_client()
    token = form_token(client)
    r = send_code(client, token, "+84 912 345 678")
    assert r.status_code == 202, r.json
    assert r.json["sent_to"] == "0912 *** 678" and r.json["digits"] == 6
    [sent] = gateway.received
    assert sent.path == "/send" and sent.headers["Authorization"] == "Bearer khoa-thu"
    assert sent.body["to"] == "0912345678"
    [code] = gateway.codes()
    site = app.extensions["motcua"].config.site.name
    assert sent.body["text"] == f"Mã xác minh lấy số tại {site}: {code}. Mã có hiệu lực 5 phút."

    r = book(client, token, "0912345678", code=code)
    assert r.status_code == 201, r.json
    manager = Api(app).user("quanly", "manager")
    bookings = client.get("/dashboard/data", headers=manager).json["bookings"]
    assert bookings | {"items": []} == {
        "enabled": True, "verifying": True, "total": 1, "unverified": 0, "items": []
    }  # fmt: skip


def test_a_zalo_webhook_gets_its_template_and_its_errors_are_failures(booking_app, gateway) -> None:
    """GIVEN a Zalo OA webhook with a ZNS-shaped body template WHEN Zalo answers 200
    with {"error": -124} THEN 503 code_not_sent and the same form may ask again; once it
    answers {"error": 0} THEN 202, and the body carried the number as 84… and the code."""
    body = {"phone": "{phone_intl}", "template_id": "7895417",
            "template_data": {"otp": "{code}", "site": "{site}"}}  # fmt: skip
    client = booking_app(_with_gateway(gateway, kind="zalo", body=body)).test_client()
    token = form_token(client)
    gateway.answer = {"error": -124, "message": "access_token không hợp lệ"}
    r = send_code(client, token)
    assert (r.status_code, r.json["error"]["code"]) == (503, "code_not_sent")
    gateway.answer = {"error": 0, "message": "Success"}
    assert send_code(client, token).status_code == 202
    last = gateway.received[-1].body
    assert last["phone"] == "84912345678" and last["template_id"] == "7895417"
    assert last["template_data"]["otp"] == gateway.codes()[-1]
    assert last["template_data"]["site"].startswith("Trung tâm")


def test_a_gateway_that_hangs_costs_its_timeout_not_a_500(booking_app, gateway) -> None:
    """GIVEN a gateway that accepts the request and never answers (timeout_s = 0.5)
    WHEN the page asks for a code THEN 503 code_not_sent (the booking is not taken, the
    form may ask again), never a 500 or a hang."""
    client = booking_app(_with_gateway(gateway, timeout_s=0.5)).test_client()
    gateway.hold = True
    token = form_token(client)
    r = send_code(client, token)
    assert (r.status_code, r.json["error"]["code"]) == (503, "code_not_sent")
    gateway.release.set()
    gateway.hold = False
    assert send_code(client, token).status_code == 202


@pytest.fixture
def coded(booking_app) -> tuple[Any, RecordingSender]:
    """A hub whose codes go to the recording sender (the fake implementation)."""
    app = booking_app({"enabled": True, "rate_limit": 100, "per_phone_per_day": 3})
    sender = RecordingSender()
    app.extensions["motcua"].booking.use_sender(sender)
    return app.test_client(), sender


def test_wrong_missing_and_misdirected_codes(coded) -> None:
    """GIVEN a code sent for 0912345678 and "Đất đai"
    WHEN the booking has no code, a wrong one, the code with another number or field
    THEN code_required, wrong_code (saying the guesses left), code_not_requested; a
    form that asked for no code is code_not_requested too; the right code books, once."""
    client, sender = coded
    token = form_token(client)
    assert send_code(client, token).status_code == 202
    code = sender.sent[-1].code
    wrong = "000000" if code != "000000" else "111111"
    assert book(client, token).json["error"]["code"] == "code_required"
    r = book(client, token, code=wrong)
    assert (r.status_code, r.json["error"]["code"]) == (400, "wrong_code")
    assert "còn 4 lần thử" in r.json["error"]["message"]
    r = book(client, token, "0987654321", code=code)
    assert (r.status_code, r.json["error"]["code"]) == (409, "code_not_requested")
    assert book(client, token, service="tu-phap", code=code).status_code == 409
    assert book(client, form_token(client), code=code).json["error"]["code"] == (
        "code_not_requested"
    )
    assert book(client, token, code=code).status_code == 201
    r = book(client, token, code=code)
    assert (r.status_code, r.json["error"]["code"]) == (401, "booking_token_used")
    assert send_code(client, token).json["error"]["code"] == "booking_token_used"


def test_five_wrong_guesses_spend_the_code(coded) -> None:
    """GIVEN a sent code WHEN five wrong guesses are made THEN the right code is then
    refused (429 too_many_code_attempts): a six-digit code cannot be walked."""
    client, sender = coded
    token = form_token(client)
    send_code(client, token)
    code = sender.sent[-1].code
    wrong = [f"{(int(code) + i) % 1_000_000:06d}" for i in range(1, 6)]
    assert [book(client, token, code=w).json["error"]["code"] for w in wrong] == ["wrong_code"] * 5
    r = book(client, token, code=code)
    assert (r.status_code, r.json["error"]["code"]) == (429, "too_many_code_attempts")


def test_a_code_expires(coded, clock) -> None:
    """GIVEN codes valid code_ttl_s (300 s) WHEN the right code comes 301 s later THEN
    409 code_expired."""
    client, sender = coded
    token = form_token(client)
    send_code(client, token)
    clock.advance(301)
    r = book(client, token, code=sender.sent[-1].code)
    assert (r.status_code, r.json["error"]["code"]) == (409, "code_expired")


def test_one_phone_cannot_be_sent_codes_without_end(coded) -> None:
    """GIVEN fresh forms WHEN one number asks for a sixth code in a day THEN 429
    too_many_codes, and nothing more is sent to it."""
    client, sender = coded
    answers = [send_code(client, form_token(client)).status_code for _ in range(6)]
    assert answers == [202] * 5 + [429]
    assert len(sender.sent) == 5


def test_no_code_is_sent_when_the_field_is_full(booking_app) -> None:
    """GIVEN a verifying hub with per_service_per_hour = 2 WHEN two tickets are booked
    THEN asking for a third code is 409 hourly_limit_reached and sends nothing."""
    app = booking_app({"enabled": True, "per_service_per_hour": 2, "per_phone_per_day": 5})
    sender = RecordingSender()
    app.extensions["motcua"].booking.use_sender(sender)
    client = app.test_client()
    for phone in ("0912345671", "0912345672"):
        token = form_token(client)
        send_code(client, token, phone)
        assert book(client, token, phone, code=sender.sent[-1].code).status_code == 201
    r = send_code(client, form_token(client), "0912345673")
    assert (r.status_code, r.json["error"]["code"]) == (409, "hourly_limit_reached")
    assert len(sender.sent) == 2


def test_the_code_is_sent_outside_any_transaction(booking_app) -> None:
    """GIVEN a sender that looks at the database while it sends WHEN a code is sent THEN
    no connection of the hub is checked out (no transaction, no SQLite write lock is
    held across the network call), and the form's row is already committed."""
    app = booking_app({"enabled": True})
    hub = app.extensions["motcua"]
    seen: list[tuple[int, int]] = []

    class Watching(RecordingSender):
        def send(self, phone: str, code: str, minutes: int) -> None:
            other = make_test_engine(hub.settings.database_url)
            try:
                with other.connect() as conn:
                    rows = conn.execute(select(func.count()).select_from(booking_forms))
                    seen.append((hub.engine.pool.checkedout(), int(rows.scalar_one())))
            finally:
                other.dispose()
            super().send(phone, code, minutes)

    hub.booking.use_sender(Watching())
    client = app.test_client()
    assert send_code(client, form_token(client)).status_code == 202
    assert seen == [(0, 1)]


def test_unverified_bookings_are_flagged_on_the_dashboard(booking_app) -> None:
    """GIVEN booking on without a code sender WHEN two tickets are booked THEN the
    dashboard says numbers are not verified, counts both as unverified and lists them
    (number, field, status) for managers; the page shows the warning."""
    app = booking_app({"enabled": True, "per_phone_per_day": 2})
    client = app.test_client()
    first = book(client, form_token(client)).json
    second = book(client, form_token(client), service="tu-phap").json
    manager = Api(app).user("quanly", "manager")
    data = client.get("/dashboard/data", headers=manager).json["bookings"]
    assert (data["enabled"], data["verifying"], data["total"], data["unverified"]) == (
        True, False, 2, 2
    )  # fmt: skip
    assert [(i["number"], i["service"], i["status"]) for i in data["items"]] == [
        (second["number"], "Tư pháp – Hộ tịch", "Đang chờ"),
        (first["number"], "Đất đai", "Đang chờ"),
    ]
    page = client.get("/dashboard", headers=manager).get_data(as_text=True)
    assert "Số điện thoại của các số lấy từ xa chưa được xác minh" in page
