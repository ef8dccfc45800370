"""File printers: spool files and device nodes (:mod:`hardware.printer.file`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from hardware.errors import DeviceUnavailable
from hardware.ports import PrinterStatus
from hardware.printer import open_printer
from tests.hardware.printer.support import ticket
from tests.support.escpos_decode import decode_tickets


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
