"""The kiosk agent end to end: pins pressed → real agent → live hub → printer bytes.

The hub runs on 127.0.0.1 with a fake clock (so a ticket's text is fixed); the
agent talks to it over HTTP; printers are python-escpos ``Dummy`` objects or a
pty speaking ESC/POS status bytes, and what they received is decoded back.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import zxingcpp
from escpos.printer import Dummy
from PIL import Image, ImageChops

from config.kiosk import ButtonSettings
from hardware.buttons import GpioButtons, GpioIndicator
from hardware.fakes import FakeIndicator, FakeTicketPrinter
from hardware.printer import EscposTicketPrinter
from kiosk.dispenser.loop import Dispenser
from kiosk.dispenser.site import SiteDefaults
from kiosk.kit.hub_client import HubClient
from tests.kiosk.dispenser.support import (
    CUT,
    PtyPrinter,
    RaisingDummy,
    device_status,
    hub_tickets,
    settings,
    wait_done,
    wait_until,
)
from tests.support.escpos_decode import decode_tickets

GOLDEN = Path(__file__).parent / "golden" / "kiosk_ticket_1001.png"
UPDATE_GOLDEN = os.environ.get("MOTCUA_UPDATE_GOLDEN") == "1"


@pytest.fixture
def make_agent(token) -> Iterator[Any]:
    """Builds started agents (default hub URL given per call); stops them all afterwards."""
    made: list[Dispenser] = []

    def make(url: str, printer: Any, **kw: Any) -> Dispenser:
        section = kw.pop("section", {})
        agent = Dispenser(
            settings(url, token, **section),
            client=HubClient(url, token, timeout_s=3),
            printer=printer,
            site=SiteDefaults(name="Trung tâm thử nghiệm"),
            **kw,
        )
        made.append(agent)
        agent.start()
        return agent

    yield make
    for agent in made:
        agent.stop()


def _ready(agent: Dispenser) -> None:
    wait_until(lambda: agent.snapshot()["state"] == "ready", what="kiosk ready")


def _masked(image: Image.Image) -> Image.Image:
    """The ticket with its QR code (which holds a random id) painted white."""
    grey = image.convert("L")
    found = zxingcpp.read_barcodes(grey)
    if len(found) != 1:
        raise AssertionError(f"expected one QR code, found {len(found)}")
    pos = found[0].position
    xs = [p.x for p in (pos.top_left, pos.top_right, pos.bottom_left, pos.bottom_right)]
    ys = [p.y for p in (pos.top_left, pos.top_right, pos.bottom_left, pos.bottom_right)]
    quiet = 20
    grey.paste(255, (min(xs) - quiet, min(ys) - quiet, max(xs) + quiet, max(ys) + quiet))
    return grey


def test_gpio_press_prints_the_ticket_the_hub_issued(
    live, hub, make_agent, mock_pins, tmp_path
) -> None:
    """GIVEN a kiosk with a GPIO button and LED for "dat-dai", a Dummy printer and a live hub
    WHEN the button's pin is pulled low and released
    THEN the printer receives one 576-dot GS v 0 raster and a cut, the raster is a real
    ticket whose QR code decodes to the hub's status URL of the ticket the hub issued,
    it matches the golden ticket outside the QR code, and the LED is back to "ready"."""
    printer = EscposTicketPrinter(Dummy(), paper_mm=80)
    printer.open()
    buttons = GpioButtons({"dat-dai": 17}, debounce_ms=0, pin_factory=mock_pins)
    led = GpioIndicator(27, pin_factory=mock_pins)
    agent = make_agent(
        live.url,
        printer,
        buttons=buttons,
        leds={"dat-dai": led},
        section={"buttons": (ButtonSettings(pin=17, service="dat-dai", led=27),)},
    )
    _ready(agent)
    assert led.current == "ready"

    mock_pins.pin(17).drive_low()
    mock_pins.pin(17).drive_high()
    output = wait_until(
        lambda: printer.transport.output if CUT in printer.transport.output else b"",
        what="a cut on the printer",
    )

    (issued,) = hub_tickets(hub)
    assert (issued.number, issued.service_id, issued.status) == ("1001", "dat-dai", "waiting")
    (ticket,) = decode_tickets(output)
    assert ticket.width == 576
    ink = ticket.convert("L").histogram()[0] / (ticket.width * ticket.height)
    assert 0.05 < ink < 0.6, f"ticket ink coverage {ink:.2%}"
    codes = zxingcpp.read_barcodes(ticket.convert("L"))
    assert [c.text for c in codes] == [f"{live.url}/t/{issued.id}"]
    masked = _masked(ticket)
    if UPDATE_GOLDEN:
        masked.save(GOLDEN)
    golden = Image.open(GOLDEN).convert("L")
    if golden.size != masked.size or ImageChops.difference(golden, masked).getbbox():
        masked.save(tmp_path / "actual.png")
        raise AssertionError(f"ticket differs from {GOLDEN.name}; see {tmp_path / 'actual.png'}")
    wait_until(lambda: led.current == "ready", what="LED ready again")


def test_print_failure_cancels_the_ticket_on_the_hub(live, hub, make_agent) -> None:
    """GIVEN a printer whose every write raises (unplugged)
    WHEN a ticket is taken
    THEN the answer is 503 printer_error naming the cancelled number, the hub holds that
    ticket as cancelled (nothing waits unprinted), the error LED blinks "error", and
    the next heartbeat carries the printer's status and the error."""
    printer = EscposTicketPrinter(RaisingDummy(), paper_mm=80)
    printer.open()
    error_led = FakeIndicator()
    agent = make_agent(live.url, printer, error_led=error_led)
    _ready(agent)

    result = agent.take("dat-dai")

    assert result.status == 503
    assert result.body["error"]["code"] == "printer_error"
    assert result.body["error"]["cancelled_number"] == "1001"
    assert [(t.number, t.status) for t in hub_tickets(hub)] == [("1001", "cancelled")]
    assert hub.tickets.services()[0]["waiting"] == 0
    assert "error" in error_led.history
    status = wait_until(
        lambda: (
            device_status(hub, "kiosk-test")
            if "last_error" in device_status(hub, "kiosk-test")
            else None
        ),
        what="heartbeat with the error",
    )
    assert status["printer"] in ("offline", "unknown")
    assert "unplugged" in status["last_error"]
    assert status["cancelled"] == 1 and status["printed"] == 0


def test_unreachable_hub_suspends_issuing_and_recovers(app, hub, make_agent, live_server) -> None:
    """GIVEN a kiosk whose hub does not answer
    WHEN a ticket is asked for
    THEN it answers 503 hub_unreachable, prints nothing, shows "Tạm ngưng cấp số", lights
    the error LED and darkens the buttons; once the hub listens it recovers by itself
    and prints the hub's number."""
    server = live_server(app, start=False)
    url = server.url
    printer = FakeTicketPrinter()
    error_led, button_led = FakeIndicator(), FakeIndicator()
    agent = make_agent(url, printer, error_led=error_led, leds={"dat-dai": button_led})
    wait_until(lambda: agent.snapshot()["state"] == "hub_unreachable", what="hub unreachable")

    result = agent.take("dat-dai")

    assert (result.status, result.body["error"]["code"]) == (503, "hub_unreachable")
    assert agent.snapshot()["message"]["vi"] == "Tạm ngưng cấp số"
    assert printer.images == [] and hub_tickets(hub) == []
    assert error_led.current == "on" and button_led.current == "off"

    server.start()
    _ready(agent)
    result = agent.take("dat-dai")
    assert result.status == 201 and result.body["number"] == "1001"
    assert len(printer.images) == 1
    wait_until(lambda: button_led.current == "ready", what="button LED ready")
    assert error_led.current == "off"


def test_paper_out_on_a_serial_printer(live, hub, make_agent) -> None:
    """GIVEN a serial printer on a pty that reports paper, then runs out
    WHEN tickets are taken before and after
    THEN the first prints; the second is refused by the printer and cancelled on the
    hub; the heartbeat says paper_out; the third is refused without asking the hub."""
    device = PtyPrinter({1: b"\x12", 4: b"\x12"})
    agent = None
    try:
        printer = EscposTicketPrinter.serial(device.path, 115200, timeout_s=0.3)
        printer.open()
        agent = make_agent(live.url, printer)
        _ready(agent)
        assert agent.take("dat-dai").status == 201
        assert wait_until(lambda: device.jobs() == 1, what="first ticket on the pty")
        device.replies[4] = b"\x7e"  # DLE EOT 4: roll paper end sensor
        second = agent.take("dat-dai")
        third = agent.take("dat-dai")

        assert (second.status, second.body["error"]["code"]) == (503, "printer_error")
        assert second.body["error"]["printer"] == "paper_out"
        assert second.body["error"]["message"].startswith("Máy in hết giấy")
        assert (third.status, third.body["error"]["code"]) == (503, "printer_error")
        assert "cancelled_number" not in third.body["error"]
        assert [(t.number, t.status) for t in hub_tickets(hub)] == [
            ("1001", "waiting"),
            ("1002", "cancelled"),
        ]
        assert device.jobs() == 1
        wait_until(
            lambda: device_status(hub, "kiosk-test").get("printer") == "paper_out",
            what="paper_out heartbeat",
        )
        assert agent.snapshot()["state"] == "printer_error"
    finally:
        if agent is not None:
            agent.stop()  # releases the tty before its far end goes away
        device.close()


def test_silent_serial_printer_is_unknown_never_ok(live, hub, make_agent) -> None:
    """GIVEN a serial printer that never answers status queries
    WHEN a ticket is taken
    THEN it is printed (the bytes reach the pty) and the heartbeat says "unknown", not "ok"."""
    device = PtyPrinter({})
    agent = None
    try:
        printer = EscposTicketPrinter.serial(device.path, 115200, timeout_s=0.2)
        printer.open()
        agent = make_agent(live.url, printer)
        _ready(agent)

        assert agent.take("tu-phap").status == 201

        wait_until(lambda: device.jobs() == 1, what="ticket on the pty")
        assert device_status(hub, "kiosk-test")["printer"] == "unknown"
        assert agent.snapshot()["printer"] == "unknown"
    finally:
        if agent is not None:
            agent.stop()
        device.close()


class LoseFirstTicketAnswer:
    """WSGI middleware: the hub issues the first ticket, but its answer comes too late
    for the kiosk (as on a flaky LAN); every later request passes straight through."""

    def __init__(self, app: Any, delay_s: float) -> None:
        self.app = app
        self.delay_s = delay_s
        self.lost = False

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if self.lost or environ.get("PATH_INFO") != "/api/v1/tickets":
            return self.app(environ, start_response)
        self.lost = True
        body = b"".join(self.app(environ, lambda *args, **kw: None))  # committed on the hub
        time.sleep(self.delay_s)  # the kiosk has given up waiting by now
        start_response("504 Gateway Timeout", [("Content-Type", "text/plain")])
        return [body[:0]]


def test_a_lost_answer_does_not_leave_an_unprinted_number_waiting(
    app, hub, make_agent, live_server
) -> None:
    """GIVEN a hub that issues 1001 but whose answer the kiosk never gets
    WHEN the kiosk gives up (hub unreachable, nothing printed)
    THEN once the hub answers again the kiosk finds 1001 by its request key and cancels
    it, and the next press prints 1002: no number waits that was never printed."""
    slow = LoseFirstTicketAnswer(app, delay_s=3.5)
    printer = FakeTicketPrinter()
    agent = make_agent(live_server(slow).url, printer)
    _ready(agent)
    lost = agent.take("dat-dai")
    assert (lost.status, lost.body["error"]["code"]) == (503, "hub_unreachable")
    assert printer.images == []
    wait_until(
        lambda: [(t.number, t.status) for t in hub_tickets(hub)] == [("1001", "cancelled")],
        what="the unprinted 1001 cancelled",
    )
    _ready(agent)
    again = agent.take("dat-dai")
    assert again.status == 201 and again.body["number"] == "1002"
    assert len(printer.images) == 1


def test_presses_while_printing_are_one_ticket(live, hub, token, mock_pins, tmp_path) -> None:
    """GIVEN a kiosk printing a ticket
    WHEN an impatient citizen presses the same button five more times meanwhile
    THEN only the first press gives a ticket."""
    from hardware.fakes import FakeTicketPrinter
    from kiosk.dispenser.loop import Dispenser
    from kiosk.kit.hub_client import HubClient

    gate = threading.Event()

    class SlowPrinter(FakeTicketPrinter):
        def print_ticket(self, image: Any) -> None:
            gate.wait(5)  # the paper is still coming out
            super().print_ticket(image)

    printer = SlowPrinter()
    printer.open()
    agent = Dispenser(settings(live.url, token), client=HubClient(live.url, token), printer=printer)
    agent.start()
    try:
        wait_until(lambda: agent.snapshot()["state"] == "ready", what="kiosk ready")
        agent.press("dat-dai")
        wait_until(lambda: (agent.snapshot()["current"] or {}).get("phase") == "printing")
        for _ in range(5):
            agent.press("dat-dai")
        gate.set()
        wait_done(agent, 1)
        agent.press("tu-phap")  # a later press works again
        wait_until(lambda: len(printer.images) == 2, what="the next ticket")
    finally:
        agent.stop()
    assert [t.number for t in hub_tickets(hub)] == ["1001", "B001"]
