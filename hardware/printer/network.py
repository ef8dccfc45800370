"""LAN ticket printers: python-escpos's ``Network`` with a short status wait.

Wiring and units: ``host`` and the printer's raw TCP port (9100 by default).
Connecting and sending time out after ``timeout`` seconds (5 s from the
adapter), a status reply after ``status_timeout`` seconds (1 s). Printers drop
idle connections: a closed connection is an error, so the adapter reconnects.

Imported only when a network printer is built: it loads python-escpos. Raises
library and socket exceptions; the adapter (:mod:`hardware.printer.escpos`)
translates them.
"""

from __future__ import annotations

import socket

from escpos.exceptions import DeviceNotFoundError
from escpos.printer import Network

__all__ = ["NetworkTransport"]


class NetworkTransport(Network):
    """``escpos.printer.Network`` whose status read waits ``status_timeout`` only.

    The socket timeout (``timeout``) bounds connect and send; reads use the
    shorter ``status_timeout``. A closed connection is an error, not silence.

    Args:
        host: Name or address of the printer.
        port: Its raw TCP port.
        timeout: Seconds a connect or a send may take.
        status_timeout: Seconds to wait for a status reply.
    """

    def __init__(self, host: str, port: int, timeout: float, status_timeout: float) -> None:
        super().__init__(host=host, port=port, timeout=timeout)
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

    def _socket(self) -> socket.socket:
        sock = self.device
        if sock is None:  # only after a failed open
            raise DeviceNotFoundError(f"network printer {self.host}:{self.port} is not open")
        return sock

    def _read(self) -> bytes:
        sock = self._socket()
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
        sock = self._socket()
        sock.setblocking(False)
        try:
            while True:
                if not sock.recv(256):
                    raise ConnectionResetError(f"printer {self.host} closed the connection")
        except BlockingIOError:
            pass
        finally:
            sock.settimeout(self.timeout)
