"""A /book form books once and for a short while; the fields' hourly caps hold
(SQLite and PostgreSQL). Issue 15, item 6: "From three addresses, 15 bookings out of
18 were accepted"."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

from itsdangerous import URLSafeTimedSerializer

from tests.hub.booking.conftest import book, form_token, send_code


def test_a_form_books_once(booking_app) -> None:
    """GIVEN booking on, without a code sender WHEN the same form token books twice
    (another phone, another field) THEN the second is 401 booking_token_used; a fresh
    form books."""
    client = booking_app({"enabled": True, "per_phone_per_day": 5}).test_client()
    token = form_token(client)
    assert book(client, token).status_code == 201
    again = book(client, token, "0987654321", service="tu-phap")
    assert (again.status_code, again.json["error"]["code"]) == (401, "booking_token_used")
    assert book(client, form_token(client), "0987654321").status_code == 201


def test_a_refused_booking_leaves_the_form_usable(booking_app) -> None:
    """GIVEN a form WHEN a booking is refused before any ticket (a landline number)
    THEN the same form still books once the number is right."""
    client = booking_app({"enabled": True}).test_client()
    token = form_token(client)
    assert book(client, token, "0212345678").json["error"]["code"] == "invalid_phone"
    assert book(client, token).status_code == 201


def test_a_form_is_short_lived(booking_app, clock) -> None:
    """GIVEN forms live form_ttl_s = 120 s by the hub's clock WHEN a form is used after
    121 s THEN 401 booking_token_expired; at 119 s it books. The form token of the old
    kind (reusable, without a nonce) is refused too."""
    client = booking_app({"enabled": True, "form_ttl_s": 120, "per_phone_per_day": 5}).test_client()
    late, early = form_token(client), form_token(client)
    clock.advance(119)
    assert book(client, early).status_code == 201
    clock.advance(2)
    r = book(client, late, "0987654321")
    assert (r.status_code, r.json["error"]["code"]) == (401, "booking_token_expired")
    app = client.application
    old = URLSafeTimedSerializer(app.secret_key, salt="motcua.booking-form").dumps("book")
    assert book(client, old, "0987654321").json["error"]["code"] == "booking_token_expired"


def test_two_processes_cannot_both_use_one_form(booking_app) -> None:
    """GIVEN two hub processes on one database (same secret, their own locks) WHEN both
    receive the same form at once, many times THEN exactly one books each time."""
    first = booking_app({"enabled": True, "per_phone_per_day": 20, "rate_limit": 1000,
                         "unverified_per_service_per_hour": 100})  # fmt: skip
    second = booking_app({"enabled": True, "per_phone_per_day": 20, "rate_limit": 1000,
                          "unverified_per_service_per_hour": 100})  # fmt: skip
    second.secret_key = first.secret_key
    clients = [first.test_client(), second.test_client()]
    for round_ in range(6):
        token = form_token(clients[0])
        phones = [f"09{round_}{i}345678" for i in range(2)]
        statuses = _at_once(lambda c, phone, t=token: book(c, t, phone).status_code,
                            list(zip(clients, phones, strict=True)))  # fmt: skip
        assert sorted(statuses) == [201, 401], f"round {round_}: {statuses}"


def _at_once(call: Any, arguments: list[tuple[Any, ...]]) -> list[Any]:
    """``call(*args)`` for each of ``arguments``, in threads released together."""
    start = threading.Barrier(len(arguments))
    results: list[Any] = []

    def run(*args: Any) -> None:
        start.wait()
        results.append(call(*args))

    threads = [threading.Thread(target=run, args=args) for args in arguments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    return results


def test_the_flood_from_three_addresses_is_capped(booking_app, clock) -> None:
    """GIVEN booking on with the defaults and no code sender WHEN three addresses make
    18 bookings for one field within the hour, each from a freshly opened form (and
    each also replaying its form) THEN at most unverified_per_service_per_hour (5)
    are accepted, every replayed form is refused, and once the hour has passed the
    field takes bookings again."""
    app = booking_app({"enabled": True, "per_phone_per_day": 20, "rate_limit": 100})
    client = app.test_client()
    accepted, replays = 0, []
    for i in range(18):
        address = f"198.51.100.{i % 3}"
        token = form_token(client)
        r = book(client, token, f"09123456{i:02d}", address=address)
        accepted += r.status_code == 201
        if r.status_code == 201:
            replays.append(book(client, token, f"09876543{i:02d}", address=address))
        else:
            assert r.json["error"]["code"] == "hourly_limit_reached", r.json
        clock.advance(60)
    assert accepted == 5
    assert {(r.status_code, r.json["error"]["code"]) for r in replays} == {
        (401, "booking_token_used")
    }
    clock.advance(timedelta(hours=1).total_seconds())
    assert book(client, form_token(client), "0911111111", address="198.51.100.9").status_code == 201


def test_without_a_sender_no_code_is_sent(booking_app) -> None:
    """GIVEN no [booking.sender] WHEN the page asks for a code THEN 404 verification_off,
    and the form still books without one."""
    client = booking_app({"enabled": True}).test_client()
    token = form_token(client)
    r = send_code(client, token)
    assert (r.status_code, r.json["error"]["code"]) == (404, "verification_off")
    assert book(client, token).status_code == 201
