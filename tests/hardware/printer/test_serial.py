"""Serial printers on a pty speaking ESC/POS status bytes (:mod:`hardware.printer.serial`)."""

from __future__ import annotations

import pytest

from hardware.errors import PaperOut
from hardware.ports import PrinterStatus
from hardware.printer import EscposTicketPrinter, open_printer
from tests.hardware.printer.support import CUT, ticket
from tests.support.escpos_decode import decode_tickets


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
