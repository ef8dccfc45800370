"""Mock GPIO pins → the real rating pad agent → a live hub on 127.0.0.1.

The hub runs with the real clock here: the pad stamps presses with the Pi's
wall time and the hub links them by time, exactly as in a centre.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from gpiozero.pins.mock import MockFactory
from sqlalchemy import select

from config.rating_pad import PadCounter, RatingPadSettings
from hub.store.db import read
from hub.store.tables import rating_presses, ratings
from kiosk.rating_pad.loop import page_led, reason_pages
from kiosk.rating_pad.settings import build_pad
from tests.conftest import Api, build_app, close_app
from tests.kiosk.rating_pad.support import LED_PINS, LEVEL_PINS, serve_ticket, wait_for


@pytest.fixture
def hub_live(demo_config, sqlite_database, tmp_path, live_server) -> Iterator[tuple[Any, Any]]:
    app = build_app(demo_config, sqlite_database, tmp_path)  # real clock
    live = live_server(app)
    yield app, live
    live.stop()
    close_app(app)


@pytest.fixture
def pins() -> Iterator[MockFactory]:
    factory = MockFactory()
    yield factory
    factory.reset()


def pad_settings(app: Any, live: Any, tmp_path: Any, **options: Any) -> RatingPadSettings:
    """Settings of a pad at counter 1 on the mock pins, with a token of its own."""
    token = app.extensions["motcua"].devices.add_device("pad-1", "rating-pad", "1")
    return RatingPadSettings(
        hub_url=live.url,
        device="pad-test",
        outbox=str(tmp_path / "pad.sqlite"),
        counters=(PadCounter(counter="1", token=token, buttons=LEVEL_PINS, leds=LED_PINS),),
        retry_max_s=0.5,
        **options,
    )


def press(pins: MockFactory, level: str) -> None:
    pin = pins.pin(LEVEL_PINS[level])
    pin.drive_low()
    pin.drive_high()


def stored(app: Any) -> list[Any]:
    with read(app.extensions["motcua"].engine) as conn:
        return conn.execute(select(ratings).order_by(ratings.c.id)).all()


def test_pins_to_pad_to_hub(hub_live, pins, tmp_path) -> None:
    """GIVEN a pad on mock pins listening to a live hub WHEN a ticket is completed THEN its
    LEDs invite; WHEN the citizen presses "Rất hài lòng" THEN the hub holds that rating for
    the ticket, the LED thanks, and the window closes; WHEN a later citizen presses "Không
    hài lòng" and then the first other button THEN the rating carries the first reason."""
    app, live = hub_live
    api = Api(app)
    kiosk, staff = api.device("k1", "kiosk"), api.user("canbo1")
    settings = pad_settings(app, live, tmp_path, reason_s=3)
    pad = build_pad(settings, pin_factory=pins)
    pad.start()
    try:
        leds = pad.pads["1"].leds
        wait_for(lambda: pad._sockets[0].connected, what="socket connected")
        assert {name: led.current for name, led in leds.items()} == dict.fromkeys(LEVEL_PINS, "off")
        first = serve_ticket(api, kiosk, staff)
        wait_for(lambda: all(led.current == "invite" for led in leds.values()), what="invite")
        press(pins, "very_satisfied")
        rows = wait_for(lambda: stored(app), what="rating stored")
        assert rows[0].ticket_id == first and rows[0].level == "very_satisfied"
        assert rows[0].counter_id == "1" and not rows[0].flagged
        assert "thank_you" in (leds["very_satisfied"].current, "on")
        wait_for(lambda: all(led.current == "off" for led in leds.values()), what="LEDs off")

        second = serve_ticket(api, kiosk, staff)
        wait_for(lambda: leds["unsatisfied"].current == "invite", what="invite again")
        press(pins, "unsatisfied")
        # The other buttons now ask for a reason: the first one means "attitude".
        wait_for(lambda: leds["very_satisfied"].current == "invite" and
                 leds["unsatisfied"].current == "off", what="reason prompt")  # fmt: skip
        press(pins, "very_satisfied")
        rows = wait_for(lambda: len(stored(app)) == 2 and stored(app), what="second rating")
        assert rows[1].ticket_id == second and rows[1].level == "unsatisfied"
        assert rows[1].reasons == ["attitude"]
        wait_for(lambda: pad.outbox.count() == 0, what="outbox empty")
    finally:
        pad.stop()
        pad.outbox.close()


def test_a_press_outside_the_window_is_kept_as_refused(hub_live, pins, tmp_path) -> None:
    """GIVEN no ticket completed at the counter WHEN the pad's button is pressed anyway
    THEN the press reaches the hub and is kept as a raw press refused with ``no_ticket``."""
    app, live = hub_live
    settings = pad_settings(app, live, tmp_path)
    pad = build_pad(settings, pin_factory=pins, connect_sockets=False)
    pad.start()
    try:
        press(pins, "satisfied")
        wait_for(lambda: pad.outbox.count() == 0 and pad.sent.is_set(), what="sent")
    finally:
        pad.stop()
        pad.outbox.close()
    with read(app.extensions["motcua"].engine) as conn:
        (row,) = conn.execute(select(rating_presses)).all()
    assert row.outcome == "rejected" and row.code == "no_ticket" and row.level == "satisfied"
    assert row.key.startswith("pad-test.")
    assert stored(app) == []


def test_every_reason_is_reachable_by_turning_pages(hub_live, pins, tmp_path) -> None:
    """GIVEN a 3-button pad and six reasons WHEN the citizen presses "Không hài lòng" THEN the
    two other buttons show page 1 (slow blink); WHEN "Không hài lòng" is pressed twice more
    THEN they show page 2 then page 3 by their flash code; WHEN the middle button is pressed
    THEN the rating carries the sixth reason, "Phải đi lại nhiều lần"."""
    app, live = hub_live
    api = Api(app)
    kiosk, staff = api.device("k1", "kiosk"), api.user("canbo1")
    # debounce 0: the same button is pressed again at once
    settings = pad_settings(app, live, tmp_path, reason_s=20, debounce_ms=0)
    assert len(settings.reasons) == 6
    pad = build_pad(settings, pin_factory=pins)
    pad.start()
    try:
        leds = pad.pads["1"].leds
        wait_for(lambda: pad._sockets[0].connected, what="socket connected")
        ticket = serve_ticket(api, kiosk, staff)
        wait_for(lambda: leds["unsatisfied"].current == "invite", what="invite")
        press(pins, "unsatisfied")
        for code in ("invite", "page_2", "page_3"):
            if code != "invite":
                press(pins, "unsatisfied")
            wait_for(lambda code=code: leds["very_satisfied"].current == code and  # type: ignore[misc]
                     leds["satisfied"].current == code and
                     leds["unsatisfied"].current == "off", what=code)  # fmt: skip
        assert pad.outbox.count() == 1  # still held: no reason yet
        press(pins, "satisfied")
        rows = wait_for(lambda: stored(app), what="rating stored")
        assert rows[0].ticket_id == ticket and rows[0].level == "unsatisfied"
        assert rows[0].reasons == ["repeat_visits"]
    finally:
        pad.stop()
        pad.outbox.close()


def test_the_pages_of_reasons() -> None:
    """The reasons go two by two on the buttons other than the negative one, in order."""
    pages = reason_pages(["very_satisfied", "satisfied"], tuple("abcde"))
    assert pages == [
        {"very_satisfied": "a", "satisfied": "b"},
        {"very_satisfied": "c", "satisfied": "d"},
        {"very_satisfied": "e"},
    ]
    assert [page_led(n) for n in range(3)] == ["invite", "page_2", "page_3"]
