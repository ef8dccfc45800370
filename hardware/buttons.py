"""GPIO push buttons and LEDs through gpiozero.

Wiring: each button connects a GPIO pin to ground (``pull_up=True``, the
default: the pin idles high through the Pi's internal pull-up and a press pulls
it low) or to 3.3 V (``pull_up=False``). Each LED is driven by a pin through a
resistor, lit when the pin is high (``active_high=True``). Pins are BCM numbers
(``17``) or gpiozero names (``"GPIO17"``, ``"BOARD11"``).

``pin_factory`` is passed in (gpiozero's ``MockFactory`` in tests); None uses
gpiozero's default, which on a Pi 5 must be lgpio
(``GPIOZERO_PIN_FACTORY=lgpio``).

Debounce is ours: a press of the same button within ``debounce_ms`` of its
last accepted press is dropped. gpiozero's ``bounce_time`` is not used: the
mock pins ignore it (so it could not be tested) and lgpio implements it as a
delay before the edge is reported.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from functools import partial
from typing import TYPE_CHECKING

from hardware.errors import DeviceUnavailable
from hardware.ports import PATTERNS, LedPattern

if TYPE_CHECKING:
    from gpiozero import Button
    from gpiozero.pins import Factory

__all__ = ["GpioButtons", "GpioIndicator"]

logger = logging.getLogger(__name__)

PinId = int | str


def _gpio_error(err: Exception, what: str) -> Exception:
    # A malformed pin name is a configuration mistake; anything else (pin in
    # use, no pin factory, no permission) means the device is unavailable.
    if isinstance(err, ValueError):
        return ValueError(f"{what}: {err}")
    return DeviceUnavailable(f"{what}: {err}", device="gpio")


class GpioButtons:
    """A :class:`~hardware.ports.ButtonPanel` of gpiozero ``Button`` s.

    Args:
        pins: Button name → pin, e.g. ``{"dat-dai": 17, "ho-tich": 27}``.
        pull_up: True when buttons connect the pin to ground (see module doc).
        debounce_ms: Presses of one button closer than this are dropped.
        hold_s: Seconds a button must be held for ``on_hold``; None disables holds.
        pin_factory: A gpiozero pin factory, or None for gpiozero's default.
        clock: Monotonic seconds, for the debounce (tests pass a fake clock).

    Raises:
        ValueError: An invalid pin name.
        DeviceUnavailable: A pin is in use or no pin factory works.
    """

    def __init__(
        self,
        pins: Mapping[str, PinId],
        *,
        pull_up: bool = True,
        debounce_ms: float = 250,
        hold_s: float | None = None,
        pin_factory: Factory | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        # why: gpiozero loads only when real buttons are built, never with fakes
        from gpiozero import Button, GPIOZeroError

        self._names = tuple(pins)
        self._debounce_s = debounce_ms / 1000
        self._clock = clock
        self._lock = threading.Lock()
        self._last_press: dict[str, float] = {}
        self._on_press: Callable[[str], None] | None = None
        self._on_hold: Callable[[str], None] | None = None
        self._buttons: list[Button] = []
        try:
            for name, pin in pins.items():
                button = Button(
                    pin,
                    pull_up=pull_up,
                    hold_time=hold_s if hold_s is not None else 1.0,
                    pin_factory=pin_factory,
                )
                self._buttons.append(button)
                button.when_pressed = partial(self._pressed, name)
                if hold_s is not None:
                    button.when_held = partial(self._held, name)
        except (GPIOZeroError, OSError, ValueError) as err:
            self.close()
            raise _gpio_error(err, f"button {name!r} on pin {pin!r}") from err

    @property
    def names(self) -> tuple[str, ...]:
        """The button names, in configuration order."""
        return self._names

    def set_callback(
        self,
        on_press: Callable[[str], None],
        on_hold: Callable[[str], None] | None = None,
    ) -> None:
        """Register the callbacks; they run on gpiozero's thread and must only enqueue."""
        with self._lock:
            self._on_press, self._on_hold = on_press, on_hold

    def _pressed(self, name: str) -> None:
        now = self._clock()
        with self._lock:
            last = self._last_press.get(name)
            if last is not None and now - last < self._debounce_s:
                logger.debug("button %s: bounce ignored (%.0f ms)", name, (now - last) * 1000)
                return
            self._last_press[name] = now
            callback = self._on_press
        if callback is not None:
            _call(callback, name)

    def _held(self, name: str) -> None:
        with self._lock:
            callback = self._on_hold
        if callback is not None:
            _call(callback, name)

    def close(self) -> None:
        """Release the pins. Idempotent."""
        with self._lock:
            self._on_press = self._on_hold = None
        for button in self._buttons:
            button.close()
        self._buttons.clear()


def _call(callback: Callable[[str], None], name: str) -> None:
    # An exception escaping into gpiozero's thread would be lost silently.
    try:
        callback(name)
    except Exception:
        logger.exception("button callback for %s failed", name)


class GpioIndicator:
    """An :class:`~hardware.ports.Indicator`: one gpiozero ``LED`` showing patterns.

    Patterns run on a small thread of ours (so finite patterns can end in a
    chosen state); a steady pattern is just the LED on. Any call stops the
    pattern that is running before changing the LED.

    Args:
        pin: The LED's pin.
        active_high: True when a high pin lights the LED.
        pin_factory: A gpiozero pin factory, or None for gpiozero's default.

    Raises:
        ValueError: An invalid pin name.
        DeviceUnavailable: The pin is in use or no pin factory works.
    """

    def __init__(
        self, pin: PinId, *, active_high: bool = True, pin_factory: Factory | None = None
    ) -> None:
        # why: gpiozero loads only when a real LED is built
        from gpiozero import LED, GPIOZeroError

        try:
            self._led = LED(pin, active_high=active_high, pin_factory=pin_factory)
        except (GPIOZeroError, OSError, ValueError) as err:
            raise _gpio_error(err, f"LED on pin {pin!r}") from err
        self._ops = threading.RLock()  # serialises public calls
        self._state = threading.Lock()  # guards _current against the pattern thread
        self._current = "off"
        self._generation = 0
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._closed = False

    @property
    def current(self) -> str:
        """ "on", "off" or the name of the pattern being shown ("custom" if unnamed)."""
        with self._state:
            return self._current

    def on(self) -> None:
        """Light steadily."""
        with self._ops:
            self._stop_pattern()
            self._led.on()
            self._set_current("on")

    def off(self) -> None:
        """Turn off."""
        with self._ops:
            self._stop_pattern()
            self._led.off()
            self._set_current("off")

    def blink(self, pattern: str | LedPattern) -> None:
        """Show ``pattern`` (a name from :data:`~hardware.ports.PATTERNS` or a LedPattern).

        Raises:
            ValueError: Unknown pattern name.
        """
        if isinstance(pattern, LedPattern):
            name, spec = "custom", pattern
        elif pattern in PATTERNS:
            name, spec = pattern, PATTERNS[pattern]
        else:
            raise ValueError(f"unknown LED pattern {pattern!r}; known: {', '.join(PATTERNS)}")
        with self._ops:
            self._stop_pattern()
            self._set_current(name)
            if spec.steady:
                self._led.value = spec.steps[0][0]
                return
            self._stop = threading.Event()
            generation = self._generation
            self._thread = threading.Thread(
                target=self._run, args=(spec, self._stop, generation), name="led", daemon=True
            )
            self._thread.start()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until a finite pattern has ended; True if no pattern is running."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
            return not thread.is_alive()
        return True

    def _run(self, spec: LedPattern, stop: threading.Event, generation: int) -> None:
        rounds = 0
        while spec.repeat is None or rounds < spec.repeat:
            for lit, seconds in spec.steps:
                self._led.value = lit
                if stop.wait(seconds):
                    return
            rounds += 1
        self._led.value = spec.then
        with self._state:
            if self._generation == generation:
                self._current = "on" if spec.then else "off"

    def _stop_pattern(self) -> None:
        with self._state:
            self._generation += 1
        thread, self._thread = self._thread, None
        if thread is not None:
            self._stop.set()
            thread.join()

    def _set_current(self, name: str) -> None:
        with self._state:
            self._current = name

    def close(self) -> None:
        """Turn off and release the pin. Idempotent."""
        with self._ops:
            if self._closed:
                return
            self._stop_pattern()
            self._led.off()
            self._led.close()
            self._closed = True
            self._set_current("off")
