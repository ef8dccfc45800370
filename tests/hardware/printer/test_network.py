"""Network printers on a TCP socket of 127.0.0.1 (:mod:`hardware.printer.network`)."""

from __future__ import annotations

import pytest

from hardware.errors import DeviceUnavailable
from hardware.ports import PrinterStatus
from hardware.printer import open_printer
from tests.hardware.printer.support import CUT, ticket
from tests.support.escpos_decode import decode_tickets


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
