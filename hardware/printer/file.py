"""File ticket printers: a device node (``/dev/usb/lp0``) or a spool file.

Wiring: ``path`` is opened for appending, write-only. Nothing can be read back,
so status comes from the path itself: a regular file or FIFO that is still
writable is ``ok`` (a spool file has no paper to run out of); a character
device such as ``/dev/usb/lp0`` is ``unknown`` (``usblp`` gives no status
through write()); a path that vanished or is not writable is ``offline``.

Imported only when a file printer is built: it loads python-escpos, and never
pyserial or pyusb. Raises library exceptions; the adapter
(:mod:`hardware.printer.escpos`) translates them.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from escpos.exceptions import DeviceNotFoundError
from escpos.printer import File

from hardware.ports import PrinterStatus

__all__ = ["FileTransport"]


class FileTransport(File):
    """``escpos.printer.File`` that appends instead of truncating.

    Re-opening after a fault must not erase what a spool file already holds;
    for a device node (``/dev/usb/lp0``) appending changes nothing.

    Args:
        path: The device node or spool file.
    """

    def __init__(self, path: str) -> None:
        super().__init__(devfile=path)

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

    def path_status(self) -> PrinterStatus:
        """What the path says (see the module doc): ``unknown``, ``ok`` or ``offline``."""
        if self.is_device_node():
            return PrinterStatus.UNKNOWN
        path = Path(self.devfile)
        if path.exists() and os.access(path, os.W_OK):
            return PrinterStatus.OK
        return PrinterStatus.OFFLINE
