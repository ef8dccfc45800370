"""One contract per port, run on the fake and on the real adapter over the
library's own fake (escpos Dummy, gpiozero MockFactory, an evdev reader on a
pipe, pyserial on a pty, aplay on ALSA's null PCM), so the two cannot drift."""

from __future__ import annotations

import itertools
import queue
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from escpos.printer import Dummy
from PIL import Image

from hardware.audio import AplayAudioOutput, NullAudioOutput
from hardware.buttons import GpioButtons, GpioIndicator
from hardware.errors import DeviceTimeout, DeviceUnavailable, HardwareError, PaperOut
from hardware.fakes import (
    FakeAudioOutput,
    FakeButtonPanel,
    FakeCounterDisplay,
    FakeIndicator,
    FakeKeypad,
    FakeTicketPrinter,
)
from hardware.keypad import EvdevKeypad
from hardware.led_board import SerialLedBoard
from hardware.ports import (
    AudioOutput,
    ButtonPanel,
    CounterDisplay,
    Indicator,
    KeypadReader,
    LedPattern,
    PrinterStatus,
    TicketPrinter,
)
from tests.support.escpos_decode import decode_tickets


@dataclass
class Rig:
    """A device under contract plus the means to act on it from outside."""

    device: Any
    act: dict[str, Callable[..., Any]]


# --- ticket printer ------------------------------------------------------------


class StatusDummy(Dummy):
    """escpos's Dummy that answers DLE EOT queries and can be unplugged."""

    def __init__(self) -> None:
        super().__init__()
        self.replies = {1: b"\x12", 4: b"\x12"}
        self.unplugged = False
        self._asked = 0

    def open(self, raise_not_found: bool = True) -> None:
        if self.unplugged:
            raise OSError(19, "No such device")

    def _raw(self, msg: bytes) -> None:
        if self.unplugged:
            raise OSError(19, "No such device")
        if msg.startswith(b"\x10\x04"):
            self._asked = msg[2]
        else:
            super()._raw(msg)

    def _read(self) -> bytes:
        return self.replies[self._asked]


def fake_printer(paper_mm: int) -> Rig:
    fake = FakeTicketPrinter(paper_mm)

    def paper_out() -> None:
        fake.status_value = PrinterStatus.PAPER_OUT

    def paper_in() -> None:
        fake.status_value = PrinterStatus.OK

    def plug(connected: bool) -> None:
        error = None if connected else DeviceUnavailable("unplugged")
        fake.fail_with = fake.open_error = error

    actions = {"paper_out": paper_out, "paper_in": paper_in, "plug": plug}
    return Rig(fake, {"printed": lambda: fake.images, **actions})


def escpos_printer(paper_mm: int) -> Rig:
    from hardware.printer import EscposTicketPrinter

    dummy = StatusDummy()

    def paper_out() -> None:
        dummy.replies = {1: b"\x1a", 4: b"\x7e"}

    def paper_in() -> None:
        dummy.replies = {1: b"\x12", 4: b"\x12"}

    def plug(connected: bool) -> None:
        dummy.unplugged = not connected

    return Rig(
        EscposTicketPrinter(dummy, paper_mm=paper_mm),
        {
            "printed": lambda: decode_tickets(dummy.output),
            "paper_out": paper_out,
            "paper_in": paper_in,
            "plug": plug,
        },
    )


@pytest.mark.parametrize("make", [fake_printer, escpos_printer])
@pytest.mark.parametrize(("paper_mm", "dots"), [(58, 384), (80, 576)])
def test_ticket_printer_contract(make, paper_mm: int, dots: int) -> None:
    """GIVEN a ticket printer for the paper
    WHEN it is used before open, printed on, overfed, run out of paper,
    unplugged, replugged and closed
    THEN every implementation answers the same way, reconnecting by itself
    after the replug but not after close()."""
    rig = make(paper_mm)
    printer: TicketPrinter = rig.device
    image = Image.frombytes("1", (dots, 16), random.Random(1).randbytes(dots * 2))
    assert isinstance(printer, TicketPrinter) and printer.paper_dots == dots
    with pytest.raises(DeviceUnavailable):
        printer.print_ticket(image)

    printer.open()
    assert printer.status() is PrinterStatus.OK
    printer.print_ticket(image)
    with pytest.raises(ValueError):
        printer.print_ticket(Image.new("1", (dots + 8, 16)))
    assert [t.tobytes() for t in rig.act["printed"]()] == [image.tobytes()]

    rig.act["paper_out"]()
    assert printer.status() is PrinterStatus.PAPER_OUT
    with pytest.raises(PaperOut):
        printer.print_ticket(image)
    assert len(rig.act["printed"]()) == 1

    rig.act["paper_in"]()
    rig.act["plug"](False)
    with pytest.raises(DeviceUnavailable):
        printer.print_ticket(image)
    assert printer.status() is PrinterStatus.OFFLINE
    with pytest.raises(DeviceUnavailable):
        printer.print_ticket(image)
    rig.act["plug"](True)
    assert printer.status() is PrinterStatus.OK
    printer.print_ticket(image)
    assert len(rig.act["printed"]()) == 2

    printer.close()
    printer.close()
    assert printer.status() is PrinterStatus.OFFLINE
    with pytest.raises(DeviceUnavailable):
        printer.print_ticket(image)


# --- buttons and LEDs --------------------------------------------------------------


def fake_buttons(_factory: Any) -> Rig:
    fake = FakeButtonPanel(["dat-dai", "ho-tich"])
    return Rig(fake, {"press": fake.press})


def gpio_buttons(factory: Any) -> Rig:
    pins = {"dat-dai": 17, "ho-tich": 27}
    seconds = itertools.count(start=100.0, step=1.0)  # presses a second apart, as people do
    panel = GpioButtons(pins, pin_factory=factory, clock=lambda: next(seconds))

    def press(name: str) -> None:
        factory.pin(pins[name]).drive_low()
        factory.pin(pins[name]).drive_high()

    return Rig(panel, {"press": press})


@pytest.mark.parametrize("make", [fake_buttons, gpio_buttons])
def test_button_panel_contract(make, mock_factory) -> None:
    """GIVEN a two-button panel
    WHEN buttons are pressed before and after a callback is set
    THEN only presses after it arrive, by name; close is idempotent."""
    rig = make(mock_factory)
    panel: ButtonPanel = rig.device
    got: list[str] = []
    assert isinstance(panel, ButtonPanel) and panel.names == ("dat-dai", "ho-tich")

    rig.act["press"]("dat-dai")
    panel.set_callback(got.append)
    rig.act["press"]("ho-tich")
    rig.act["press"]("dat-dai")

    assert got == ["ho-tich", "dat-dai"]
    panel.close()
    panel.close()


@pytest.mark.parametrize(
    "make",
    [lambda factory: FakeIndicator(), lambda factory: GpioIndicator(26, pin_factory=factory)],
)
def test_indicator_contract(make, mock_factory) -> None:
    """GIVEN an LED WHEN switched through states and patterns THEN current names each."""
    led: Indicator = make(mock_factory)
    seen = [led.current]
    led.on()
    seen.append(led.current)
    led.blink("busy")
    seen.append(led.current)
    led.blink(LedPattern(((True, 0.5), (False, 0.5))))
    seen.append(led.current)
    led.off()
    seen.append(led.current)
    with pytest.raises(ValueError, match="unknown LED pattern"):
        led.blink("disco")
    led.blink("ready")
    led.close()

    assert isinstance(led, Indicator)
    assert seen == ["off", "on", "busy", "custom", "off"] and led.current == "off"


# --- keypad ------------------------------------------------------------------------

KEYMAP = {"KEY_KP1": "dat-dai", "KEY_KPENTER": "confirm"}


def fake_keypad(_pipe_input: Any) -> Rig:
    fake = FakeKeypad(KEYMAP)
    return Rig(fake, {"key": fake.press_key, "wait": lambda: fake.connected})


def evdev_keypad(pipe_input: Any) -> Rig:
    device = pipe_input()
    devices = iter([device])
    keypad = EvdevKeypad(KEYMAP, open_device=lambda: next(devices, None), poll_s=0.01)
    return Rig(keypad, {"key": device.press, "wait": lambda: keypad.wait_connected(5)})


@pytest.mark.parametrize("make", [fake_keypad, evdev_keypad])
def test_keypad_contract(make, pipe_input) -> None:
    """GIVEN a keypad with KP1 and ENTER mapped
    WHEN started and KP1, KP5 (unmapped), ENTER are pressed, then closed
    THEN "dat-dai" then "confirm" arrive and it reports connected only while started."""
    rig = make(pipe_input)
    keypad: KeypadReader = rig.device
    commands: queue.Queue[str] = queue.Queue()
    assert isinstance(keypad, KeypadReader) and not keypad.connected

    keypad.start(commands.put)
    assert rig.act["wait"]()
    for key in ("KEY_KP1", "KEY_KP5", "KEY_KPENTER"):
        rig.act["key"](key)
    got = [commands.get(timeout=5), commands.get(timeout=5)]
    keypad.close()

    assert got == ["dat-dai", "confirm"] and commands.empty() and not keypad.connected


# --- LED boards --------------------------------------------------------------------


def _ack_frames(pending: bytearray) -> bytes:
    frames = 0
    while (end := pending.find(b"\x03")) >= 0 and end + 1 < len(pending):
        del pending[: end + 2]
        frames += 1
    return b"\x06" * frames


def fake_boards(_pty_device: Any) -> Rig:
    fake = FakeCounterDisplay(counters=["1", "3"])

    def silent(on: bool) -> None:
        fake.fail_with = DeviceTimeout("board did not acknowledge") if on else None

    return Rig(fake, {"silent": silent})


def serial_boards(pty_device: Any) -> Rig:
    device = pty_device(_ack_frames)
    board = SerialLedBoard(device.path, address_map={"1": 1, "3": 3}, timeout=0.1)

    def silent(on: bool) -> None:
        device.silent = on

    return Rig(board, {"silent": silent})


@pytest.mark.parametrize("make", [fake_boards, serial_boards])
def test_counter_display_contract(make, pty_device) -> None:
    """GIVEN the boards of counters 1 and 3
    WHEN numbers are shown and cleared, bad requests made, and a board goes silent once
    THEN bad requests are ValueError, silence is DeviceTimeout counted in health,
    and the next success resets the consecutive count."""
    rig = make(pty_device)
    boards: CounterDisplay = rig.device
    assert isinstance(boards, CounterDisplay)
    boards.open()

    boards.show("3", "1023")
    boards.clear("1")
    for counter, number in [("9", "1"), ("1", "Số 1")]:
        with pytest.raises(ValueError):
            boards.show(counter, number)
    rig.act["silent"](True)
    with pytest.raises(DeviceTimeout):
        boards.show("1", "7")
    timed_out = boards.health()
    rig.act["silent"](False)
    boards.show("1", "7")
    boards.close()

    assert (timed_out.consecutive_timeouts, timed_out.total_timeouts) == (1, 1)
    assert (boards.health().consecutive_timeouts, boards.health().total_timeouts) == (0, 1)


# --- audio ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make", [FakeAudioOutput, NullAudioOutput, lambda: AplayAudioOutput(device="null")]
)
def test_audio_output_contract(make, wav: bytes) -> None:
    """GIVEN an audio output WHEN a WAV and then non-WAV bytes are played
    THEN the WAV plays and the rest is a ValueError, never a device error."""
    out: AudioOutput = make()
    assert isinstance(out, AudioOutput)
    out.open()
    out.play(wav)
    with pytest.raises(ValueError):
        out.play(b"not audio")


def test_fake_errors_are_hardware_errors() -> None:
    """GIVEN the fakes' injected failures WHEN raised THEN they are the same
    HardwareError family the real adapters raise."""
    printer = FakeTicketPrinter()
    printer.open()
    printer.fail_with = DeviceTimeout("slow USB")
    with pytest.raises(HardwareError):
        printer.print_ticket(Image.new("1", (8, 8)))
