"""The agent as ``motcua kiosk`` builds it from ``[kiosk]``: GPIO buttons, a priority
button, LEDs, a USB keypad and a ``file`` printer, against a live hub."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from kiosk_support import CUT, PipeKeypad, hub_tickets, serve, settings, wait_until

from config.kiosk import ButtonSettings, KeypadSettings, PrinterSettings, PriorityButtonSettings
from hardware.escpos_decode import decode_tickets
from kiosk.settings import build_agent


@pytest.fixture
def database(sqlite_database):
    return sqlite_database


@pytest.fixture
def mock_pins() -> Iterator[Any]:
    from gpiozero.pins.mock import MockFactory

    factory = MockFactory()
    yield factory
    factory.reset()


@pytest.fixture
def live(app) -> Iterator[str]:
    with serve(app) as url:
        yield url


@pytest.fixture
def token(hub) -> str:
    return hub.auth.add_device("kiosk-test", "kiosk", None)


def _done(agent: Any, seq: int) -> None:
    """Wait until the agent has finished its ``seq``-th ticket (presses after it count)."""
    wait_until(
        lambda: (
            (agent.snapshot()["current"] or {}).get("seq") == seq
            and agent.snapshot()["current"]["phase"] == "printed"
        ),
        what=f"ticket {seq} finished",
    )


def _press(pins: Any, pin: int) -> None:
    pins.pin(pin).drive_low()
    pins.pin(pin).drive_high()


def test_wired_kiosk_buttons_keypad_and_file_printer(live, hub, token, mock_pins, tmp_path) -> None:
    """GIVEN a kiosk built from its section: buttons for two fields (one a priority button),
    a priority button, LEDs, a keypad and a file printer
    WHEN the buttons are pressed and keys are typed as the kernel reports them
    (scan code, down, SYN, auto-repeats, up)
    THEN each press gives exactly one ticket on the hub, with the priority the press
    asked for, and the file holds one raster ticket per ticket, in order."""
    spool = tmp_path / "printer.bin"
    spool.touch()
    keypad = PipeKeypad()
    opened = [keypad]
    section = settings(
        live,
        token,
        printer=PrinterSettings(kind="file", path=str(spool)),
        buttons=(
            ButtonSettings(pin=17, service="dat-dai", led=27),
            ButtonSettings(pin=22, service="tu-phap", priority="disabled"),
        ),
        priority_button=PriorityButtonSettings(pin=23, led=24, category="pregnant"),
        error_led=5,
        keypad=KeypadSettings(
            name="Numeric Keypad",
            keymap={"KEY_KP1": "dat-dai", "KEY_KP2": "kinh-doanh", "KEY_KP0": "priority"},
        ),
    )
    agent = build_agent(
        section,
        pin_factory=mock_pins,
        keypad_opener=lambda: opened.pop() if opened else None,
    )
    agent.start()
    try:
        wait_until(lambda: agent.snapshot()["state"] == "ready", what="kiosk ready")

        def printed(n: int) -> None:
            wait_until(lambda: spool.read_bytes().count(CUT) == n, what=f"{n} tickets")
            _done(agent, n)

        _press(mock_pins, 17)  # dat-dai
        printed(1)
        _press(mock_pins, 22)  # tu-phap, priority button of that field
        printed(2)
        _press(mock_pins, 23)  # arm priority (pregnant) …
        wait_until(lambda: agent.snapshot()["armed_priority"] == "pregnant", what="armed")
        assert agent.leds["*priority"].current == "on"
        _press(mock_pins, 17)  # … for the next press
        printed(3)
        keypad.press("KEY_KP2", repeats=3)  # held down: one ticket, not four
        printed(4)
        keypad.press("KEY_KP0")
        keypad.press("KEY_KP1")
        printed(5)
    finally:
        agent.stop()
        keypad.close()

    issued = [(t.number, t.service_id, t.priority, t.status) for t in hub_tickets(hub)]
    assert issued == [
        ("1001", "dat-dai", None, "waiting"),
        ("B001", "tu-phap", "disabled", "waiting"),
        ("1002", "dat-dai", "pregnant", "waiting"),
        ("C001", "kinh-doanh", None, "waiting"),
        ("1003", "dat-dai", "pregnant", "waiting"),
    ]
    tickets = decode_tickets(spool.read_bytes())
    assert len(tickets) == 5 and {t.width for t in tickets} == {576}


def test_presses_while_printing_are_one_ticket(live, hub, token, mock_pins, tmp_path) -> None:
    """GIVEN a kiosk printing a ticket
    WHEN an impatient citizen presses the same button five more times meanwhile
    THEN only the first press gives a ticket."""
    from hardware.fakes import FakeTicketPrinter
    from kiosk.dispenser import Dispenser
    from kiosk.kit.hub_client import HubClient

    gate = threading.Event()

    class SlowPrinter(FakeTicketPrinter):
        def print_ticket(self, image: Any) -> None:
            gate.wait(5)  # the paper is still coming out
            super().print_ticket(image)

    printer = SlowPrinter()
    printer.open()
    agent = Dispenser(settings(live, token), client=HubClient(live, token), printer=printer)
    agent.start()
    try:
        wait_until(lambda: agent.snapshot()["state"] == "ready", what="kiosk ready")
        agent.press("dat-dai")
        wait_until(lambda: (agent.snapshot()["current"] or {}).get("phase") == "printing")
        for _ in range(5):
            agent.press("dat-dai")
        gate.set()
        _done(agent, 1)
        agent.press("tu-phap")  # a later press works again
        wait_until(lambda: len(printer.images) == 2, what="the next ticket")
    finally:
        agent.stop()
    assert [t.number for t in hub_tickets(hub)] == ["1001", "B001"]


def test_the_kiosk_process_serves_prints_and_stops(live, hub, token, tmp_path) -> None:
    """GIVEN a config file for a kiosk with GPIO buttons (mock pins) and a file printer
    WHEN `python -m kiosk.dispenser --config …` runs, takes a ticket through its touch
    API and gets SIGTERM
    THEN the ticket is the hub's and is in the file, and the process exits with 0."""
    import signal
    import subprocess
    import sys
    from pathlib import Path

    import requests
    from kiosk_support import free_port

    port = free_port()
    spool = tmp_path / "printer.bin"
    spool.touch()
    config = tmp_path / "kiosk.toml"
    config.write_text(
        f'[kiosk]\nhub_url = "{live}"\ntoken = "{token}"\nlisten = "127.0.0.1:{port}"\n'
        f'printer = {{ kind = "file", path = "{spool}" }}\n'
        '[[kiosk.buttons]]\npin = 17\nservice = "dat-dai"\nled = 27\n',
        "utf-8",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOTCUA_")}
    env["GPIOZERO_PIN_FACTORY"] = "mock"
    proc = subprocess.Popen(
        [sys.executable, "-m", "kiosk.dispenser", "--config", str(config)],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:

        def ready() -> bool:
            try:
                status = requests.get(f"http://127.0.0.1:{port}/status", timeout=2).json()
            except requests.RequestException:
                return False
            return status["state"] == "ready"

        wait_until(ready, timeout=30, what="the kiosk process")
        r = requests.post(f"http://127.0.0.1:{port}/take", json={"service": "dat-dai"}, timeout=30)
        assert r.status_code == 201 and r.json()["number"] == "1001"
        assert decode_tickets(spool.read_bytes())[0].width == 576
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert [t.number for t in hub_tickets(hub)] == ["1001"]
