"""Serial ticket printers: python-escpos's ``Serial`` with URLs and bounded waits.

Wiring and units: ``port`` is a device path (``/dev/ttyUSB0``, ``/dev/serial0``)
or any pyserial URL (``socket://host:port``, ``rfc2217://…``); ``baudrate``
(default 9600), 8N1, no hardware flow control. Status replies are read one byte
at a time, so a query costs a round trip, not the whole read timeout
(``timeout_s``, 1 s by default). Each write may take 2 s plus twice its time on
the wire. Raster tickets are ~37 KB: about 38 s at 9600 baud, so prefer USB or
LAN printers.

Imported only when a serial printer is built: it loads pyserial and
python-escpos. Raises library exceptions; the adapter
(:mod:`hardware.printer.escpos`) translates them.
"""

from __future__ import annotations

import serial
from escpos.exceptions import DeviceNotFoundError
from escpos.printer import Serial

__all__ = ["SerialTransport"]


class SerialTransport(Serial):
    """``escpos.printer.Serial`` that opens URLs, reads one byte, bounds writes.

    - ``devfile`` may be a path or any pyserial URL, through ``serial.serial_for_url``.
    - ``_read`` reads 1 byte: status replies are 1 byte, and the stock
      ``read(16)`` always waited the whole timeout (1 s per query, measured).
    - Each write gets a write timeout scaled to its size at the baud rate, so a
      printer holding flow control off cannot block the kiosk forever.

    Args:
        port: Device path or pyserial URL.
        baudrate: Line speed in bits per second.
        timeout_s: Longest wait for a status reply, in seconds.
    """

    def __init__(self, port: str, baudrate: int = 9600, *, timeout_s: float = 1.0) -> None:
        super().__init__(devfile=port, baudrate=baudrate, timeout=timeout_s, dsrdtr=False)

    def open(self, raise_not_found: bool = True) -> None:
        """Open the port.

        Raises:
            DeviceNotFoundError: The port cannot be opened.
        """
        if self._device:
            self.close()
        try:
            self.device = serial.serial_for_url(
                self.devfile,
                baudrate=self.baudrate,
                bytesize=self.bytesize,
                parity=self.parity,
                stopbits=self.stopbits,
                timeout=self.timeout,
                xonxoff=self.xonxoff,
                dsrdtr=self.dsrdtr,
                write_timeout=self._write_timeout_for(4096),
            )
        except (ValueError, serial.SerialException) as err:
            self.device = None
            raise DeviceNotFoundError(f"serial printer {self.devfile}: {err}") from err

    def _write_timeout_for(self, size: int) -> float:
        # 10 bits per byte on the wire (8N1), twice that for slack, plus 2 s.
        return 2.0 + 2 * size * 10 / self.baudrate

    def _port(self) -> serial.Serial:
        port = self.device
        if port is None:  # only after a failed open
            raise DeviceNotFoundError(f"serial printer {self.devfile} is not open")
        return port

    def _raw(self, msg: bytes) -> None:
        port = self._port()
        wanted = self._write_timeout_for(len(msg))
        if port.write_timeout is None or port.write_timeout < wanted:
            port.write_timeout = wanted
        port.write(msg)

    def _read(self) -> bytes:
        return self._port().read(1)

    def drain_input(self) -> None:
        """Drop late replies to earlier queries so they are not taken for new ones."""
        self._port().reset_input_buffer()
