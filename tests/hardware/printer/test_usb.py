"""USB printers, with no USB device here (:mod:`hardware.printer.usb`)."""

from __future__ import annotations

import pytest

from hardware.errors import DeviceUnavailable
from hardware.printer import EscposTicketPrinter, build_printer


def test_usb_printer_not_present_is_unavailable_and_has_a_timeout() -> None:
    """GIVEN no such USB device (and maybe no libusb at all)
    WHEN opened THEN DeviceUnavailable; the transport never waits forever (1000 ms)."""
    printer = build_printer("usb", vendor_id="0x0416", product_id=0x5011, paper_mm=58)
    assert isinstance(printer, EscposTicketPrinter)
    assert printer.transport.timeout == 1000
    with pytest.raises(DeviceUnavailable, match="usb:0416:5011"):
        printer.open()
