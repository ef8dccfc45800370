"""EscposTicketPrinter on python-escpos's Dummy, a pty, a TCP socket and files."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from escpos.capabilities import get_profile_class
from escpos.exceptions import DeviceNotFoundError
from escpos.printer import Dummy
from PIL import Image

from hardware.errors import DeviceUnavailable, PaperOut
from hardware.fakes import FakeTicketPrinter
from hardware.ports import PrinterStatus, TicketPrinter
from hardware.printer import EscposTicketPrinter, build_printer, open_printer, parse_status
from tests.support.escpos_decode import Cut, Init, Raster, StatusQuery, decode, decode_tickets

FIXTURES = Path(__file__).parents[1] / "fixtures" / "hardware"
CUT = b"\x1dV\x00"
STATUS_CASES = json.loads((FIXTURES / "dle_eot_replies.json").read_text())["cases"]


def ticket(width: int = 576, height: int = 120, seed: int = 3) -> Image.Image:
    rng = random.Random(seed)
    return Image.frombytes("1", (width, height), rng.randbytes(width * height // 8))


class UnpluggableDummy(Dummy):
    """A Dummy whose USB cable can be pulled: then writes and opens fail as escpos's do."""

    plugged = True

    def open(self, raise_not_found: bool = True) -> None:
        if not self.plugged:
            raise DeviceNotFoundError("USB device not found")

    def _raw(self, msg: bytes) -> None:
        if not self.plugged:
            raise DeviceNotFoundError("USB device gone")
        super()._raw(msg)


@pytest.mark.parametrize("case", STATUS_CASES, ids=[c["name"] for c in STATUS_CASES])
def test_parse_status_reads_dle_eot_replies(case: dict[str, str]) -> None:
    """GIVEN the replies to DLE EOT 1 and 4 WHEN parsed THEN the wire status is as documented."""
    status = parse_status(bytes.fromhex(case["online"]), bytes.fromhex(case["paper"]))
    assert status.value == case["status"]


@pytest.mark.parametrize(("paper_mm", "dots"), [(80, 576), (58, 384)])
def test_ticket_is_init_raster_cut(
    paper_mm: int, dots: int, capsys: pytest.CaptureFixture[str]
) -> None:
    """GIVEN a printer on escpos's Dummy with the default profile
    WHEN a paper-wide ticket is printed
    THEN the bytes are ESC @, one GS v 0 of dots/8 bytes per row with the same
    pixels, then a cut; and escpos printed no width warning on stdout."""
    dummy = Dummy()
    printer = EscposTicketPrinter(dummy, paper_mm=paper_mm)
    printer.open()
    image = ticket(dots)

    printer.print_ticket(image)

    events = decode(dummy.output)
    assert printer.paper_dots == dots
    assert events[0] == Init() and isinstance(events[-1], Cut)
    rasters = [e for e in events if isinstance(e, Raster)]
    assert [(r.width_bytes, r.height) for r in rasters] == [(dots // 8, 120)]
    assert rasters[0].image.tobytes() == image.tobytes()
    assert not any(isinstance(e, StatusQuery) for e in events)  # Dummy cannot answer
    assert capsys.readouterr().out == ""
    assert get_profile_class("default").profile_data["media"]["width"]["pixels"] == "Unknown"


def test_narrow_print_head_sets_paper_dots() -> None:
    """GIVEN the TM-T88V profile (512-dot head) on 80 mm paper
    WHEN built THEN paper_dots is 512 and a 576-dot image is refused before sending."""
    dummy = Dummy()
    printer = EscposTicketPrinter(dummy, paper_mm=80, profile="TM-T88V")
    printer.open()

    with pytest.raises(ValueError, match="576 dots wide, paper takes 512"):
        printer.print_ticket(ticket(576))
    assert printer.paper_dots == 512 and dummy.output == b""


def test_profile_without_cutter_feeds_instead(capsys: pytest.CaptureFixture[str]) -> None:
    """GIVEN the POS-5890 profile (58 mm, no cutter)
    WHEN two tickets are printed
    THEN no GS V is sent, yet the stream still splits into the two tickets."""
    dummy = Dummy()
    printer = EscposTicketPrinter(dummy, paper_mm=58, profile="POS-5890")
    printer.open()
    images = [ticket(384, seed=8), ticket(384, seed=9)]
    for image in images:
        printer.print_ticket(image)

    assert not printer.has_cutter
    assert not any(isinstance(e, Cut) for e in decode(dummy.output))
    assert [t.tobytes() for t in decode_tickets(dummy.output)] == [i.tobytes() for i in images]
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"profile": "TM-T20"}, "did you mean TM-T20II"),
        ({"paper_mm": 70}, "paper_mm must be one of"),
    ],
)
def test_bad_profile_or_paper_is_a_clear_value_error(params: dict[str, object], words: str) -> None:
    """GIVEN a misspelt profile or odd paper WHEN built THEN ValueError says what to fix."""
    with pytest.raises(ValueError, match=words):
        EscposTicketPrinter(Dummy(), **params)  # type: ignore[arg-type]


def test_unplugged_printer_is_unavailable_then_reconnects_by_itself() -> None:
    """GIVEN an open printer whose transport then fails with escpos's DeviceNotFoundError
    WHEN a ticket is printed, status asked, the cable put back and a ticket printed
    THEN DeviceUnavailable (caused by, not being, the escpos error), offline,
    and the last ticket prints without calling open() again."""
    dummy = UnpluggableDummy()
    printer = EscposTicketPrinter(dummy)
    printer.open()
    dummy.plugged = False

    with pytest.raises(DeviceUnavailable, match="USB device gone") as info:
        printer.print_ticket(ticket())
    assert isinstance(info.value.__cause__, DeviceNotFoundError)
    assert not printer.is_open and printer.status() is PrinterStatus.OFFLINE
    dummy.plugged = True
    printer.print_ticket(ticket())

    assert printer.is_open and len(decode_tickets(dummy.output)) == 1


def test_closed_printer_does_not_reconnect() -> None:
    """GIVEN a printer that was closed on purpose WHEN asked to print or for status
    THEN DeviceUnavailable and offline: only open() opens it again."""
    printer = EscposTicketPrinter(Dummy())
    printer.open()
    printer.close()

    with pytest.raises(DeviceUnavailable, match="not open"):
        printer.print_ticket(ticket())
    assert printer.status() is PrinterStatus.OFFLINE and not printer.is_open


@pytest.mark.parametrize(
    ("online", "paper", "expected"),
    [
        (b"\x12", b"\x12", PrinterStatus.OK),
        (b"\x12", b"\x1e", PrinterStatus.PAPER_LOW),
        (b"\x7e", b"\x7e", PrinterStatus.PAPER_OUT),
    ],
)
def test_serial_status_from_a_fake_printer_on_a_pty(
    pty_device, escpos_responder, online: bytes, paper: bytes, expected: PrinterStatus
) -> None:
    """GIVEN a fake printer on a pty answering DLE EOT 1 and DLE EOT 4
    WHEN the serial printer asks for its status
    THEN ok / paper_low / paper_out, and both queries went over the wire."""
    device = pty_device(escpos_responder({1: online, 4: paper}))
    printer = EscposTicketPrinter.serial(device.path, 9600)
    printer.open()

    assert printer.status() is expected
    assert device.snapshot().endswith(b"\x10\x04\x01\x10\x04\x04")
    printer.close()


def test_silent_serial_printer_is_unknown_and_still_prints(pty_device, escpos_responder) -> None:
    """GIVEN a pty printer that never answers status queries
    WHEN asked for status and then given a ticket
    THEN status is unknown (never "ok") and the ticket is sent."""
    device = pty_device(escpos_responder({}))
    printer = EscposTicketPrinter.serial(device.path, 115200, timeout_s=0.2)
    printer.open()
    image = ticket()

    assert printer.status() is PrinterStatus.UNKNOWN
    printer.print_ticket(image)
    printer.close()

    received = device.wait_until(lambda data: data.endswith(CUT))
    assert [t.tobytes() for t in decode_tickets(received)] == [image.tobytes()]


def test_check_status_false_sends_the_ticket_without_asking(pty_device, escpos_responder) -> None:
    """GIVEN a serial printer configured with check_status=False
    WHEN a ticket is printed THEN the first bytes after open are the job (ESC @), no query."""
    device = pty_device(escpos_responder({1: b"\x12", 4: b"\x12"}))
    printer = open_printer("serial", port=device.path, baudrate=115200, check_status=False)
    sent_before = len(device.snapshot())

    printer.print_ticket(ticket())
    printer.close()

    assert device.wait_until(lambda data: data.endswith(CUT))[sent_before:].startswith(b"\x1b@")


def test_paper_out_on_serial_refuses_before_sending(pty_device, escpos_responder) -> None:
    """GIVEN a pty printer reporting paper end
    WHEN a ticket is printed
    THEN PaperOut, and only the two status queries reached the printer."""
    device = pty_device(escpos_responder({1: b"\x1a", 4: b"\x7e"}))
    printer = EscposTicketPrinter.serial(device.path)
    printer.open()
    sent_before = len(device.snapshot())

    with pytest.raises(PaperOut):
        printer.print_ticket(ticket())
    printer.close()

    # The queries were answered, so they had arrived: nothing may follow them.
    assert device.snapshot()[sent_before:] == b"\x10\x04\x01\x10\x04\x04"


def test_network_printer_on_loopback(tcp_device, escpos_responder) -> None:
    """GIVEN a fake LAN printer on 127.0.0.1 answering "paper near end"
    WHEN opened with open_printer("network", …) and given a ticket
    THEN status is paper_low, the ticket's pixels arrive intact, and after the
    printer goes away status is offline."""
    device = tcp_device(escpos_responder({1: b"\x12", 4: b"\x1e"}))
    printer = open_printer("network", host="127.0.0.1", tcp_port=device.port, paper_mm=80)
    image = ticket()

    assert printer.status() is PrinterStatus.PAPER_LOW
    printer.print_ticket(image)
    assert printer.status() is PrinterStatus.PAPER_LOW  # round trip proves the ticket arrived
    device.close()

    assert printer.status() is PrinterStatus.OFFLINE
    assert [t.tobytes() for t in decode_tickets(device.snapshot())] == [image.tobytes()]


def test_network_printer_reconnects_after_an_idle_drop(tcp_device, escpos_responder) -> None:
    """GIVEN a LAN printer that closes the connection after the first ticket
    (as printers do with idle raw-port connections)
    WHEN a second ticket is printed
    THEN the status check notices, the printer reconnects once and both tickets arrive."""
    device = tcp_device(escpos_responder({1: b"\x12", 4: b"\x12"}))
    printer = open_printer("network", host="127.0.0.1", tcp_port=device.port)
    images = [ticket(seed=11), ticket(seed=12)]

    printer.print_ticket(images[0])
    device.wait_until(lambda data: data.endswith(CUT))
    device.drop_connection()
    printer.print_ticket(images[1])
    received = device.wait_until(lambda data: data.count(CUT) == 2)
    printer.close()

    assert device.connections == 2
    assert [t.tobytes() for t in decode_tickets(received)] == [i.tobytes() for i in images]


def test_network_printer_refusing_connection_is_unavailable(tcp_device, escpos_responder) -> None:
    """GIVEN a TCP port nobody listens on WHEN opened THEN DeviceUnavailable."""
    device = tcp_device(escpos_responder({}))
    port = device.port
    device.close()
    with pytest.raises(DeviceUnavailable, match="cannot open network:127.0.0.1"):
        open_printer("network", host="127.0.0.1", port=port)


def test_file_printer_appends_and_reports_spool_status(tmp_path: Path) -> None:
    """GIVEN a file printer on a spool file
    WHEN two tickets are printed across a re-open, then the file is removed
    THEN both tickets decode back, status was ok, and becomes offline."""
    spool = tmp_path / "printer.bin"
    printer = open_printer("file", path=str(spool), paper_mm=58)
    first, second = ticket(384, seed=1), ticket(384, seed=2)

    printer.print_ticket(first)
    printer.open()  # the retry path: must not truncate
    printer.print_ticket(second)
    status = printer.status()
    spool.unlink()

    assert status is PrinterStatus.OK
    assert printer.status() is PrinterStatus.OFFLINE
    printer.close()


def test_file_printer_output_decodes(tmp_path: Path) -> None:
    """GIVEN two tickets printed to a spool file WHEN decoded THEN both come back exactly."""
    spool = tmp_path / "printer.bin"
    printer = open_printer("file", path=str(spool))
    images = [ticket(576, seed=4), ticket(576, 40, seed=5)]
    for image in images:
        printer.print_ticket(image)
    printer.close()

    assert [t.tobytes() for t in decode_tickets(spool.read_bytes())] == [
        i.tobytes() for i in images
    ]


def test_file_printer_on_a_device_node_is_unknown() -> None:
    """GIVEN a file printer on a character device (as /dev/usb/lp0 is)
    WHEN asked for status THEN unknown: a write-only device cannot say."""
    printer = open_printer("file", path="/dev/null")
    assert printer.status() is PrinterStatus.UNKNOWN
    printer.close()


def test_file_printer_in_missing_directory_is_unavailable(tmp_path: Path) -> None:
    """GIVEN a path in a directory that does not exist WHEN opened THEN DeviceUnavailable."""
    with pytest.raises(DeviceUnavailable, match="cannot open file:"):
        open_printer("file", path=str(tmp_path / "nope" / "printer.bin"))


def test_usb_printer_not_present_is_unavailable_and_has_a_timeout() -> None:
    """GIVEN no such USB device (and maybe no libusb at all)
    WHEN opened THEN DeviceUnavailable; the transport never waits forever (1000 ms)."""
    printer = build_printer("usb", vendor_id="0x0416", product_id=0x5011, paper_mm=58)
    assert isinstance(printer, EscposTicketPrinter)
    assert printer.transport.timeout == 1000
    with pytest.raises(DeviceUnavailable, match="usb:0416:5011"):
        printer.open()


@pytest.mark.parametrize(
    ("kind", "params", "words"),
    [
        ("bluetooth", {}, "unknown printer kind 'bluetooth': expected one of usb, serial"),
        ("usb", {"vendor_id": 1}, "needs product_id"),
        ("file", {"path": "x", "baudrate": 9600}, "does not take baudrate"),
        ("usb", {"vendor_id": "epson", "product_id": 1}, "vendor_id must be an integer"),
    ],
)
def test_open_printer_rejects_bad_config(kind: str, params: dict[str, object], words: str) -> None:
    """GIVEN a bad kind or parameters WHEN open_printer runs THEN ValueError says which."""
    with pytest.raises(ValueError, match=words):
        open_printer(kind, **params)


def test_open_printer_fake_kind(tmp_path: Path) -> None:
    """GIVEN kind "fake" with an out_dir WHEN opened and printed THEN a PNG is written."""
    printer = open_printer("fake", out_dir=str(tmp_path), paper_mm=58)
    printer.print_ticket(ticket(384))

    assert isinstance(printer, FakeTicketPrinter) and isinstance(printer, TicketPrinter)
    assert printer.paper_dots == 384
    with Image.open(tmp_path / "ticket-0001.png") as png:
        assert png.size == (384, 120)
