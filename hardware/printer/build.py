"""Printers from plain configuration values: :func:`build_printer`, :func:`open_printer`.

Each kind takes its own keys (the wiring and units are in its transport's
module) plus the common ``paper_mm`` (58/80, default 80), ``profile`` and
``check_status``:

- ``usb``: ``vendor_id``, ``product_id`` (ints or ``"0x0416"`` strings),
  ``in_ep``, ``out_ep``;
- ``serial``: ``port`` (path or pyserial URL), ``baudrate``;
- ``network``: ``host``, and ``tcp_port`` (or ``port``, as in api.md's
  example; default 9100);
- ``file``: ``path``;
- ``fake``: ``out_dir`` (a :class:`~hardware.fakes.FakeTicketPrinter` writing
  PNGs; no device library is loaded).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import SupportsInt

from hardware.fakes import FakeTicketPrinter
from hardware.ports import TicketPrinter
from hardware.printer.escpos import EscposTicketPrinter, PrinterOptions

__all__ = ["PRINTER_KINDS", "build_printer", "open_printer"]

PRINTER_KINDS = ("usb", "serial", "network", "file", "fake")

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


def _as_int(value: object, key: str) -> int:
    problem = f"printer {key} must be an integer, not {value!r}"
    try:
        if isinstance(value, str):
            return int(value, 0)
        if isinstance(value, SupportsInt):
            return int(value)
    except (TypeError, ValueError) as err:
        raise ValueError(problem) from err
    raise ValueError(problem)


def _check(kind: str, params: Mapping[str, object]) -> None:
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


def build_printer(kind: str, **params: object) -> TicketPrinter:
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

    Returns:
        An :class:`~hardware.printer.escpos.EscposTicketPrinter`, or a
        :class:`~hardware.fakes.FakeTicketPrinter` for ``fake``.

    Raises:
        ValueError: Unknown kind, a parameter the kind does not take, a missing
            or malformed one. The message names them.
    """
    _check(kind, params)
    paper_mm = _as_int(params.get("paper_mm", 80), "paper_mm")
    if kind == "fake":
        out_dir = params.get("out_dir")
        if out_dir is not None and not isinstance(out_dir, str | os.PathLike):
            raise ValueError(f"printer out_dir must be a path, not {out_dir!r}")
        return FakeTicketPrinter(paper_mm=paper_mm, out_dir=out_dir)
    profile = params.get("profile")
    options: PrinterOptions = {
        "paper_mm": paper_mm,
        "profile": None if profile is None else str(profile),
        "check_before_print": bool(params.get("check_status", True)),
    }
    if kind == "usb":
        return EscposTicketPrinter.usb(
            _as_int(params["vendor_id"], "vendor_id"),
            _as_int(params["product_id"], "product_id"),
            in_ep=_as_int(params.get("in_ep", 0x82), "in_ep"),
            out_ep=_as_int(params.get("out_ep", 0x01), "out_ep"),
            **options,
        )
    if kind == "serial":
        baudrate = _as_int(params.get("baudrate", 9600), "baudrate")
        return EscposTicketPrinter.serial(str(params["port"]), baudrate, **options)
    if kind == "network":
        tcp_port = params.get("tcp_port", params.get("port", 9100))
        return EscposTicketPrinter.network(
            str(params["host"]), _as_int(tcp_port, "tcp_port"), **options
        )
    return EscposTicketPrinter.file(str(params["path"]), **options)


def open_printer(kind: str, **params: object) -> TicketPrinter:
    """Build a printer as :func:`build_printer` does, then open it.

    Raises:
        ValueError: Bad kind or parameters.
        DeviceUnavailable: The printer cannot be opened.
    """
    printer = build_printer(kind, **params)
    printer.open()
    return printer
