"""The ticket kiosk agent (``motcua kiosk``): press → ``POST /tickets`` → render → print.

One loop thread owns every piece of state. Buttons (gpiozero), the keypad
(evdev) and the touch page (:mod:`kiosk.dispenser.touch`) only put a
:class:`~kiosk.dispenser.state.TakeRequest` on the queue; the touch page then
waits for the loop's answer. So a button press and a touch go through exactly
the same code, :meth:`Dispenser._take`:

1. The printer is known to be out of paper or offline → refuse, before the hub
   is asked: no number is spent.
2. ``POST /tickets``. Hub unreachable → refuse ("Tạm ngưng cấp số"); a number
   is never made up locally.
3. Render the hub's answer (:mod:`kiosk.dispenser.ticket_maker`) and print it. Any
   failure → ``POST /tickets/{id}/cancel`` at once (retried until the hub
   answers), the error LED blinks and a heartbeat reports the printer's state.
   No number waits in the queue that was never printed.

Between presses the loop refreshes the fields' waiting counts, sends
heartbeats (:mod:`kiosk.dispenser.hub_link`) and re-opens a printer that went
offline every ``retry_s``. What the touch page and the LEDs show is drawn from
its state by :mod:`kiosk.dispenser.view` and :mod:`kiosk.dispenser.devices`. A
step that fails, and every device call, goes through the agent's firewall
(:class:`kiosk.kit.runner.Firewall`): the loop outlives it.
"""

from __future__ import annotations

import ctypes
import logging
import queue
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from config.kiosk import KioskSettings
from config.wire import DeviceKind, ErrorCode
from hardware.errors import HardwareError
from hardware.ports import ButtonPanel, Indicator, KeypadReader, PrinterStatus, TicketPrinter
from kiosk.dispenser.devices import PanelLights
from kiosk.dispenser.hub_link import HubLink
from kiosk.dispenser.site import SiteDefaults
from kiosk.dispenser.state import (
    PRINTER_BLOCKING,
    PRIORITY_BUTTON,
    STOP,
    ArmPriority,
    DispenserState,
    TakeRequest,
    TakeResult,
    take_error,
)
from kiosk.dispenser.ticket_maker import TicketMaker
from kiosk.dispenser.view import HUB_DOWN, PRINTER_MESSAGES, build_snapshot
from kiosk.kit.hub_client import (
    HubClient,
    HubRejected,
    HubUnreachable,
    agent_version,
    maybe_delivered,
)
from kiosk.kit.runner import Firewall

__all__ = ["PRIORITY_BUTTON", "Dispenser", "TakeResult"]

logger = logging.getLogger(__name__)


class Dispenser:
    """The kiosk agent. Adapters are passed in; :func:`build_agent` builds them from config.

    Args:
        settings: The ``[kiosk]`` section.
        client: The hub client (device token of kind ``kiosk``).
        printer: The ticket printer (opened by :meth:`start` if it is not yet).
        buttons: Field buttons named as :attr:`ButtonSettings.name`, plus
            :data:`PRIORITY_BUTTON`; None when the kiosk has none.
        leds: Button name → the LED inside it.
        error_led: The fault LED, if any.
        keypad: A USB keypad whose commands are field ids (see :mod:`config.kiosk`).
        site: What to print about the site until the hub says otherwise.
        clock: Monotonic seconds.
    """

    def __init__(
        self,
        settings: KioskSettings,
        *,
        client: HubClient,
        printer: TicketPrinter,
        buttons: ButtonPanel | None = None,
        leds: Mapping[str, Indicator] | None = None,
        error_led: Indicator | None = None,
        keypad: KeypadReader | None = None,
        site: SiteDefaults | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings
        self.client = client
        self.printer = printer
        self.buttons = buttons
        self.leds = dict(leds or {})
        self.error_led = error_led
        self.keypad = keypad
        self._defaults = site or SiteDefaults()
        self._clock = clock
        self._events: queue.Queue[Any] = queue.Queue()
        self._state = DispenserState()
        self._hub = HubLink(settings, client, self._defaults, self._state, clock)
        self._firewall = Firewall(logger)
        self._lights = PanelLights(self.leds, error_led, self._firewall)
        self._tickets = TicketMaker(settings, printer, self._hub.site)
        self._snapshot: dict[str, Any] = {"state": "starting", "services": []}
        self._thread: threading.Thread | None = None
        self._stopped = threading.Event()
        self.version = agent_version(DeviceKind.KIOSK)

    # ------------------------------------------------------------ public API
    def start(self) -> None:
        """Register the callbacks and start the loop (which opens the printer)."""
        if self.buttons is not None:
            self.buttons.set_callback(self._on_button)
        if self.keypad is not None:
            self.keypad.start(self._on_keypad)
        self._thread = threading.Thread(target=self._run, name="kiosk-loop", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the loop and release every device. Idempotent."""
        if self._stopped.is_set():
            return
        self._stopped.set()
        self._events.put(STOP)
        if self._thread is not None:
            self._thread.join(timeout=30)
        for device in (self.buttons, self.keypad, *self.leds.values(), self.error_led):
            if device is not None:
                self._firewall.call("close", device.close)
        self._firewall.call("close printer", self.printer.close)
        self.client.close()

    def take(self, service: str, priority: str | None = None, *, timeout: float = 60) -> TakeResult:
        """Take a ticket as the touch page does: enqueue, wait for the loop's answer."""
        if self._stopped.is_set():
            return take_error(503, ErrorCode.HUB_UNREACHABLE, "Máy lấy số đang dừng")
        reply: queue.Queue[TakeResult] = queue.Queue(maxsize=1)
        self._events.put(TakeRequest(service, priority, "touch", self._clock(), reply))
        try:
            return reply.get(timeout=timeout)
        except queue.Empty:
            return take_error(503, "busy", "Máy lấy số đang bận, vui lòng thử lại")

    def press(self, service: str, priority: str | None = None, source: str = "button") -> None:
        """Enqueue a press without waiting (what device callbacks do)."""
        self._events.put(TakeRequest(service, priority, source, self._clock()))

    def snapshot(self) -> dict[str, Any]:
        """The state the touch page shows (a fresh dict each time the loop changes it)."""
        return self._snapshot

    # ------------------------------------------------- device callbacks: enqueue only
    def _on_button(self, name: str) -> None:
        if name == PRIORITY_BUTTON:
            self._events.put(ArmPriority(self._default_category()))
            return
        service, _, priority = name.partition(":")
        self.press(service, priority or None, "button")

    def _on_keypad(self, command: str) -> None:
        head, _, category = command.partition(":")
        if head == "priority":
            self._events.put(ArmPriority(category or self._default_category()))
        else:
            self.press(head, category or None, "keypad")

    def _default_category(self) -> str:
        button = self.settings.priority_button
        return button.category if button is not None else "elderly"

    # ------------------------------------------------------------------ loop
    def _run(self) -> None:
        state = self._state
        now = self._clock()
        state.due = {"refresh": now, "heartbeat": now, "printer": now}
        self._open_printer()
        self._publish()
        while True:
            wait = max(0.0, min(state.due.values()) - self._clock())
            try:
                event = self._events.get(timeout=wait)
            except queue.Empty:
                event = None
            if event is STOP:
                break
            # The loop outlives any failure of one step; the state stays consistent
            # because every step writes it only after its device calls.
            with self._firewall.guard("kiosk loop step"):
                if isinstance(event, TakeRequest):
                    self._handle_take(event)
                elif isinstance(event, ArmPriority):
                    self._arm(event.category)
                self._tick()
            self._publish()
            if isinstance(event, TakeRequest):
                _release_memory()  # after the answer: costs the next press nothing
        self._drain()

    def _drain(self) -> None:
        while True:
            try:
                event = self._events.get_nowait()
            except queue.Empty:
                return
            if isinstance(event, TakeRequest) and event.reply is not None:
                event.reply.put(take_error(503, ErrorCode.HUB_UNREACHABLE, "Máy lấy số đang dừng"))

    def _tick(self) -> None:
        state, now = self._state, self._clock()
        if state.armed and now >= state.armed_until:
            state.armed = None
        if now >= state.due["printer"]:
            self._check_printer()
        if now >= state.due["refresh"]:
            self._hub.refresh(self._tickets.warm_up)
        if now >= state.due["heartbeat"]:
            self._heartbeat()

    def _arm(self, category: str | None) -> None:
        state = self._state
        if state.armed:  # a second press disarms, like a toggle
            state.armed = None
            return
        timeout = self.settings.priority_button.timeout_s if self.settings.priority_button else 15
        state.armed = category or self._default_category()
        state.armed_until = self._clock() + timeout

    def _publish(self) -> None:
        day = self._hub.site_day() if self._state.exhausted else ""
        self._snapshot = build_snapshot(self._state, self._defaults, day)
        self._lights.show(self._snapshot)

    # ------------------------------------------------------------ taking a ticket
    def _handle_take(self, event: TakeRequest) -> None:
        state = self._state
        if event.reply is None and event.at < state.busy_until:
            # Pressed again while the previous ticket printed: one press, one ticket.
            logger.info("press on %s ignored: pressed while busy", event.service)
            return
        priority = event.priority
        if priority is None and state.armed and event.source != "touch":
            priority, state.armed = state.armed, None
        result = self._take(event.service, priority)
        state.busy_until = self._clock()
        if event.reply is not None:
            event.reply.put(result)

    def _take(self, service: str, priority: str | None) -> TakeResult:
        state = self._state
        if self._printer_blocked():
            self._lights.blink_error()
            return self._printer_error(None)
        state.seq += 1
        state.current = {"seq": state.seq, "phase": "issuing", "service": service}
        state.current["button"] = self._lights.button_name(service, priority)
        self._publish()
        key = f"kiosk-{uuid.uuid4().hex}"  # lets us find the number if the answer is lost
        try:
            answer = self.client.post(
                "/tickets", {"service": service, "priority": priority, "key": key}
            )
        except HubUnreachable as err:
            self._hub.down(str(err))
            # The hub may have issued the number before the answer was lost: find it by
            # its key and cancel it once the hub answers, so no unprinted number waits.
            if maybe_delivered(err):
                state.unsure.append((service, key))
            return self._finish("failed", take_error(503, ErrorCode.HUB_UNREACHABLE, HUB_DOWN[0]))
        except HubRejected as err:
            return self._finish("failed", self._rejected(service, err))
        ticket: dict[str, Any] = answer.data
        state.current.update(phase="printing", number=ticket["number"], id=ticket["id"])
        self._publish()
        try:
            self.printer.print_ticket(self._tickets.render(ticket))
        except Exception as err:  # any failure after the hub issued the number cancels it
            logger.error("printing %s failed (%s); cancelling it", ticket["number"], err)
            state.printer_fault = str(err)[:200] or type(err).__name__
            self._hub.cancel(ticket["id"])
            self._check_printer(after_failure=True)
            return self._finish("failed", self._printer_error(ticket["number"]))
        state.printed += 1
        state.due["refresh"] = self._clock()  # the counts changed: fetch them now
        logger.info("printed %s (%s)", ticket["number"], service)
        return self._finish("printed", TakeResult(201, ticket))

    def _finish(self, phase: str, result: TakeResult) -> TakeResult:
        if self._state.current is not None:
            self._state.current["phase"] = phase
            if not result.ok:
                self._state.current["error"] = result.body["error"]
        return result

    def _rejected(self, service: str, err: HubRejected) -> TakeResult:
        if err.status in (401, 403):
            # A revoked or wrong token: nothing can be issued until someone fixes it.
            self._hub.down(f"hub refused this kiosk's token ({err.code})")
            return take_error(503, ErrorCode.HUB_UNREACHABLE, HUB_DOWN[0])
        if err.code == ErrorCode.DAILY_LIMIT_REACHED:
            self._state.exhausted[service] = self._hub.site_day()
        return take_error(err.status, err.code, err.message)

    def _printer_error(self, cancelled: str | None) -> TakeResult:
        status = self._state.printer
        vi = PRINTER_MESSAGES.get(status, ("Không in được phiếu", ""))[0]
        message = f"{vi}. Vui lòng liên hệ cán bộ hướng dẫn."
        extra: dict[str, Any] = {"printer": status.value}
        if cancelled is not None:
            extra["cancelled_number"] = cancelled
            message = f"{vi}. Số {cancelled} đã được hủy. Vui lòng liên hệ cán bộ hướng dẫn."
        return take_error(503, ErrorCode.PRINTER_ERROR, message, **extra)

    # ------------------------------------------------------------ printer
    def _open_printer(self) -> None:
        if self.printer.status() is PrinterStatus.OFFLINE:
            try:
                self.printer.open()
            except HardwareError as err:
                self._state.printer_fault = err.message
                logger.warning("printer unavailable: %s", err.message)
        self._state.printer = self.printer.status()

    def _check_printer(self, *, after_failure: bool = False) -> None:
        """Ask the printer how it is; after a fault, try to open it again.

        Right after a failed print the printer is only asked, not re-opened, so
        the heartbeat sent next reports the state the failure left it in.
        """
        state = self._state
        before = state.printer
        if after_failure:
            state.printer = self.printer.status()
        elif before is PrinterStatus.OFFLINE or state.printer_fault:
            self._open_printer()
            if state.printer not in PRINTER_BLOCKING:
                state.printer_fault = ""
        else:
            state.printer = self.printer.status()
        bad = state.printer in PRINTER_BLOCKING or bool(state.printer_fault)
        if bad:
            self._lights.blink_error()
        retry = self.settings.retry_s if bad else self.settings.heartbeat_s
        state.due["printer"] = self._clock() + retry
        if after_failure or state.printer is not before:
            logger.info("printer status %s", state.printer.value)
            state.due["heartbeat"] = self._clock()  # tell the hub now

    def _printer_blocked(self) -> bool:
        return self._state.printer in PRINTER_BLOCKING

    def _heartbeat(self) -> None:
        state = self._state
        if not (state.printer is PrinterStatus.OFFLINE or state.printer_fault):
            state.printer = self.printer.status()
        self._hub.heartbeat(self.version)


def _release_memory() -> None:
    """Hand freed heap back to the OS (glibc's ``malloc_trim``; elsewhere nothing).

    Each ticket allocates and frees a few MB of image buffers; glibc keeps those
    pages, so without this a kiosk's resident memory creeps up by ~10 MB over its
    first tickets. Measured: under 0.1 ms a call.
    """
    global _TRIM
    if _TRIM is None:
        try:
            _TRIM = ctypes.CDLL(None).malloc_trim
        except (OSError, AttributeError):
            _TRIM = False
    if _TRIM:
        _TRIM(0)


_TRIM: Any = None
