"""The ticket printer adapter over python-escpos: raster job, cut, status, errors.

:class:`EscposTicketPrinter` is the :class:`~hardware.ports.TicketPrinter` of
every real printer; its transport (one module each: :mod:`~hardware.printer.usb`,
:mod:`~hardware.printer.serial`, :mod:`~hardware.printer.network`,
:mod:`~hardware.printer.file`) says how the bytes travel and documents its
wiring and units. Paper width and cutter come from the python-escpos profile
(:mod:`~hardware.printer.profile`): ``paper_mm`` 58 or 80 is 384 or 576 dots,
and a profile without a cutter (POS-5890) gets no ``GS V``: the ticket is fed
out to be torn off (``has_cutter`` is False).

A ticket is one job, built whole before a byte is sent: ``ESC @``, the image
as ``GS v 0`` raster (1 bit per dot, black prints), then ``GS V`` (cut).

Status uses ``DLE EOT 1`` and ``DLE EOT 4`` (:mod:`~hardware.printer.status`).
Before each ticket the status is checked (when the transport can read): no
paper raises :class:`~hardware.errors.PaperOut` and offline raises
:class:`~hardware.errors.DeviceUnavailable` before a byte is sent, so the kiosk
can cancel the ticket. A write-only transport asks its path
(:meth:`~hardware.printer.file.FileTransport.path_status`).

Devices are opened by :meth:`EscposTicketPrinter.open` at start-up, never
lazily by a first write. After a transport failure the printer is closed; the
next ``print_ticket`` or ``status`` makes one attempt to reconnect (so a
heartbeat's status poll also heals it). A failed write is never resent: part of
the ticket may already be on paper.

Errors: every library exception (python-escpos, pyserial, pyusb, sockets,
files) is translated here with ``raise … from err``: a timeout becomes
:class:`~hardware.errors.DeviceTimeout`, anything else
:class:`~hardware.errors.DeviceUnavailable`.

python-escpos is imported inside the methods that need it, so that importing
this module (as :func:`hardware.printer.build_printer` does for a fake printer)
does not load it.
"""

from __future__ import annotations

import logging
import os
import threading
from typing import TYPE_CHECKING, Protocol, TypedDict, Unpack, runtime_checkable

from hardware.errors import DeviceTimeout, DeviceUnavailable, HardwareError, PaperOut
from hardware.ports import PrinterStatus
from hardware.printer.status import QUERY_ONLINE, QUERY_PAPER, parse_status

if TYPE_CHECKING:
    from escpos.capabilities import BaseProfile
    from escpos.escpos import Escpos
    from PIL import Image

__all__ = ["EscposTicketPrinter", "PrinterOptions"]

logger = logging.getLogger(__name__)

# pyserial's and pyusb's timeouts, matched by name so that neither is imported here.
_TIMEOUT_NAMES = frozenset({"SerialTimeoutException", "USBTimeoutError"})


class PrinterOptions(TypedDict, total=False):
    """The constructor's options that every transport shares."""

    paper_mm: int
    profile: str | None
    check_before_print: bool


@runtime_checkable
class _DrainsInput(Protocol):
    """A transport that can drop late status replies before asking again."""

    def drain_input(self) -> None: ...


@runtime_checkable
class _KnowsItsPath(Protocol):
    """A write-only transport that reads its status from its path."""

    def path_status(self) -> PrinterStatus: ...


def _translate(err: Exception, what: str) -> HardwareError:
    if isinstance(err, HardwareError):
        return err
    if isinstance(err, TimeoutError) or type(err).__name__ in _TIMEOUT_NAMES:
        return DeviceTimeout(f"{what}: timed out ({err})", device="printer")
    return DeviceUnavailable(f"{what}: {err}", device="printer")


class EscposTicketPrinter:
    """A :class:`~hardware.ports.TicketPrinter` over a python-escpos transport.

    Build it with :meth:`usb`, :meth:`serial`, :meth:`network`, :meth:`file`, or
    directly around any ``escpos`` printer object (tests use ``Dummy``), then
    call :meth:`open`. Thread-safe: one lock serialises prints and queries.

    Args:
        transport: An ``escpos.escpos.Escpos`` instance, not yet opened.
        paper_mm: Paper width in millimetres, 58 or 80.
        profile: python-escpos profile name (e.g. ``"TM-T20II"``), or None.
        name: How logs and errors name the device.
        check_before_print: Query status before each ticket (when readable).

    Raises:
        ValueError: Paper other than 58/80 mm, or an unknown profile name.
    """

    def __init__(
        self,
        transport: Escpos,
        *,
        paper_mm: int = 80,
        profile: str | None = None,
        name: str = "printer",
        check_before_print: bool = True,
    ) -> None:
        # why: python-escpos loads here, once a real printer is built, never for a fake one
        from escpos.escpos import Escpos
        from escpos.exceptions import Error as EscposError

        from hardware.printer.profile import has_cutter, profile_for

        profile_obj, self._dots = profile_for(profile, paper_mm)
        transport.profile = profile_obj
        #: False for profiles without a cutter (POS-5890…): tickets are fed out to tear.
        self.has_cutter = has_cutter(profile_obj)
        self._transport = transport
        self._profile: BaseProfile = profile_obj
        # OSError covers SerialException, USBError, socket errors and file errors;
        # ValueError covers pyusb's NoBackendError and bad serial settings.
        self._device_errors: tuple[type[Exception], ...] = (OSError, ValueError, EscposError)
        # Escpos._read raises NotImplementedError; asking first keeps status
        # queries out of write-only streams (spool files, Dummy output).
        self._can_read = type(transport)._read is not Escpos._read
        self.name = name
        self._check_before_print = check_before_print
        self._lock = threading.RLock()
        self._is_open = False
        self._wanted_open = False  # open() was called and close() was not

    @classmethod
    def usb(
        cls,
        vendor_id: int,
        product_id: int,
        *,
        in_ep: int = 0x82,
        out_ep: int = 0x01,
        **options: Unpack[PrinterOptions],
    ) -> EscposTicketPrinter:
        """A USB printer (see :mod:`hardware.printer.usb`); ``options`` as the constructor's."""
        # why: pyusb loads only for a USB printer
        from hardware.printer.usb import UsbTransport

        transport = UsbTransport(vendor_id, product_id, in_ep=in_ep, out_ep=out_ep)
        return cls(transport, name=f"usb:{vendor_id:04x}:{product_id:04x}", **options)

    @classmethod
    def serial(
        cls,
        port: str,
        baudrate: int = 9600,
        *,
        timeout_s: float = 1.0,
        **options: Unpack[PrinterOptions],
    ) -> EscposTicketPrinter:
        """A serial printer on ``port`` (path or pyserial URL), 8N1, no flow control.

        See :mod:`hardware.printer.serial`; ``options`` as the constructor's.
        """
        # why: pyserial loads only for a serial printer
        from hardware.printer.serial import SerialTransport

        transport = SerialTransport(port, baudrate, timeout_s=timeout_s)
        return cls(transport, name=f"serial:{port}", **options)

    @classmethod
    def network(
        cls,
        host: str,
        tcp_port: int = 9100,
        *,
        timeout_s: float = 5.0,
        status_timeout_s: float = 1.0,
        **options: Unpack[PrinterOptions],
    ) -> EscposTicketPrinter:
        """A LAN printer, raw TCP (see :mod:`hardware.printer.network`).

        ``options`` as the constructor's.
        """
        # why: python-escpos loads only for a real printer
        from hardware.printer.network import NetworkTransport

        transport = NetworkTransport(host, tcp_port, timeout_s, status_timeout_s)
        return cls(transport, name=f"network:{host}:{tcp_port}", **options)

    @classmethod
    def file(
        cls, path: str | os.PathLike[str], **options: Unpack[PrinterOptions]
    ) -> EscposTicketPrinter:
        """A write-only printer: a device node (``/dev/usb/lp0``) or a spool file.

        See :mod:`hardware.printer.file`; ``options`` as the constructor's.
        """
        # why: python-escpos loads only for a real printer
        from hardware.printer.file import FileTransport

        return cls(FileTransport(os.fspath(path)), name=f"file:{path}", **options)

    @property
    def paper_dots(self) -> int:
        """Image width in dots: 384 (58 mm) or 576 (80 mm), or a narrower head's."""
        return self._dots

    @property
    def transport(self) -> Escpos:
        """The python-escpos object underneath (for diagnostics and tests)."""
        return self._transport

    @property
    def is_open(self) -> bool:
        """True while the transport is open (False after a failure until reconnected)."""
        return self._is_open

    def open(self) -> None:
        """Open the transport and query the printer once.

        From then on (until :meth:`close`), a printer that lost its transport
        tries to reconnect once at the start of each ``print_ticket`` or
        ``status`` call: network printers drop idle connections, USB and serial
        adapters get replugged.

        Raises:
            DeviceUnavailable: The transport cannot be opened.
        """
        with self._lock:
            self._wanted_open = True
            self._open_locked()
            status = self._status_locked(reconnect=False)
            if not self._is_open:
                raise DeviceUnavailable(f"{self.name} failed right after opening", device="printer")
            log = logger.warning if status is not PrinterStatus.OK else logger.info
            log("printer %s opened, status %s", self.name, status.value)
            if not self.has_cutter:
                logger.info("printer %s: profile has no cutter, tickets are torn off", self.name)

    def _open_locked(self) -> None:
        self._close_transport()
        try:
            self._transport.open()
        except self._device_errors as err:
            message = f"cannot open {self.name}: {err}"
            raise DeviceUnavailable(message, device="printer") from err
        self._is_open = True

    def _reconnect_locked(self) -> None:
        """Reopen a printer that lost its transport; raise if that is impossible."""
        if not self._wanted_open:
            raise DeviceUnavailable(f"{self.name} is not open", device="printer")
        logger.info("printer %s: reconnecting", self.name)
        self._open_locked()

    def print_ticket(self, image: Image.Image) -> None:
        """Print ``image`` as a ``GS v 0`` raster, feed and cut (see :class:`TicketPrinter`)."""
        if image.width > self._dots:
            raise ValueError(f"ticket image is {image.width} dots wide, paper takes {self._dots}")
        job = self._render_job(image)
        with self._lock:
            if not self._is_open:
                self._reconnect_locked()
            if self._check_before_print:
                status = self._status_locked(reconnect=True)
                if status is PrinterStatus.PAPER_OUT:
                    raise PaperOut(f"{self.name} has no paper", device="printer")
                if status is PrinterStatus.OFFLINE:
                    raise DeviceUnavailable(f"{self.name} is offline", device="printer")
            try:
                self._transport._raw(job)
            except self._device_errors as err:
                # Never resent: part of the ticket may already be on paper.
                self._close_transport()
                raise _translate(err, f"printing on {self.name}") from err
        logger.debug("printed %d bytes on %s", len(job), self.name)

    def _render_job(self, image: Image.Image) -> bytes:
        # Build the whole job first and send it in one write, so an encoding
        # problem shows before a byte reaches the printer.
        # why: python-escpos stays out of module scope, which fake printers import too
        from escpos.exceptions import Error as EscposError
        from escpos.printer import Dummy

        buf = Dummy()
        buf.profile = self._profile
        try:
            buf.hw("INIT")
            buf.image(image, impl="bitImageRaster")
            buf.cut()
        except EscposError as err:
            raise ValueError(f"cannot encode ticket image: {err}") from err
        return buf.output

    def status(self) -> PrinterStatus:
        """Query ``DLE EOT 1`` and ``DLE EOT 4``; never raises (see module doc)."""
        with self._lock:
            return self._status_locked(reconnect=True)

    def _status_locked(self, *, reconnect: bool) -> PrinterStatus:
        status = self._query_locked()
        if reconnect and not self._is_open and self._wanted_open:
            # The link was found dead (or was already): one fresh connection.
            try:
                self._reconnect_locked()
            except DeviceUnavailable as err:
                logger.debug("%s", err)
                return PrinterStatus.OFFLINE
            status = self._query_locked()
        return status

    def _query_locked(self) -> PrinterStatus:
        if not self._is_open:
            return PrinterStatus.OFFLINE
        transport = self._transport
        if not self._can_read:
            return self._write_only_status()
        try:
            if isinstance(transport, _DrainsInput):
                transport.drain_input()
            online = transport.query_status(QUERY_ONLINE)
            if not online:
                return PrinterStatus.UNKNOWN
            paper = transport.query_status(QUERY_PAPER)
        except NotImplementedError:
            return self._write_only_status()
        except self._device_errors as err:
            logger.warning("status query on %s failed: %s", self.name, err)
            self._close_transport()
            return PrinterStatus.OFFLINE
        return parse_status(bytes(online), bytes(paper))

    def _write_only_status(self) -> PrinterStatus:
        if isinstance(self._transport, _KnowsItsPath):
            return self._transport.path_status()
        return PrinterStatus.UNKNOWN

    def close(self) -> None:
        """Close the transport; no reconnecting until :meth:`open`. Idempotent."""
        with self._lock:
            self._wanted_open = False
            self._close_transport()

    def _close_transport(self) -> None:
        self._is_open = False
        try:
            self._transport.close()
        except self._device_errors as err:
            logger.debug("closing %s: %s", self.name, err)
