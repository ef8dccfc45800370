"""Thermal ticket printers over python-escpos: USB, serial, network or file.

Wiring and units:

- ``usb``: ``vendor_id``/``product_id`` (ints; ``"0x0416"`` strings accepted).
  Every transfer times out after 1000 ms (python-escpos's default of 0 means
  "forever" in libusb). Reading status needs pyusb to detach ``usblp``; a
  non-root user needs a udev rule giving access to the device.
- ``serial``: ``port`` is a path or a pyserial URL, ``baudrate`` (default 9600,
  8N1, no hardware flow control). Status replies are read 1 byte at a time so a
  query costs a round trip, not the whole 1 s timeout. Raster tickets are ~37 KB:
  about 38 s at 9600 baud, so prefer USB or LAN printers.
- ``network``: ``host`` and TCP port (9100 by default; ``tcp_port``, or ``port``
  as in api.md's example). Connect and send time out after 5 s, status after 1 s.
- ``file``: ``path`` opened for appending, write-only. Status: a regular file
  or FIFO that is still writable is ``ok`` (a spool file has no paper to run out
  of); a character device such as ``/dev/usb/lp0`` is ``unknown`` (``usblp``
  gives no status through write()); a path that vanished or is not writable is
  ``offline``.

Paper: ``paper_mm`` 58 or 80 gives 384 or 576 dots. The python-escpos profile
(default: the library's generic Epson-like profile) is copied and its media
width set to those dots, so the library never prints its "media.width.pixel …
not set" warning to stdout. When a named profile's print head is narrower than
the paper (TM-T88V: 512 dots on 80 mm), ``paper_dots`` is the head's width.
A profile without a cutter (POS-5890, ZJ-5870) gets no ``GS V``: the ticket is
fed out to be torn off (``has_cutter`` is False).

Status uses ``DLE EOT 1`` (online) and ``DLE EOT 4`` (paper sensors). An empty
reply is ``unknown``: python-escpos would call a silent printer "paper OK".
Before each ticket the status is checked (when the transport can read): no
paper raises :class:`PaperOut` and offline raises :class:`DeviceUnavailable`
before a byte is sent, so the kiosk can cancel the ticket.

Devices are opened by :meth:`EscposTicketPrinter.open` at start-up, never
lazily by a first write. After a transport failure the printer is closed; the
next ``print_ticket`` or ``status`` makes one attempt to reconnect (so a
heartbeat's status poll also heals it). A failed write is never resent: part of
the ticket may already be on paper.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hardware.errors import DeviceTimeout, DeviceUnavailable, HardwareError, PaperOut
from hardware.ports import PrinterStatus, TicketPrinter

if TYPE_CHECKING:
    from escpos.escpos import Escpos
    from PIL import Image

__all__ = [
    "PRINTER_KINDS",
    "EscposTicketPrinter",
    "build_printer",
    "open_printer",
    "parse_status",
]

logger = logging.getLogger(__name__)

PRINTER_KINDS = ("usb", "serial", "network", "file", "fake")

QUERY_ONLINE = b"\x10\x04\x01"  # DLE EOT 1: printer status
QUERY_PAPER = b"\x10\x04\x04"  # DLE EOT 4: roll paper sensor status
# Every DLE EOT reply has bits 1 and 4 set and bits 0 and 7 clear.
_FIXED_MASK, _FIXED_BITS = 0x93, 0x12
_OFFLINE_BIT = 0x08  # DLE EOT 1, bit 3
_NEAR_END_BITS = 0x0C  # DLE EOT 4, bits 2-3
_PAPER_END_BITS = 0x60  # DLE EOT 4, bits 5-6

_TIMEOUT_NAMES = frozenset({"SerialTimeoutException", "USBTimeoutError"})


def parse_status(online: bytes, paper: bytes) -> PrinterStatus:
    """Interpret the replies to ``DLE EOT 1`` and ``DLE EOT 4``.

    Empty or malformed replies give ``UNKNOWN``; no paper wins over offline
    (a printer without paper also reports offline), offline over paper low.
    """
    if not online or online[0] & _FIXED_MASK != _FIXED_BITS:
        return PrinterStatus.UNKNOWN
    offline = bool(online[0] & _OFFLINE_BIT)
    if not paper or paper[0] & _FIXED_MASK != _FIXED_BITS:
        return PrinterStatus.OFFLINE if offline else PrinterStatus.UNKNOWN
    if paper[0] & _PAPER_END_BITS:
        return PrinterStatus.PAPER_OUT
    if offline:
        return PrinterStatus.OFFLINE
    if paper[0] & _NEAR_END_BITS:
        return PrinterStatus.PAPER_LOW
    return PrinterStatus.OK


def _translate(err: Exception, what: str) -> HardwareError:
    if isinstance(err, HardwareError):
        return err
    if isinstance(err, TimeoutError) or type(err).__name__ in _TIMEOUT_NAMES:
        return DeviceTimeout(f"{what}: timed out ({err})", device="printer")
    return DeviceUnavailable(f"{what}: {err}", device="printer")


def _device_errors() -> tuple[type[Exception], ...]:
    from escpos.exceptions import Error as EscposError

    # OSError covers SerialException, USBError, socket errors and file errors;
    # ValueError covers pyusb's NoBackendError and bad serial settings.
    return (OSError, ValueError, EscposError)


class EscposTicketPrinter:
    """A :class:`~hardware.ports.TicketPrinter` over a python-escpos transport.

    Build it with :meth:`usb`, :meth:`serial`, :meth:`network`, :meth:`file`, or
    directly around any ``escpos`` printer object (tests use ``Dummy``), then
    call :meth:`open`. Thread-safe: one lock serialises prints and queries.

    Args:
        transport: An ``escpos.escpos.Escpos`` instance, not yet opened.
        paper_mm: 58 or 80.
        profile: python-escpos profile name (e.g. ``"TM-T20II"``), or None.
        name: How logs and errors name the device.
        check_before_print: Query status before each ticket (when readable).
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
        from hardware._escpos_transports import profile_for

        profile_obj, self._dots = profile_for(profile, paper_mm)
        transport.profile = profile_obj
        features = profile_obj.profile_data.get("features", {})
        #: False for profiles without a cutter (POS-5890…): tickets are fed out to tear.
        self.has_cutter = bool(features.get("paperFullCut") or features.get("paperPartCut"))
        self._transport = transport
        self._profile = profile_obj
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
        **kw: Any,
    ) -> EscposTicketPrinter:
        """A USB printer; ``kw`` as the constructor (paper_mm, profile, …)."""
        from hardware._escpos_transports import USB_TIMEOUT_MS, UsbTransport

        transport = UsbTransport(
            vendor_id, product_id, timeout=USB_TIMEOUT_MS, in_ep=in_ep, out_ep=out_ep
        )
        return cls(transport, name=f"usb:{vendor_id:04x}:{product_id:04x}", **kw)

    @classmethod
    def serial(
        cls, port: str, baudrate: int = 9600, *, timeout_s: float = 1.0, **kw: Any
    ) -> EscposTicketPrinter:
        """A serial printer on ``port`` (path or pyserial URL), 8N1, no flow control."""
        from hardware._escpos_transports import SerialTransport

        transport = SerialTransport(
            devfile=port, baudrate=baudrate, timeout=timeout_s, dsrdtr=False
        )
        return cls(transport, name=f"serial:{port}", **kw)

    @classmethod
    def network(
        cls,
        host: str,
        tcp_port: int = 9100,
        *,
        timeout_s: float = 5.0,
        status_timeout_s: float = 1.0,
        **kw: Any,
    ) -> EscposTicketPrinter:
        """A LAN printer (raw TCP, port 9100 by default)."""
        from hardware._escpos_transports import NetworkTransport

        transport = NetworkTransport(host, tcp_port, timeout_s, status_timeout_s)
        return cls(transport, name=f"network:{host}:{tcp_port}", **kw)

    @classmethod
    def file(cls, path: str | os.PathLike[str], **kw: Any) -> EscposTicketPrinter:
        """A write-only printer: a device node (``/dev/usb/lp0``) or a spool file."""
        from hardware._escpos_transports import FileTransport

        return cls(FileTransport(devfile=os.fspath(path)), name=f"file:{path}", **kw)

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
        except _device_errors() as err:
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
            except _device_errors() as err:
                # Never resent: part of the ticket may already be on paper.
                self._close_transport()
                raise _translate(err, f"printing on {self.name}") from err
        logger.debug("printed %d bytes on %s", len(job), self.name)

    def _render_job(self, image: Image.Image) -> bytes:
        # Build the whole job first and send it in one write, so an encoding
        # problem shows before a byte reaches the printer.
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
        if not self._can_read():
            return self._write_only_status()
        try:
            drain = getattr(transport, "drain_input", None)
            if drain is not None:
                drain()
            online = transport.query_status(QUERY_ONLINE)
            if not online:
                return PrinterStatus.UNKNOWN
            paper = transport.query_status(QUERY_PAPER)
        except NotImplementedError:
            return self._write_only_status()
        except _device_errors() as err:
            logger.warning("status query on %s failed: %s", self.name, err)
            self._close_transport()
            return PrinterStatus.OFFLINE
        return parse_status(bytes(online), bytes(paper))

    def _can_read(self) -> bool:
        from escpos.escpos import Escpos

        # Escpos._read raises NotImplementedError; asking first keeps status
        # queries out of write-only streams (spool files, Dummy output).
        return type(self._transport)._read is not Escpos._read

    def _write_only_status(self) -> PrinterStatus:
        devfile = getattr(self._transport, "devfile", None)
        is_node = getattr(self._transport, "is_device_node", None)
        if devfile is None or is_node is None or is_node():
            return PrinterStatus.UNKNOWN
        path = Path(devfile)
        if path.exists() and os.access(path, os.W_OK):
            return PrinterStatus.OK
        return PrinterStatus.OFFLINE

    def close(self) -> None:
        """Close the transport; no reconnecting until :meth:`open`. Idempotent."""
        with self._lock:
            self._wanted_open = False
            self._close_transport()

    def _close_transport(self) -> None:
        self._is_open = False
        try:
            self._transport.close()
        except _device_errors() as err:
            logger.debug("closing %s: %s", self.name, err)


_COMMON = ("paper_mm", "profile", "check_status")
_PARAMS: Mapping[str, tuple[str, ...]] = {
    "usb": ("vendor_id", "product_id", "in_ep", "out_ep", *_COMMON),
    "serial": ("port", "baudrate", *_COMMON),
    "network": ("host", "tcp_port", "port", *_COMMON),
    "file": ("path", *_COMMON),
    "fake": ("out_dir", *_COMMON),
}
_REQUIRED: Mapping[str, tuple[str, ...]] = {
    "usb": ("vendor_id", "product_id"),
    "serial": ("port",),
    "network": ("host",),
    "file": ("path",),
    "fake": (),
}


def _as_int(value: Any, key: str) -> int:
    try:
        return int(value, 0) if isinstance(value, str) else int(value)
    except (TypeError, ValueError) as err:
        raise ValueError(f"printer {key} must be an integer, not {value!r}") from err


def build_printer(kind: str, **params: Any) -> TicketPrinter:
    """Build a printer from plain config values, without opening it.

    Args:
        kind: One of ``usb``, ``serial``, ``network``, ``file``, ``fake``.
        **params: ``path``, ``vendor_id``, ``product_id``, ``in_ep``, ``out_ep``,
            ``port``, ``baudrate``, ``host``, ``tcp_port``, ``paper_mm`` (58/80,
            default 80), ``profile``, ``check_status`` (default True: query
            status before each ticket; set False for a printer that never
            answers, which otherwise costs one timeout per ticket, knowing
            that a dropped network connection then goes unnoticed), ``out_dir``
            (fake), as the kind needs.

    Raises:
        ValueError: Unknown kind, a parameter the kind does not take, a missing
            or malformed one. The message names them.
    """
    if kind not in _PARAMS:
        raise ValueError(f"unknown printer kind {kind!r}: expected one of {', '.join(_PARAMS)}")
    extra = sorted(set(params) - set(_PARAMS[kind]))
    if extra:
        raise ValueError(
            f"printer kind {kind!r} does not take {', '.join(extra)}; "
            f"it takes {', '.join(_PARAMS[kind])}"
        )
    missing = [key for key in _REQUIRED[kind] if params.get(key) in (None, "")]
    if missing:
        raise ValueError(f"printer kind {kind!r} needs {', '.join(missing)}")
    common: dict[str, Any] = {"paper_mm": _as_int(params.get("paper_mm", 80), "paper_mm")}
    if kind == "fake":
        from hardware.fakes import FakeTicketPrinter

        return FakeTicketPrinter(paper_mm=common["paper_mm"], out_dir=params.get("out_dir"))
    common["profile"] = params.get("profile")
    common["check_before_print"] = bool(params.get("check_status", True))
    if kind == "usb":
        return EscposTicketPrinter.usb(
            _as_int(params["vendor_id"], "vendor_id"),
            _as_int(params["product_id"], "product_id"),
            in_ep=_as_int(params.get("in_ep", 0x82), "in_ep"),
            out_ep=_as_int(params.get("out_ep", 0x01), "out_ep"),
            **common,
        )
    if kind == "serial":
        baudrate = _as_int(params.get("baudrate", 9600), "baudrate")
        return EscposTicketPrinter.serial(str(params["port"]), baudrate, **common)
    if kind == "network":
        tcp_port = params.get("tcp_port", params.get("port", 9100))
        return EscposTicketPrinter.network(
            str(params["host"]), _as_int(tcp_port, "tcp_port"), **common
        )
    return EscposTicketPrinter.file(str(params["path"]), **common)


def open_printer(kind: str, **params: Any) -> TicketPrinter:
    """Build a printer as :func:`build_printer` does, then open it.

    Raises:
        ValueError: Bad kind or parameters.
        DeviceUnavailable: The printer cannot be opened.
    """
    printer = build_printer(kind, **params)
    printer.open()
    return printer
