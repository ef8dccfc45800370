"""GPIO buttons on mock pins work the counter (:mod:`kiosk.counter_keypad.devices`)."""

from __future__ import annotations

import time

from kiosk.counter_keypad.devices import ButtonSource
from kiosk.counter_keypad.loop import CounterKeypadAgent
from kiosk.kit.hub_client import HubClient


def test_gpio_buttons_and_status_led_work_the_counter(app, hub, api, live) -> None:
    """GIVEN GPIO buttons and a status LED on mock pins WHEN the call-next button's pin
    is pulled low THEN the hub calls 1001 and the LED is steady again; stopping turns it off."""
    from gpiozero.pins.mock import MockFactory

    from hardware.buttons import GpioButtons, GpioIndicator

    factory = MockFactory()
    kiosk = api.device("k", "kiosk")
    api.issue(kiosk)
    api.post("/counters/1/open", api.user("canbo1"))
    token = hub.devices.add_device("kp-gpio", "counter-keypad", "1")
    buttons = GpioButtons({"call_next": 17, "recall": 27}, pin_factory=factory)
    led = GpioIndicator(5, pin_factory=factory)
    agent = CounterKeypadAgent(
        HubClient(live.url, token), "1", ButtonSource(buttons), indicator=led
    )
    agent.start()
    try:
        factory.pin(17).drive_low()
        factory.pin(17).drive_high()
        result = agent.results.get(timeout=10)
        deadline = time.monotonic() + 5
        while led.current != "on" and time.monotonic() < deadline:
            time.sleep(0.02)
        steady = led.current
    finally:
        agent.stop()
        factory.reset()

    assert (result.ok, result.number) == (True, "1001")
    assert hub.views.calls_after(0)[0]["counter"]["id"] == "1"
    assert steady == "on" and led.current == "off"  # steady after the call, off once stopped
