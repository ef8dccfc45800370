"""What the fakes record, for the agents' tests and the demo."""

from __future__ import annotations

from pathlib import Path

import pytest
from escpos.printer import Dummy
from PIL import Image, ImageDraw

from hardware.errors import DeviceTimeout, PaperOut
from hardware.fakes import (
    FakeAudioOutput,
    FakeButtonPanel,
    FakeCounterDisplay,
    FakeIndicator,
    FakeKeypad,
    FakeTicketPrinter,
)
from hardware.ports import PrinterStatus
from tests.support.escpos_decode import write_ticket_pngs


def grey_ticket() -> Image.Image:
    image = Image.new("L", (384, 40), 255)
    ImageDraw.Draw(image).rectangle((10, 10, 100, 30), fill=0)
    return image


def test_fake_printer_keeps_1bit_images_and_writes_pngs(tmp_path: Path) -> None:
    """GIVEN a fake printer with an out_dir
    WHEN a greyscale ticket is printed, then the paper runs out
    THEN one 1-bit image is kept and saved as ticket-0001.png, and the next
    print raises PaperOut without a second file."""
    printer = FakeTicketPrinter(paper_mm=58, out_dir=tmp_path / "tickets")
    printer.open()
    printer.print_ticket(grey_ticket())
    printer.status_value = PrinterStatus.PAPER_OUT

    with pytest.raises(PaperOut):
        printer.print_ticket(grey_ticket())

    assert [im.mode for im in printer.images] == ["1"]
    assert printer.files == [tmp_path / "tickets" / "ticket-0001.png"]
    with Image.open(printer.files[0]) as png:
        assert png.size == (384, 40) and png.getpixel((50, 20)) == 0


def test_write_ticket_pngs_turns_printed_bytes_into_pictures(tmp_path: Path) -> None:
    """GIVEN two jobs (ESC @, image, cut) for a 58 mm printer without a cutter,
    so no GS V separates them
    WHEN write_ticket_pngs runs THEN two PNGs hold the printed pixels."""
    printer = Dummy(profile="POS-5890")
    for _ in range(2):
        printer.hw("INIT")
        printer.image(grey_ticket())
        printer.cut()

    paths = write_ticket_pngs(printer.output, tmp_path)

    assert [p.name for p in paths] == ["ticket-0001.png", "ticket-0002.png"]
    with Image.open(paths[1]) as png:
        assert png.getpixel((50, 20)) == 0 and png.getpixel((200, 20)) == 255


def test_fake_counter_display_records_frames_and_health() -> None:
    """GIVEN fake boards WHEN shown, cleared and made to time out twice
    THEN frames and shown track it, and health counts the timeouts."""
    boards = FakeCounterDisplay(counters=["1", "2"])
    boards.show("1", "1023")
    boards.show("2", "7")
    boards.clear("2")
    boards.fail_with = DeviceTimeout("no ACK")
    for _ in range(2):
        with pytest.raises(DeviceTimeout):
            boards.show("1", "1024")

    assert boards.frames == [("1", "1023"), ("2", "7"), ("2", None)]
    assert boards.shown == {"1": "1023"}
    assert boards.health().consecutive_timeouts == 2


def test_fake_panel_indicator_keypad_audio(tmp_path: Path, wav: bytes) -> None:
    """GIVEN the small fakes WHEN driven from code
    THEN presses, held buttons, LED history, keypad commands and WAVs are recorded."""
    events: list[tuple[str, str]] = []
    panel = FakeButtonPanel(["a", "b"])
    panel.set_callback(lambda n: events.append(("press", n)), lambda n: events.append(("hold", n)))
    panel.press("a")
    panel.hold("b")
    with pytest.raises(ValueError, match="unknown button 'c'"):
        panel.press("c")

    led = FakeIndicator()
    led.blink("thank_you")
    led.on()

    keypad = FakeKeypad({"KEY_KP1": "dat-dai"})
    keypad.press("ignored: not started")
    keypad.start(lambda c: events.append(("key", c)))
    keypad.press_key("KEY_KP1")
    keypad.press_key("KEY_KP9")

    audio = FakeAudioOutput(out_dir=tmp_path)
    audio.play(wav)

    assert events == [("press", "a"), ("hold", "b"), ("key", "dat-dai")]
    assert led.history == ["off", "thank_you", "on"]
    assert audio.played == [wav] and (tmp_path / "announce-0001.wav").read_bytes() == wav
