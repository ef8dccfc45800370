"""The rating pad agent (``motcua rating-pad``): the satisfaction buttons of one or
several counters.

One Pi serves one or several counters, each with its own device token (a pad
is bound to its counter on the hub). Buttons on GPIO, or keys of a USB
keypad, map to the rating levels. The hub says on ``/devices`` when a
counter's ticket was completed (``rating_open``) and when the rating window
ends (``rating_close``); the LEDs invite a rating only then. A press outside
the window is still sent: the hub keeps it as a raw press with its refusal
reason. Three quick flashes thank the citizen.

After a negative press the pad asks for a reason, in pages
(:func:`reason_pages`): the other buttons mean the reasons of the page and blink
its code (page 1 slowly, page ``n`` in ``n`` quick flashes); the negative
button, pressed again, turns to the next page (after the last, back to the
first). Each page waits ``reason_s`` seconds, the whole step at most
``reason_s`` times the number of pages; with no choice the rating goes without
a reason. A card beside the pad says which reason each button means on each
page (docs/hardware.md).

Every press goes to the on-disk outbox (:mod:`kiosk.kit.outbox`) before anything
else; a sender thread delivers the outbox in batches with backoff and deletes
a press only when the hub has answered for it.

A failing LED or a failing loop step goes through the agent's firewall
(:class:`kiosk.kit.runner.Firewall`): it is logged, and the pad goes on. The
section and an example: :mod:`config.rating_pad`; the devices of a counter:
:mod:`kiosk.rating_pad.devices`.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import socketio

from config.rating_pad import RatingPadSettings
from config.wire import EV_RATING_CLOSE, EV_RATING_OPEN, NS_DEVICES, DeviceKind
from hardware.ports import Indicator
from kiosk.kit.hub_client import HubRejected, HubUnreachable, agent_version
from kiosk.kit.outbox import Outbox, Press
from kiosk.kit.runner import Firewall
from kiosk.kit.sockets import close_for_good
from kiosk.kit.tls import certificate_error, socketio_options
from kiosk.rating_pad.devices import CounterPad

__all__ = ["THANK_YOU_S", "VERSION", "RatingPad", "page_led", "reason_pages"]

logger = logging.getLogger(__name__)

VERSION = agent_version(DeviceKind.RATING_PAD)
THANK_YOU_S = 1.5


def reason_pages(buttons: list[str], reasons: tuple[str, ...]) -> list[dict[str, str]]:
    """The reason step's pages: on each, ``buttons`` (in order) mean the next reasons."""
    if not buttons:
        return []
    size = len(buttons)
    return [
        dict(zip(buttons, reasons[start : start + size], strict=False))
        for start in range(0, len(reasons), size)
    ]


def page_led(page: int) -> str:
    """The LED pattern of the reason buttons on ``page`` (0-based)."""
    return "invite" if page == 0 else f"page_{page + 1}"


class RatingPad:
    """The pad agent: one event loop owning the state, one sender thread.

    Args:
        settings: the ``[rating_pad]`` section.
        pads: one :class:`CounterPad` per counter (adapters already open).
        outbox: the on-disk outbox.
        wall: the Pi's wall clock (UTC); tests pass a wrong one.
        connect_sockets: listen on ``/devices`` (False in unit tests that
            drive ``rating_open`` themselves with :meth:`window_opened`).
    """

    def __init__(
        self,
        settings: RatingPadSettings,
        pads: list[CounterPad],
        outbox: Outbox,
        *,
        wall: Callable[[], datetime] = lambda: datetime.now(UTC),
        connect_sockets: bool = True,
    ) -> None:
        self.settings = settings
        self.pads = {p.counter: p for p in pads}
        self.outbox = outbox
        self.wall = wall
        self.connect_sockets = connect_sockets
        self.events: queue.Queue[tuple[Any, ...]] = queue.Queue()
        self.stop_event = threading.Event()
        self.send_wake = threading.Event()
        self.sent = threading.Event()
        self._threads: list[threading.Thread] = []
        self._sockets: list[socketio.Client] = []
        self._firewall = Firewall(logger)
        self.positive_levels = [lv for lv in settings.levels if lv not in settings.negative]

    # ------------------------------------------------------------ lifecycle
    def start(self) -> None:
        """Listen to the buttons and the hub; start the loop and the sender."""
        for pad in self.pads.values():
            pad.panel.set_callback(self._on_press_cb(pad.counter))
            self._show_idle(pad)
        for target, name in ((self._loop, "pad-loop"), (self._send_loop, "pad-sender")):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)
        if self.connect_sockets:
            for pad in self.pads.values():
                self._listen(pad)

    def stop(self) -> None:
        """Stop the threads and the sockets, then release every device."""
        self.stop_event.set()
        self.send_wake.set()
        self.events.put(("stop",))
        for sio in self._sockets:
            try:
                close_for_good(sio)
            except Exception:  # noqa: BLE001 - shutting down; the socket may be half-open
                logger.debug("socket disconnect failed", exc_info=True)
        for thread in self._threads:
            thread.join(timeout=5)
        for pad in self.pads.values():
            self._firewall.call("panel close", pad.panel.close)
            for led in pad.leds.values():
                self._firewall.call("LED close", led.close)
            pad.client.close()

    # --------------------------------------------------------------- inputs
    def _on_press_cb(self, counter: str) -> Callable[[str], None]:
        # Device callbacks only enqueue (they run on gpiozero's/evdev's thread);
        # the wall time is taken here, at the moment of the press.
        return lambda name: self.events.put(("press", counter, name, self.wall()))

    def window_opened(self, counter: str) -> None:
        """The hub opened the counter's rating window (``rating_open``)."""
        self.events.put(("open", counter))

    def window_closed(self, counter: str) -> None:
        """The hub closed it (``rating_close``)."""
        self.events.put(("close", counter))

    def _listen(self, pad: CounterPad) -> None:
        # WebSocket only: no long-polling session to keep on one server process.
        sio = socketio.Client(
            reconnection=True,
            reconnection_delay_max=10,
            **socketio_options(self.settings.hub_url, pad.client.tls),
        )
        sio.on(EV_RATING_OPEN, lambda data: self._if_mine(pad, data, "open"), namespace=NS_DEVICES)
        sio.on(
            EV_RATING_CLOSE, lambda data: self._if_mine(pad, data, "close"), namespace=NS_DEVICES
        )
        self._sockets.append(sio)

        def connect() -> None:
            delay = 1.0
            while not self.stop_event.is_set():
                try:
                    sio.connect(
                        self.settings.hub_url,
                        namespaces=[NS_DEVICES],
                        auth={"token": pad.client.token},
                        transports=["websocket"],
                        wait_timeout=10,
                    )
                    logger.info("counter %s listening on /devices", pad.counter)
                    return
                except Exception as err:  # noqa: BLE001 - socketio raises several kinds
                    problem = certificate_error(err, self.settings.ca_file)
                    if problem is not None:
                        logger.error("counter %s: /devices: %s", pad.counter, problem)
                    else:
                        logger.info(
                            "counter %s: /devices not reachable (%s)",
                            pad.counter,
                            type(err).__name__,
                        )
                    self.stop_event.wait(delay)
                    delay = min(delay * 2, 30.0)

        thread = threading.Thread(target=connect, name=f"pad-socket-{pad.counter}", daemon=True)
        thread.start()

    def _if_mine(self, pad: CounterPad, data: Any, what: str) -> None:
        if isinstance(data, dict) and str(data.get("counter")) == pad.counter:
            self.events.put((what, pad.counter))

    # ----------------------------------------------------------------- loop
    def _loop(self) -> None:
        while not self.stop_event.is_set():
            try:
                event = self.events.get(timeout=0.1)
            except queue.Empty:
                event = ("tick",)
            # One bad event must not stop the pad.
            with self._firewall.guard(f"rating pad event {event[0]}"):
                self._handle(event)

    def _handle(self, event: tuple[Any, ...]) -> None:
        kind = event[0]
        now = time.monotonic()
        if kind == "press":
            self._press(self.pads[event[1]], event[2], event[3], now)
        elif kind == "open":
            pad = self.pads[event[1]]
            pad.window_until = now + self.settings.invite_s
            self._refresh(pad, now)
        elif kind == "close":
            pad = self.pads[event[1]]
            pad.window_until = 0.0
            self._refresh(pad, now)
        for pad in self.pads.values():
            if pad.reason_key and now >= pad.reason_until:
                self._end_reason(pad, now)
            self._refresh(pad, now)

    def _press(self, pad: CounterPad, button: str, at: datetime, now: float) -> None:
        if pad.reason_key and now < pad.reason_until and button in pad.reason_map:
            self.outbox.add_reason(pad.reason_key, pad.reason_map[button])
            self._end_reason(pad, now, lit=button)
            return
        if pad.reason_key and now < pad.reason_until and button == pad.reason_turn:
            self._turn_page(pad, now)
            return
        if pad.reason_key:
            self._end_reason(pad, now)
        if button not in self.settings.levels:
            logger.warning("counter %s: button %r is not a rating level", pad.counter, button)
            return
        pages: list[dict[str, str]] = []
        if button in self.settings.negative:
            others = [b for b in self.settings.levels if b != button]
            pages = reason_pages(others, self.settings.reasons)
        step_s = self.settings.reason_s * len(pages)
        # The press is on disk before anything else happens.
        key = self.outbox.add(pad.counter, button, at, hold_s=step_s + 1 if pages else 0.0)
        self.send_wake.set()
        pad.window_until = 0.0
        if pages:
            pad.reason_pages, pad.reason_page, pad.reason_turn = pages, 0, button
            pad.reason_map = pages[0]
            pad.reason_key = key
            pad.reason_until = now + self.settings.reason_s
            pad.reason_deadline = now + step_s
        else:
            self._thank(pad, button, now)

    def _turn_page(self, pad: CounterPad, now: float) -> None:
        pad.reason_page = (pad.reason_page + 1) % len(pad.reason_pages)
        pad.reason_map = pad.reason_pages[pad.reason_page]
        pad.reason_until = min(now + self.settings.reason_s, pad.reason_deadline)

    def _end_reason(self, pad: CounterPad, now: float, lit: str | None = None) -> None:
        if pad.reason_key:
            self.outbox.release(pad.reason_key, self.wall())
            self.send_wake.set()
        pad.reason_key = None
        pad.reason_map = {}
        pad.reason_pages, pad.reason_page, pad.reason_turn = [], 0, ""
        self._thank(pad, lit or self.settings.negative[0], now)

    def _thank(self, pad: CounterPad, button: str, now: float) -> None:
        pad.thanks_until = now + THANK_YOU_S
        for name, led in pad.leds.items():
            self._led(pad, name, led, "thank_you" if name == button else "off")

    # ----------------------------------------------------------------- LEDs
    def _refresh(self, pad: CounterPad, now: float) -> None:
        if pad.reason_key:
            code = page_led(pad.reason_page)
            for name, led in pad.leds.items():
                self._led(pad, name, led, code if name in pad.reason_map else "off")
        elif now < pad.thanks_until:
            return
        elif now < pad.window_until:
            for name, led in pad.leds.items():
                self._led(pad, name, led, "invite")
        else:
            self._show_idle(pad)

    def _show_idle(self, pad: CounterPad) -> None:
        for name, led in pad.leds.items():
            self._led(pad, name, led, "off")

    def _led(self, pad: CounterPad, name: str, led: Indicator, wanted: str) -> None:
        # Re-sending a pattern would restart its blink: only changes go out.
        if pad.shown.get(name) == wanted:
            return
        pad.shown[name] = wanted
        if wanted == "off":
            self._firewall.call("LED off", led.off)
        else:
            self._firewall.call("LED blink", lambda: led.blink(wanted))

    def led_states(self) -> dict[str, dict[str, str]]:
        """What each counter's LEDs show now (for the demo page)."""
        return {c: dict(p.shown) for c, p in self.pads.items()}

    # --------------------------------------------------------------- sender
    def _send_loop(self) -> None:
        next_beat = 0.0
        while not self.stop_event.is_set():
            # The sender must outlive any one failure.
            with self._firewall.guard("rating pad sender"):
                self.flush()
                if time.monotonic() >= next_beat:
                    # Retry soon after a failed beat, so the dashboard sees the pad
                    # online within seconds of the hub coming up.
                    wait = self.settings.heartbeat_s if self._heartbeat() else 5.0
                    next_beat = time.monotonic() + wait
            due = self.outbox.next_wakeup()
            wait = 1.0
            if due is not None:
                wait = min(1.0, max(0.05, (due - self.wall()).total_seconds()))
            self.send_wake.wait(wait)
            self.send_wake.clear()

    def flush(self) -> int:
        """Send every due press; returns how many the hub answered for."""
        answered = 0
        while True:
            batch = self.outbox.due(self.wall(), limit=200)
            if not batch:
                return answered
            progressed = 0
            for counter in sorted({p.counter for p in batch}):
                items = [p for p in batch if p.counter == counter]
                progressed += self._send(self.pads[counter], items)
            answered += progressed
            if progressed == 0:
                return answered
            self.sent.set()

    def _send(self, pad: CounterPad, items: list[Press]) -> int:
        try:
            answer = pad.client.post("/ratings/batch", {"ratings": [p.wire() for p in items]})
        except HubUnreachable as err:
            self.outbox.backoff(items, str(err), self.wall())
            return 0
        except HubRejected as err:
            if err.status == 400 and len(items) > 1:
                return sum(self._send(pad, [p]) for p in items)
            if err.status == 400:
                logger.error("hub refuses press %s for good: %s", items[0].key, err)
                self.outbox.bury(items[0], str(err), self.wall())
                return 1
            logger.error("counter %s: hub refused the batch: %s", pad.counter, err)
            self.outbox.backoff(items, str(err), self.wall())
            return 0
        self.outbox.set_clock_offset(pad.client.clock_offset_s)
        results = (answer.data or {}).get("results", [])
        keys = [
            r["key"] for r in results if r.get("status") in ("created", "duplicate", "rejected")
        ]
        for r in results:
            if r.get("status") == "rejected":
                logger.info("press %s kept by the hub as refused: %s", r["key"], r.get("code"))
        self.outbox.delete(keys)
        return len(keys)

    def _heartbeat(self) -> bool:
        """One heartbeat per counter token; True when all got through."""
        ok = True
        for pad in self.pads.values():
            try:
                pad.client.heartbeat(VERSION, {"outbox": self.outbox.count()})
                self.outbox.set_clock_offset(pad.client.clock_offset_s)
            except (HubUnreachable, HubRejected) as err:
                logger.info("counter %s: heartbeat failed: %s", pad.counter, err)
                ok = False
        return ok
