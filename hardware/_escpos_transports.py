"""python-escpos transports with the pitfalls of ``hardware.md`` fixed.

Private to :mod:`hardware.printer`, which imports this module only when a real
printer is built, so that python-escpos (which calls ``logging.basicConfig()``
and creates a temporary directory at import) stays out of processes that use
fakes. Every class here still raises library exceptions; the adapter translates.
"""

from __future__ import annotations

import difflib
import logging
import os
import socket
import stat
from typing import Any

import serial
import usb.core
from escpos.capabilities import CAPABILITIES, get_profile_class
from escpos.exceptions import DeviceNotFoundError
from escpos.printer import File, Network, Serial, Usb

from hardware.ports import PAPER_DOTS

logger = logging.getLogger(__name__)

#: pyusb's timeout for every transfer. python-escpos defaults to 0, which libusb
#: takes as "wait forever": an unplugged printer would hang the kiosk.
USB_TIMEOUT_MS = 1000


def profile_for(name: str | None, paper_mm: int) -> tuple[Any, int]:
    """A private copy of an escpos profile with its media width set, and the dots.

    Raises:
        ValueError: Paper other than 58/80 mm, or an unknown profile name.
    """
    if paper_mm not in PAPER_DOTS:
        raise ValueError(f"paper_mm must be one of {sorted(PAPER_DOTS)}, not {paper_mm!r}")
    dots = PAPER_DOTS[paper_mm]
    profile_name = name or "default"
    if profile_name not in CAPABILITIES["profiles"]:
        close = difflib.get_close_matches(profile_name, CAPABILITIES["profiles"], n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise ValueError(f"unknown printer profile {profile_name!r}{hint}")
    cls = get_profile_class(profile_name)
    # Deep-copy the two levels we change: the class data is the library's shared table.
    data = dict(cls.profile_data)
    media = dict(data.get("media", {}))
    width = dict(media.get("width", {}))
    head = width.get("pixels")
    if isinstance(head, int) and head < dots:
        dots = head
    width["pixels"] = dots
    media["width"] = width
    data["media"] = media
    profile = cls()
    profile.profile_data = data
    return profile, dots


class UsbTransport(Usb):
    """``escpos.printer.Usb`` with a bounded read and an open without ``assert``."""

    def open(self, raise_not_found: bool = True) -> None:
        """Find the device, detach ``usblp`` and configure it.

        Raises:
            DeviceNotFoundError: No such device, no libusb backend, or no access.
        """
        if self._device:
            self.close()
        ids = tuple(self.usb_args.values())
        try:
            device = usb.core.find(**self.usb_args)
        except (usb.core.USBError, usb.core.NoBackendError) as err:
            raise DeviceNotFoundError(f"USB printer {ids}: {err}") from err
        if device is None:
            raise DeviceNotFoundError(f"USB printer {ids} not found or cable not plugged in")
        self.device = device
        try:
            self._check_driver()
            self._configure_usb()
        except usb.core.USBError as err:
            self.device = None
            raise DeviceNotFoundError(f"USB printer {ids}: {err}") from err

    def _read(self) -> bytes:
        try:
            return bytes(self.device.read(self.in_ep, 16, self.timeout))
        except usb.core.USBTimeoutError:
            return b""  # silent printer: the adapter reports "unknown"

    def drain_input(self) -> None:
        """Nothing to drain: USB status replies are answers to one transfer."""


class SerialTransport(Serial):
    """``escpos.printer.Serial`` that opens URLs, reads one byte, bounds writes.

    - ``devfile`` may be a path or any pyserial URL (``socket://host:port``,
      ``rfc2217://…``), through ``serial.serial_for_url``.
    - ``_read`` reads 1 byte: status replies are 1 byte, and the stock
      ``read(16)`` always waited the whole timeout (1 s per query, measured).
    - Each write gets a write timeout scaled to its size at the baud rate, so a
      printer holding flow control off cannot block the kiosk forever.
    """

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

    def _raw(self, msg: bytes) -> None:
        port = self.device
        wanted = self._write_timeout_for(len(msg))
        if port.write_timeout is None or port.write_timeout < wanted:
            port.write_timeout = wanted
        port.write(msg)

    def _read(self) -> bytes:
        return self.device.read(1)

    def drain_input(self) -> None:
        """Drop late replies to earlier queries so they are not taken for new ones."""
        self.device.reset_input_buffer()


class NetworkTransport(Network):
    """``escpos.printer.Network`` whose status read waits ``status_timeout`` only.

    The socket timeout (``timeout``) bounds connect and send; reads use the
    shorter ``status_timeout``. A closed connection is an error, not silence.
    """

    def __init__(self, host: str, port: int, timeout: float, status_timeout: float, **kw) -> None:
        super().__init__(host=host, port=port, timeout=timeout, **kw)
        self.status_timeout = status_timeout

    def open(self, raise_not_found: bool = True) -> None:
        """Connect; unlike the stock open, a refused connection leaks no socket.

        Raises:
            DeviceNotFoundError: The connection failed.
        """
        if self._device:
            self.close()
        try:
            self.device = socket.create_connection((self.host, self.port), timeout=self.timeout)
        except OSError as err:
            self.device = None
            raise DeviceNotFoundError(f"network printer {self.host}:{self.port}: {err}") from err

    def _read(self) -> bytes:
        sock: socket.socket = self.device
        sock.settimeout(self.status_timeout)
        try:
            data = sock.recv(16)
        except TimeoutError:
            return b""
        finally:
            sock.settimeout(self.timeout)
        if not data:
            raise ConnectionResetError(f"printer {self.host}:{self.port} closed the connection")
        return data

    def drain_input(self) -> None:
        """Drop late replies to earlier queries."""
        sock: socket.socket = self.device
        sock.setblocking(False)
        try:
            while True:
                if not sock.recv(256):
                    raise ConnectionResetError(f"printer {self.host} closed the connection")
        except BlockingIOError:
            pass
        finally:
            sock.settimeout(self.timeout)


class FileTransport(File):
    """``escpos.printer.File`` that appends instead of truncating.

    Re-opening after a fault must not erase what a spool file already holds;
    for a device node (``/dev/usb/lp0``) appending changes nothing.
    """

    def open(self, raise_not_found: bool = True) -> None:
        """Open the file or device node for appending.

        Raises:
            DeviceNotFoundError: It cannot be opened for writing.
        """
        if self._device:
            self.close()
        try:
            self.device = open(self.devfile, "ab")  # noqa: SIM115 - kept open by design
        except OSError as err:
            self.device = None
            raise DeviceNotFoundError(f"file printer {self.devfile}: {err}") from err

    def is_device_node(self) -> bool:
        """True when the path is a character device (a real printer via usblp)."""
        try:
            return stat.S_ISCHR(os.stat(self.devfile).st_mode)
        except OSError:
            return False
