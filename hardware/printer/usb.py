"""USB ticket printers: python-escpos's ``Usb`` with bounded transfers.

Wiring and units: the printer's ``vendor_id``/``product_id`` (``lsusb``; ints,
``"0x0416"`` strings accepted by :func:`hardware.printer.build_printer`) and its
bulk endpoints ``in_ep`` (0x82) and ``out_ep`` (0x01). Every transfer times out
after :data:`USB_TIMEOUT_MS` milliseconds: python-escpos's default of 0 means
"wait forever" in libusb, and an unplugged printer would hang the kiosk.
Reading status needs pyusb to detach the kernel's ``usblp`` driver; a non-root
user needs a udev rule giving access to the device.

Imported only when a USB printer is built: it loads pyusb and python-escpos.
Like every transport, it raises library exceptions; the adapter
(:mod:`hardware.printer.escpos`) translates them.
"""

from __future__ import annotations

import usb.core
from escpos.exceptions import DeviceNotFoundError
from escpos.printer import Usb

__all__ = ["USB_TIMEOUT_MS", "UsbTransport"]

#: pyusb's timeout for every transfer, in milliseconds.
USB_TIMEOUT_MS = 1000


class UsbTransport(Usb):
    """``escpos.printer.Usb`` with a bounded read and an open without ``assert``.

    Args:
        vendor_id: USB vendor id.
        product_id: USB product id.
        in_ep: Bulk IN endpoint (status replies).
        out_ep: Bulk OUT endpoint (the job).
        timeout_ms: Longest wait of one transfer.
    """

    def __init__(
        self,
        vendor_id: int,
        product_id: int,
        *,
        in_ep: int = 0x82,
        out_ep: int = 0x01,
        timeout_ms: int = USB_TIMEOUT_MS,
    ) -> None:
        super().__init__(vendor_id, product_id, timeout=timeout_ms, in_ep=in_ep, out_ep=out_ep)

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
        device = self.device
        if device is None:  # only after a failed open
            raise DeviceNotFoundError(f"USB printer {tuple(self.usb_args.values())} is not open")
        try:
            return bytes(device.read(self.in_ep, 16, self.timeout))
        except usb.core.USBTimeoutError:
            return b""  # silent printer: the adapter reports "unknown"

    def drain_input(self) -> None:
        """Nothing to drain: USB status replies are answers to one transfer."""
