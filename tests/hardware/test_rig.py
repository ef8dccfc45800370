"""Opt-in tests on real devices (a Pi with its printer, boards, keypad, speaker).

Skipped unless ``MOTCUA_TEST_HARDWARE=1``; each device also needs its own
variable, e.g.::

    MOTCUA_TEST_HARDWARE=1 \\
    MOTCUA_RIG_PRINTER='{"kind": "usb", "vendor_id": 1046, "product_id": 20497, "paper_mm": 58}' \\
    MOTCUA_RIG_LED='{"port": "/dev/ttyUSB0", "baudrate": 9600, "framing": "stx", "address": 1}' \\
    MOTCUA_RIG_GPIO='{"button": 17, "led": 27}' \\
    MOTCUA_RIG_KEYPAD='Numeric Keypad' \\
    MOTCUA_RIG_AUDIO='default' \\
    .venv/bin/python -m pytest tests/hardware/test_rig.py -v -s

The button and keypad tests wait up to 20 s for a person to press.
"""

from __future__ import annotations

import json
import os
import queue
import threading

import pytest
from PIL import Image, ImageDraw

from hardware.ports import PrinterStatus

pytestmark = pytest.mark.skipif(
    os.environ.get("MOTCUA_TEST_HARDWARE") != "1",
    reason="real devices only: set MOTCUA_TEST_HARDWARE=1 and MOTCUA_RIG_* (see module doc)",
)


def rig(name: str) -> str:
    value = os.environ.get(name, "")
    if not value:
        pytest.skip(f"{name} is not set")
    return value


def test_rig_printer_prints_a_test_ticket() -> None:
    """GIVEN the configured printer WHEN opened and a test ticket printed
    THEN it reports a status other than offline and prints without error."""
    from hardware.printer import open_printer

    printer = open_printer(**json.loads(rig("MOTCUA_RIG_PRINTER")))
    status = printer.status()
    image = Image.new("1", (printer.paper_dots, 120), 1)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, printer.paper_dots - 1, 119), outline=0, width=4)
    draw.text((20, 50), f"motcua rig test - status {status.value}", fill=0)
    printer.print_ticket(image)
    printer.close()
    assert status is not PrinterStatus.OFFLINE


def test_rig_led_board_shows_and_clears() -> None:
    """GIVEN the configured LED board WHEN 8888 is shown then cleared THEN it acknowledges."""
    from hardware.led_board import ModbusRtuFraming, SerialLedBoard, StxEtxFraming

    cfg = json.loads(rig("MOTCUA_RIG_LED"))
    framing = ModbusRtuFraming() if cfg.get("framing") == "modbus" else StxEtxFraming()
    board = SerialLedBoard(
        cfg["port"], cfg.get("baudrate", 9600), framing, {"rig": cfg.get("address", 1)}
    )
    board.open()
    board.show("rig", "8888")
    board.clear("rig")
    board.close()
    assert board.health().total_timeouts == 0


def test_rig_gpio_button_and_led() -> None:
    """GIVEN the button and LED pins, on lgpio WHEN a person presses the button
    THEN the press arrives while the LED blinks "invite"."""
    from gpiozero.pins.lgpio import LGPIOFactory

    from hardware.buttons import GpioButtons, GpioIndicator

    cfg = json.loads(rig("MOTCUA_RIG_GPIO"))
    factory = LGPIOFactory()
    pressed = threading.Event()
    led = GpioIndicator(cfg["led"], pin_factory=factory)
    panel = GpioButtons({"rig": cfg["button"]}, pin_factory=factory)
    panel.set_callback(lambda name: pressed.set())
    led.blink("invite")
    print("\nPress the button within 20 s…")
    try:
        assert pressed.wait(20)
    finally:
        led.close()
        panel.close()


def test_rig_keypad_enter() -> None:
    """GIVEN the named keypad WHEN a person presses Enter THEN "confirm" arrives."""
    from hardware.keypad import EvdevKeypad

    commands: queue.Queue[str] = queue.Queue()
    keypad = EvdevKeypad(
        {"KEY_KPENTER": "confirm", "KEY_ENTER": "confirm"}, name=rig("MOTCUA_RIG_KEYPAD")
    )
    keypad.start(commands.put)
    print("\nPress Enter on the keypad within 20 s…")
    try:
        assert commands.get(timeout=20) == "confirm"
    finally:
        keypad.close()


def test_rig_audio_plays(wav: bytes) -> None:
    """GIVEN the configured ALSA device WHEN a short WAV is played THEN aplay succeeds."""
    from hardware.audio import AplayAudioOutput

    device = rig("MOTCUA_RIG_AUDIO")
    out = AplayAudioOutput(device=None if device == "default" else device)
    out.open()
    out.play(wav)
