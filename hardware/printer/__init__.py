"""Thermal ticket printers over python-escpos: USB, serial, network or file.

One module a part, as python-escpos lays out ``escpos.printer``:

- :mod:`hardware.printer.escpos`: :class:`EscposTicketPrinter`, the adapter
  (raster job, cut, status checks, reconnecting, error translation);
- :mod:`hardware.printer.usb`, :mod:`hardware.printer.serial`,
  :mod:`hardware.printer.network`, :mod:`hardware.printer.file`: one transport
  each, with its wiring and units;
- :mod:`hardware.printer.profile`: the python-escpos profile fitted to the paper;
- :mod:`hardware.printer.status`: the ``DLE EOT`` queries and :func:`parse_status`;
- :mod:`hardware.printer.build`: :func:`build_printer` and :func:`open_printer`
  from configuration values.

Importing this package loads no device library: python-escpos loads when a
real printer is built, pyusb only for a USB printer and pyserial only for a
serial one.
"""

from hardware.printer.build import PRINTER_KINDS, build_printer, open_printer
from hardware.printer.escpos import EscposTicketPrinter
from hardware.printer.status import parse_status

__all__ = [
    "PRINTER_KINDS",
    "EscposTicketPrinter",
    "build_printer",
    "open_printer",
    "parse_status",
]
