"""GpioButtons and GpioIndicator on gpiozero's MockFactory pins."""

from __future__ import annotations

import threading

import pytest

from hardware.buttons import GpioButtons, GpioIndicator
from hardware.errors import DeviceUnavailable
from hardware.ports import LedPattern


class FakeClock:
    """Monotonic seconds that move only when told to."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def click(pin) -> None:
    pin.drive_low()
    pin.drive_high()


def test_press_calls_back_with_the_button_name(mock_factory) -> None:
    """GIVEN two pulled-up buttons on pins 17 and 27
    WHEN pin 27 is pulled low and released
    THEN the callback gets "ho-tich" once, and the idle pins read high."""
    got: list[str] = []
    panel = GpioButtons({"dat-dai": 17, "ho-tich": "GPIO27"}, pin_factory=mock_factory)
    panel.set_callback(got.append)

    click(mock_factory.pin(27))

    assert got == ["ho-tich"]
    assert mock_factory.pin(17).state == 1 and panel.names == ("dat-dai", "ho-tich")
    panel.close()


def test_pull_down_buttons_press_on_high(mock_factory) -> None:
    """GIVEN a button wired to 3.3 V (pull_up=False)
    WHEN its pin is driven high THEN it counts as a press."""
    got: list[str] = []
    panel = GpioButtons({"ok": 5}, pull_up=False, pin_factory=mock_factory)
    panel.set_callback(got.append)

    mock_factory.pin(5).drive_high()
    mock_factory.pin(5).drive_low()

    assert got == ["ok"]
    panel.close()


def test_debounce_drops_presses_within_the_window(mock_factory) -> None:
    """GIVEN a 250 ms debounce and a clock we move by hand
    WHEN a button bounces (press at 0, 100 and 249 ms), then is pressed at 300 ms
    and 600 ms, and another button is pressed at 300 ms too
    THEN presses at 0, 300 and 600 ms count for it, and the other button's too."""
    clock = FakeClock()
    got: list[str] = []
    panel = GpioButtons({"a": 6, "b": 13}, debounce_ms=250, pin_factory=mock_factory, clock=clock)
    panel.set_callback(got.append)
    pin_a, pin_b = mock_factory.pin(6), mock_factory.pin(13)

    for at, pin in [(0, pin_a), (100, pin_a), (249, pin_a), (300, pin_a), (300, pin_b)]:
        clock.now = 100.0 + at / 1000
        click(pin)
    clock.now = 100.6
    click(pin_a)

    assert got == ["a", "a", "b", "a"]
    panel.close()


def test_hold_calls_on_hold(mock_factory) -> None:
    """GIVEN a button with hold_s=0.05
    WHEN it is held down until gpiozero reports the hold
    THEN on_hold gets its name (and on_press got the press first)."""
    pressed: list[str] = []
    held = threading.Event()
    panel = GpioButtons({"reprint": 21}, hold_s=0.05, pin_factory=mock_factory)
    panel.set_callback(pressed.append, on_hold=lambda name: held.set())

    mock_factory.pin(21).drive_low()
    assert held.wait(5)
    mock_factory.pin(21).drive_high()

    assert pressed == ["reprint"]
    panel.close()


def test_failing_callback_does_not_break_the_panel(mock_factory) -> None:
    """GIVEN a callback that raises on its first call
    WHEN the button is pressed twice (far apart)
    THEN the second press still arrives."""
    clock = FakeClock()
    calls: list[str] = []

    def callback(name: str) -> None:
        calls.append(name)
        if len(calls) == 1:
            raise RuntimeError("queue full")

    panel = GpioButtons({"a": 6}, pin_factory=mock_factory, clock=clock)
    panel.set_callback(callback)
    click(mock_factory.pin(6))
    clock.now += 1
    click(mock_factory.pin(6))

    assert calls == ["a", "a"]
    panel.close()


def test_pin_errors_are_translated(mock_factory) -> None:
    """GIVEN pin 6 already used by an LED
    WHEN buttons want pin 6, or a pin that does not exist
    THEN DeviceUnavailable and ValueError, and the pins taken so far are freed."""
    led = GpioIndicator(6, pin_factory=mock_factory)
    with pytest.raises(DeviceUnavailable, match="button 'b' on pin 6"):
        GpioButtons({"a": 5, "b": 6}, pin_factory=mock_factory)
    with pytest.raises(ValueError, match="pin 99"):
        GpioButtons({"c": 99}, pin_factory=mock_factory)

    GpioButtons({"a": 5}, pin_factory=mock_factory).close()  # pin 5 was released
    led.close()


def test_indicator_on_off_and_steady_pattern(mock_factory) -> None:
    """GIVEN an LED on pin 26
    WHEN it is turned on, off, then shows "ready"
    THEN the pin goes high, low, high and current names each state."""
    led = GpioIndicator(26, pin_factory=mock_factory)
    pin = mock_factory.pin(26)
    seen = []
    led.on()
    seen.append((led.current, pin.state))
    led.off()
    seen.append((led.current, pin.state))
    led.blink("ready")
    seen.append((led.current, pin.state))

    assert seen == [("on", True), ("off", False), ("ready", True)]
    pin.assert_states([False, True, False, True])
    led.close()
    assert not pin.state


def test_finite_pattern_plays_then_settles(mock_factory) -> None:
    """GIVEN a pattern of 2 short flashes that ends lit
    WHEN shown and waited for
    THEN the pin went on/off twice then on, and current is "on"."""
    led = GpioIndicator(26, pin_factory=mock_factory)
    pattern = LedPattern(((True, 0.01), (False, 0.01)), repeat=2, then=True)

    led.blink(pattern)
    assert led.wait(5)

    mock_factory.pin(26).assert_states([False, True, False, True, False, True])
    assert led.current == "on"
    led.close()


def test_endless_pattern_stops_when_changed(mock_factory) -> None:
    """GIVEN "busy" blinking
    WHEN the LED is turned off
    THEN the blinking thread is gone, the pin stays low and current is "off"."""
    led = GpioIndicator(26, pin_factory=mock_factory)
    pin = mock_factory.pin(26)

    led.blink("busy")
    assert led.current == "busy" and not led.wait(0.01)
    led.off()

    assert led.wait(0) and led.current == "off" and not pin.state
    states = [s.state for s in pin.states]
    assert states[:2] == [False, True] and states[-1] is False


def test_unknown_pattern_is_a_value_error(mock_factory) -> None:
    """GIVEN an LED WHEN asked for pattern "party" THEN ValueError listing the known ones."""
    led = GpioIndicator(26, pin_factory=mock_factory)
    with pytest.raises(ValueError, match="known: ready, busy, error, thank_you, invite"):
        led.blink("party")
    led.close()
