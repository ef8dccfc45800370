"""The ticket kiosk agent (``motcua kiosk``): press → ``POST /tickets`` → render → print.

One loop thread owns every piece of state. Buttons (gpiozero), the keypad
(evdev) and the touch page (:mod:`kiosk.touch`) only put a :class:`_Take` on
the queue; the touch page then waits for the loop's answer. So a button press
and a touch go through exactly the same code, :meth:`Dispenser._take`:

1. The printer is known to be out of paper or offline → refuse, before the hub
   is asked: no number is spent.
2. ``POST /tickets``. Hub unreachable → refuse ("Tạm ngưng cấp số"); a number
   is never made up locally.
3. Render the hub's answer (:mod:`kiosk.ticket_render`) and print it. Any
   failure → ``POST /tickets/{id}/cancel`` at once (retried until the hub
   answers), the error LED blinks and a heartbeat reports the printer's state.
   No number waits in the queue that was never printed.

Between presses the loop refreshes the fields' waiting counts every
``refresh_s`` (``retry_s`` while the hub is down), sends ``POST
/devices/heartbeat`` with ``{"printer": status}`` every ``heartbeat_s`` and
re-opens a printer that went offline every ``retry_s``.

Lights: field buttons lit steadily when a press works and dark when it does
not; the pressed one blinks while its ticket prints. The error LED is dark
when all is well, blinks the ``error`` pattern on a printer fault and is lit
steadily while the hub is unreachable.
"""

from __future__ import annotations

import argparse
import ctypes
import logging
import queue
import signal
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from hardware.errors import HardwareError
from hardware.ports import ButtonPanel, Indicator, KeypadReader, PrinterStatus, TicketPrinter
from kiosk import text_vi
from kiosk.hub_client import HubClient, HubRejected, HubUnreachable
from kiosk.settings import KioskSettings, SiteDefaults, SiteInfo, site_info
from kiosk.ticket_render import TicketContent, TicketLayout, render_ticket

__all__ = ["PRIORITY_BUTTON", "Dispenser", "TakeResult", "add_command"]

logger = logging.getLogger(__name__)

#: Name of the priority button inside the button panel (field ids never start with "*").
PRIORITY_BUTTON = "*priority"
# Printer states in which no number is asked for: it could not be printed.
_BLOCKING = (PrinterStatus.PAPER_OUT, PrinterStatus.OFFLINE)
_PRINTER_MESSAGES = {
    PrinterStatus.PAPER_OUT: ("Máy in hết giấy", "Printer out of paper"),
    PrinterStatus.OFFLINE: ("Máy in mất kết nối", "Printer offline"),
}
HUB_DOWN = ("Tạm ngưng cấp số", "Ticket issuing suspended")
_STOP = object()


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("motcua")
    except PackageNotFoundError:
        return "0.0.0"


@dataclass(frozen=True)
class TakeResult:
    """The answer of one take: HTTP status and JSON body (as the local API sends it)."""

    status: int
    body: dict[str, Any]

    @property
    def ok(self) -> bool:
        """True when a ticket was printed."""
        return self.status == 201


def _error(status: int, code: str, message: str, **extra: Any) -> TakeResult:
    return TakeResult(status, {"error": {"code": code, "message": message, **extra}})


@dataclass
class _Take:
    service: str
    priority: str | None
    source: str  # "button", "keypad" or "touch"
    at: float
    reply: queue.Queue[TakeResult] | None = None


@dataclass
class _Arm:
    category: str | None


@dataclass
class _State:
    """Everything the loop owns (only the loop thread touches it)."""

    hub_ok: bool | None = None  # None: not yet asked
    hub_error: str = ""
    site: SiteInfo | None = None
    services: list[dict[str, Any]] = field(default_factory=list)
    exhausted: dict[str, str] = field(default_factory=dict)  # field → site day
    printer: PrinterStatus = PrinterStatus.UNKNOWN
    printer_fault: str = ""
    armed: str | None = None
    armed_until: float = 0.0
    busy_until: float = 0.0
    current: dict[str, Any] | None = None
    seq: int = 0
    printed: int = 0
    cancelled: int = 0
    pending_cancels: list[str] = field(default_factory=list)
    due: dict[str, float] = field(default_factory=dict)


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
        keypad: A USB keypad whose commands are field ids (see :mod:`kiosk.settings`).
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
        self._state = _State()
        self._snapshot: dict[str, Any] = {"state": "starting", "services": []}
        self._led_shown: dict[int, str] = {}
        self._layout: TicketLayout | None = None
        self._thread: threading.Thread | None = None
        self._stopped = threading.Event()
        self.version = _version()

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
        self._events.put(_STOP)
        if self._thread is not None:
            self._thread.join(timeout=30)
        for device in (self.buttons, self.keypad, *self.leds.values(), self.error_led):
            if device is not None:
                _firewall("close", device.close)
        _firewall("close printer", self.printer.close)
        self.client.close()

    def take(self, service: str, priority: str | None = None, *, timeout: float = 60) -> TakeResult:
        """Take a ticket as the touch page does: enqueue, wait for the loop's answer."""
        if self._stopped.is_set():
            return _error(503, "hub_unreachable", "Máy lấy số đang dừng")
        reply: queue.Queue[TakeResult] = queue.Queue(maxsize=1)
        self._events.put(_Take(service, priority, "touch", self._clock(), reply))
        try:
            return reply.get(timeout=timeout)
        except queue.Empty:
            return _error(503, "busy", "Máy lấy số đang bận, vui lòng thử lại")

    def press(self, service: str, priority: str | None = None, source: str = "button") -> None:
        """Enqueue a press without waiting (what device callbacks do)."""
        self._events.put(_Take(service, priority, source, self._clock()))

    def snapshot(self) -> dict[str, Any]:
        """The state the touch page shows (a fresh dict each time the loop changes it)."""
        return self._snapshot

    # ------------------------------------------------- device callbacks: enqueue only
    def _on_button(self, name: str) -> None:
        if name == PRIORITY_BUTTON:
            self._events.put(_Arm(self._default_category()))
            return
        service, _, priority = name.partition(":")
        self.press(service, priority or None, "button")

    def _on_keypad(self, command: str) -> None:
        head, _, category = command.partition(":")
        if head == "priority":
            self._events.put(_Arm(category or self._default_category()))
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
            if event is _STOP:
                break
            try:
                if isinstance(event, _Take):
                    self._handle_take(event)
                elif isinstance(event, _Arm):
                    self._arm(event.category)
                self._tick()
            except Exception:
                # The loop must outlive any bug in one step; the state stays consistent
                # because every step writes it only after its device calls.
                logger.exception("kiosk loop step failed")
            self._publish()
            if isinstance(event, _Take):
                _release_memory()  # after the answer: costs the next press nothing
        self._drain()

    def _drain(self) -> None:
        while True:
            try:
                event = self._events.get_nowait()
            except queue.Empty:
                return
            if isinstance(event, _Take) and event.reply is not None:
                event.reply.put(_error(503, "hub_unreachable", "Máy lấy số đang dừng"))

    def _tick(self) -> None:
        state, now = self._state, self._clock()
        if state.armed and now >= state.armed_until:
            state.armed = None
        if now >= state.due["printer"]:
            self._check_printer()
        if now >= state.due["refresh"]:
            self._refresh()
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

    # ------------------------------------------------------------ taking a ticket
    def _handle_take(self, event: _Take) -> None:
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
            self._blink_error()
            return self._printer_error(None)
        state.seq += 1
        state.current = {"seq": state.seq, "phase": "issuing", "service": service}
        self._show_busy(service, priority)
        try:
            answer = self.client.post("/tickets", {"service": service, "priority": priority})
        except HubUnreachable as err:
            self._hub_down(str(err))
            return self._finish("failed", _error(503, "hub_unreachable", HUB_DOWN[0]))
        except HubRejected as err:
            return self._finish("failed", self._rejected(service, err))
        ticket: dict[str, Any] = answer.data
        state.current.update(phase="printing", number=ticket["number"], id=ticket["id"])
        self._publish()
        try:
            self.printer.print_ticket(render_ticket(self._content(ticket), self._ticket_layout()))
        except Exception as err:  # any failure after the hub issued the number cancels it
            logger.error("printing %s failed (%s); cancelling it", ticket["number"], err)
            state.printer_fault = str(err)[:200] or type(err).__name__
            self._cancel(ticket["id"])
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
            self._hub_down(f"hub refused this kiosk's token ({err.code})")
            return _error(503, "hub_unreachable", HUB_DOWN[0])
        if err.code == "daily_limit_reached":
            self._state.exhausted[service] = self._site_day()
        return _error(err.status, err.code, err.message)

    def _printer_error(self, cancelled: str | None) -> TakeResult:
        status = self._state.printer
        vi = _PRINTER_MESSAGES.get(status, ("Không in được phiếu", ""))[0]
        message = f"{vi}. Vui lòng liên hệ cán bộ hướng dẫn."
        extra: dict[str, Any] = {"printer": status.value}
        if cancelled is not None:
            extra["cancelled_number"] = cancelled
            message = f"{vi}. Số {cancelled} đã được hủy. Vui lòng liên hệ cán bộ hướng dẫn."
        return _error(503, "printer_error", message, **extra)

    def _cancel(self, ticket_id: str) -> None:
        state = self._state
        try:
            self.client.post(f"/tickets/{ticket_id}/cancel")
        except HubUnreachable as err:
            logger.warning("cancel of %s failed (%s); retrying", ticket_id, err)
            state.pending_cancels.append(ticket_id)
            self._hub_down(str(err))
            return
        except HubRejected as err:
            logger.error("hub refused to cancel unprinted ticket %s: %s", ticket_id, err)
        state.cancelled += 1

    def _retry_cancels(self) -> None:
        pending, self._state.pending_cancels = self._state.pending_cancels, []
        for ticket_id in pending:
            self._cancel(ticket_id)

    def _content(self, ticket: dict[str, Any]) -> TicketContent:
        site = self._site()
        base = site.public_url or self.settings.hub_url
        return TicketContent(
            centre_name=site.name,
            service_name=ticket["service"]["name"],
            number=ticket["number"],
            waiting_ahead=int(ticket.get("waiting_ahead") or 0),
            estimated_wait_s=ticket.get("estimated_wait_s"),
            priority=ticket.get("priority"),
            issued_at=datetime.fromisoformat(ticket["issued_at"]),
            timezone=site.timezone,
            status_url=f"{base}/t/{ticket['id']}",
        )

    def _ticket_layout(self) -> TicketLayout:
        if self._layout is None:
            self._layout = self.settings.ticket.layout(self.printer.paper_dots)
        return self._layout

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
            if state.printer not in _BLOCKING:
                state.printer_fault = ""
        else:
            state.printer = self.printer.status()
        bad = state.printer in _BLOCKING or bool(state.printer_fault)
        if bad:
            self._blink_error()
        retry = self.settings.retry_s if bad else self.settings.heartbeat_s
        state.due["printer"] = self._clock() + retry
        if after_failure or state.printer is not before:
            logger.info("printer status %s", state.printer.value)
            state.due["heartbeat"] = self._clock()  # tell the hub now

    def _printer_blocked(self) -> bool:
        return self._state.printer in _BLOCKING

    # ------------------------------------------------------------ hub
    def _refresh(self) -> None:
        state = self._state
        try:
            if state.site is None:
                state.site = self._fetch_site()
                self._warm_up()
            state.services = self.client.services()
        except HubUnreachable as err:
            self._hub_down(str(err))
        except HubRejected as err:
            self._hub_down(f"hub refused this kiosk ({err.status} {err.code})")
        else:
            if state.hub_ok is not True:
                logger.info("hub %s reachable", self.settings.hub_url)
            state.hub_ok, state.hub_error = True, ""
            self._retry_cancels()
        state.due["refresh"] = self._clock() + (
            self.settings.refresh_s if state.hub_ok else self.settings.retry_s
        )

    def _warm_up(self) -> None:
        """Render one throw-away ticket so the first citizen's ticket finds the fonts
        loaded (a cold render takes several times longer). Nothing is printed."""
        sample = {
            "id": "warm-up",
            "number": "0000",
            "service": {"id": "x", "name": "Lĩnh vực"},
            "issued_at": "2026-01-01T00:00:00Z",
        }
        try:
            render_ticket(self._content(sample), self._ticket_layout())
        except (ValueError, OSError) as err:
            logger.warning("ticket layout problem: %s", err)

    def _fetch_site(self) -> SiteInfo:
        try:
            data = self.client.get("/site") or {}
        except HubRejected as err:
            if err.status != 404:
                raise
            data = {}  # an older hub without GET /site: print what the config says
        return site_info(self.settings, self._defaults, data)

    def _site(self) -> SiteInfo:
        if self._state.site is None:
            # Only reached after the hub issued a number, so /site should answer now.
            self._state.site = self._fetch_site()
        return self._state.site

    def _site_day(self) -> str:
        from zoneinfo import ZoneInfo

        zone = self._state.site.timezone if self._state.site else self._defaults.timezone
        return datetime.now(ZoneInfo(zone)).date().isoformat()

    def _hub_down(self, reason: str) -> None:
        state = self._state
        if state.hub_ok is not False:
            logger.warning("hub unreachable: %s", reason)
        state.hub_ok, state.hub_error = False, reason
        state.due["refresh"] = min(
            state.due.get("refresh", 0.0), self._clock() + self.settings.retry_s
        )

    def _heartbeat(self) -> None:
        state = self._state
        if not (state.printer is PrinterStatus.OFFLINE or state.printer_fault):
            state.printer = self.printer.status()
        status: dict[str, Any] = {
            "printer": state.printer.value,
            "printed": state.printed,
            "cancelled": state.cancelled,
            "pending_cancels": len(state.pending_cancels),
        }
        if state.printer_fault:
            status["last_error"] = state.printer_fault
        try:
            self.client.heartbeat(self.version, status)
        except HubUnreachable as err:
            self._hub_down(str(err))
        except HubRejected as err:
            logger.error("heartbeat refused: %s", err)
        state.due["heartbeat"] = self._clock() + self.settings.heartbeat_s

    # ------------------------------------------------------------ what people see
    def _mode(self) -> str:
        state = self._state
        if state.hub_ok is False:
            return "hub_unreachable"
        if state.printer in _BLOCKING or state.printer_fault:
            return "printer_error"
        return "ready" if state.hub_ok else "starting"

    def _publish(self) -> None:
        state, mode = self._state, self._mode()
        day = self._site_day() if state.exhausted else ""
        services = [{**s, "available": state.exhausted.get(s["id"]) != day} for s in state.services]
        message = {
            "hub_unreachable": HUB_DOWN,
            "printer_error": _PRINTER_MESSAGES.get(
                state.printer, ("Không in được phiếu", "Cannot print tickets")
            ),
        }.get(mode)
        site = state.site
        self._snapshot = {
            "state": mode,
            "message": {"vi": message[0], "en": message[1]} if message else None,
            "printer": state.printer.value,
            "site": {
                "name": site.name if site else self._defaults.name,
                "timezone": site.timezone if site else self._defaults.timezone,
            },
            "services": services,
            "priority_categories": [
                {
                    "id": c,
                    "vi": text_vi.priority_label(c, "vi"),
                    "en": text_vi.priority_label(c, "en"),
                }
                for c in (site.priority_categories if site else text_vi.PRIORITY_LABELS)
            ],
            "armed_priority": state.armed,
            "current": dict(state.current) if state.current else None,
        }
        self._show_leds(mode, {s["id"] for s in services if not s["available"]})

    def _show_leds(self, mode: str, exhausted: set[str]) -> None:
        busy = self._state.current if self._state.current else {}
        for name, led in self.leds.items():
            if name == PRIORITY_BUTTON:
                self._led(led, "on" if self._state.armed and mode == "ready" else "off")
            elif mode != "ready" or name.partition(":")[0] in exhausted:
                self._led(led, "off")
            elif busy.get("phase") in ("issuing", "printing") and busy.get("button") == name:
                self._led(led, "busy")
            else:
                self._led(led, "ready")
        if self.error_led is not None:
            wanted = {"hub_unreachable": "on", "printer_error": "error"}.get(mode, "off")
            self._led(self.error_led, wanted)

    def _show_busy(self, service: str, priority: str | None) -> None:
        name = f"{service}:{priority}" if f"{service}:{priority}" in self.leds else service
        if self._state.current is not None:
            self._state.current["button"] = name
        self._publish()

    def _blink_error(self) -> None:
        if self.error_led is not None:
            self._led(self.error_led, "error")

    def _led(self, led: Indicator, wanted: str) -> None:
        # Re-sending the same pattern would restart its blink; only changes go out.
        if self._led_shown.get(id(led)) == wanted:
            return
        self._led_shown[id(led)] = wanted
        if wanted == "on":
            _firewall("LED on", led.on)
        elif wanted == "off":
            _firewall("LED off", led.off)
        else:
            _firewall("LED blink", lambda: led.blink(wanted))


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


def _firewall(what: str, action: Callable[[], Any]) -> None:
    """Run one device call; a device fault is logged, never allowed to stop the agent."""
    try:
        action()
    except Exception as err:  # e.g. termios.error from a vanished tty on close
        logger.warning("%s failed: %s", what, err)


def add_command(subparsers: Any) -> None:
    """Add ``motcua kiosk`` to the command line."""
    parser = subparsers.add_parser(
        "kiosk", help="the ticket kiosk agent: buttons, keypad, printer and touch page"
    )
    parser.add_argument(
        "--check", action="store_true", help="check the [kiosk] configuration and exit"
    )
    parser.set_defaults(func=run_kiosk)


def main(argv: list[str] | None = None) -> int:
    """``python -m kiosk.dispenser --config PATH``: the agent alone.

    The same as ``motcua kiosk`` without loading the other subcommands (reports,
    display agent, …): the lightest way to run a kiosk on a small Pi.
    """
    from config import ConfigError

    parser = argparse.ArgumentParser(prog="python -m kiosk.dispenser", description=main.__doc__)
    parser.add_argument("--config", help="configuration file (default: $MOTCUA_CONFIG)")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    parser.add_argument("--check", action="store_true", help="check [kiosk] and exit")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        force=True,  # python-escpos configures the root logger when imported
    )
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    try:
        return run_kiosk(args)
    except ConfigError as err:
        print(err.render(), file=sys.stderr)
        return 2


def run_kiosk(args: argparse.Namespace) -> int:
    """Run the agent until SIGTERM or Ctrl+C."""
    from config import config_path
    from kiosk.settings import build_agent, load_kiosk_settings

    path = config_path(getattr(args, "config", None))
    settings, defaults = load_kiosk_settings(path)
    if args.check:
        print(f"{path}: [kiosk] is valid")
        return 0
    try:
        agent = build_agent(settings, defaults, config_path=str(path))
    except HardwareError as err:
        print(f"motcua kiosk: {err.message}", file=sys.stderr, flush=True)
        return 1
    server = None
    if settings.listen_address is not None:
        from kiosk.touch import TouchServer  # Flask only when there is a touch page

        try:
            server = TouchServer(agent, *settings.listen_address)
        except OSError as err:
            print(f"motcua kiosk: cannot listen on {settings.listen}: {err}", file=sys.stderr)
            agent.stop()
            return 1
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    agent.start()
    if server is not None:
        server.start()
        logger.info("touch page on %s", server.url)
    try:
        stop.wait()
    finally:
        if server is not None:
            server.stop()
        agent.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
