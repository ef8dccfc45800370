"""Printers from configuration values (:mod:`hardware.printer.build`)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from hardware.fakes import FakeTicketPrinter
from hardware.ports import TicketPrinter
from hardware.printer import open_printer
from tests.hardware.printer.support import ticket


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
