"""Decode ESC/POS byte streams back into events, for the tests.

The tests assert on what a printer would receive (raster header, width, pixels,
cut) and turn the bytes a ``file`` printer or python-escpos's ``Dummy`` got back
into images (:func:`decode_tickets`) or PNG files (:func:`write_ticket_pngs`).
It knows every command python-escpos emits for text, images, QR codes, barcodes
and cuts; anything else is a :class:`DecodeError` naming the offset. Decoding is
one pass that always advances and checks every length against the bytes left,
so bad input can never make it hang or read past the end.

Raster images come back as mode ``"1"`` Pillow images, black (0) where the
printer would burn a dot, ``width_bytes * 8`` dots wide (ESC/POS pads each row
to a whole byte).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeAlias

from PIL import Image

__all__ = [
    "Code2D",
    "Command",
    "Cut",
    "DecodeError",
    "Event",
    "Init",
    "Raster",
    "StatusQuery",
    "Text",
    "decode",
    "decode_tickets",
    "raster_image",
    "write_ticket_pngs",
]

ESC, GS, DLE, FS = 0x1B, 0x1D, 0x10, 0x1C
EOT, ENQ = 0x04, 0x05
_TEXT_CONTROLS = frozenset(b"\n\r\t\x0c")

# Fixed-length commands: the byte after ESC/GS/FS → number of argument bytes.
_ESC_FIXED = {
    b"t": 1, b"a": 1, b"E": 1, b"-": 1, b"!": 1, b"M": 1, b"d": 1, b"J": 1, b"2": 0,
    b"3": 1, b"G": 1, b"{": 1, b"V": 1, b"r": 1, b"R": 1, b" ": 1, b"p": 3, b"c": 2,
    b"$": 2, b"\\": 2, b"e": 1, b"U": 1, b"T": 1, b"L": 0, b"S": 0, b"i": 0, b"m": 0,
}  # fmt: skip
_GS_FIXED = {
    b"!": 1, b"B": 1, b"h": 1, b"w": 1, b"f": 1, b"H": 1, b"L": 2, b"W": 2, b"b": 1,
    b"a": 1, b"r": 1, b"I": 1, b"P": 2, b"$": 2, b"\\": 2, b"^": 3,
}  # fmt: skip
_FS_FIXED = {b".": 0, b"&": 0, b"C": 1, b"p": 2}


class DecodeError(ValueError):
    """The bytes are not an ESC/POS stream this decoder understands."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(f"{message} at offset {offset}")
        self.offset = offset


@dataclass(frozen=True)
class Init:
    """``ESC @``: reset the printer."""


@dataclass(frozen=True)
class Text:
    """Printable bytes (including LF, CR, HT, FF), in the printer's code page."""

    data: bytes


@dataclass(frozen=True, eq=False)
class Raster:
    """``GS v 0``: a raster bit image, decoded."""

    image: Image.Image
    mode: int  # density: 0 normal, 1 double width, 2 double height, 3 quadruple
    width_bytes: int
    height: int


@dataclass(frozen=True)
class Code2D:
    """``GS ( k``: a 2-D symbol function (cn 49 = QR code)."""

    cn: int
    fn: int
    params: bytes

    @property
    def qr_data(self) -> bytes | None:
        """The payload when this is "QR: store data in the symbol area", else None."""
        if self.cn == 49 and self.fn == 80 and self.params:
            return self.params[1:]  # params = m ('0') + data
        return None


@dataclass(frozen=True)
class Cut:
    """``GS V``: cut the paper. ``mode`` 0/48 full, 1/49 partial; 65/66 feed ``feed`` first."""

    mode: int
    feed: int = 0

    @property
    def partial(self) -> bool:
        """True for a partial cut."""
        return self.mode in (1, 49, 66)


@dataclass(frozen=True)
class StatusQuery:
    """``DLE EOT n``: real-time status request (1 printer, 2 offline, 3 error, 4 paper)."""

    n: int


@dataclass(frozen=True)
class Command:
    """Any other recognised command, e.g. ``name="ESC t"``, ``args=b"\\x1e"``."""

    name: str
    args: bytes = field(default=b"")


Event: TypeAlias = Init | Text | Raster | Code2D | Cut | StatusQuery | Command


_INVERT = bytes(255 - b for b in range(256))


def raster_image(width_bytes: int, height: int, data: bytes) -> Image.Image:
    """Turn ``GS v 0`` raster data (1 bit per dot, 1 = print) into a ``"1"`` image."""
    if len(data) != width_bytes * height:
        raise ValueError(f"raster data is {len(data)} bytes, expected {width_bytes * height}")
    # ESC/POS sets a bit for black; Pillow's "1" mode sets it for white: invert.
    return Image.frombytes("1", (width_bytes * 8, height), data.translate(_INVERT))


class _Truncated(Exception):
    """A command needs more bytes than are left; reported at the command's start."""


class _Reader:
    """A cursor over the bytes that refuses to read past the end."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def take(self, n: int, what: str) -> bytes:
        if n < 0 or self.pos + n > len(self.data):
            raise _Truncated(f"truncated {what}: needs {n} bytes, {len(self.data) - self.pos} left")
        chunk = self.data[self.pos : self.pos + n]
        self.pos += n
        return chunk

    def byte(self, what: str) -> int:
        return self.take(1, what)[0]

    def u16(self, what: str) -> int:
        low, high = self.take(2, what)
        return low + 256 * high


def decode(data: bytes) -> list[Event]:
    """Decode a whole ESC/POS stream into events, in order.

    Raises:
        DecodeError: Unknown command, stray control byte or truncated command.
    """
    r = _Reader(bytes(data))
    events: list[Event] = []
    while r.pos < len(r.data):
        start = r.pos
        b = r.data[r.pos]
        if b >= 0x20 or b in _TEXT_CONTROLS:
            end = start
            while end < len(r.data) and (r.data[end] >= 0x20 or r.data[end] in _TEXT_CONTROLS):
                end += 1
            r.pos = end
            events.append(Text(r.data[start:end]))
            continue
        r.pos += 1
        try:
            events.append(_decode_command(b, r, start))
        except _Truncated as err:
            raise DecodeError(str(err), start) from None
    return events


def _decode_command(b: int, r: _Reader, start: int) -> Event:
    if b == ESC:
        return _decode_esc(r, start)
    if b == GS:
        return _decode_gs(r, start)
    if b == DLE:
        return _decode_dle(r, start)
    if b == FS:
        op = r.take(1, "FS command")
        if op not in _FS_FIXED:
            raise DecodeError(f"unknown command FS {op!r}", start)
        return Command(f"FS {op.decode('latin-1')}", r.take(_FS_FIXED[op], "FS"))
    raise DecodeError(f"unexpected control byte 0x{b:02x}", start)


def _decode_esc(r: _Reader, start: int) -> Event:
    op = r.take(1, "ESC command")
    if op == b"@":
        return Init()
    if op == b"*":  # column bit image: m nL nH, then 1 or 3 bytes per column
        m = r.byte("ESC * mode")
        columns = r.u16("ESC * width")
        per_column = 1 if m in (0, 1) else 3
        return Command("ESC *", bytes([m]) + r.take(columns * per_column, "ESC * data"))
    if op == b"D":  # tab positions, NUL-terminated, at most 32
        end = r.data.find(b"\x00", r.pos, r.pos + 33)
        if end < 0:
            raise DecodeError("unterminated ESC D", start)
        return Command("ESC D", r.take(end + 1 - r.pos, "ESC D"))
    if op not in _ESC_FIXED:
        raise DecodeError(f"unknown command ESC {op!r}", start)
    return Command(f"ESC {op.decode('latin-1')}", r.take(_ESC_FIXED[op], f"ESC {op!r}"))


def _decode_gs(r: _Reader, start: int) -> Event:
    op = r.take(1, "GS command")
    if op == b"v":
        if r.take(1, "GS v") != b"0":
            raise DecodeError("unknown GS v variant", start)
        mode = r.byte("GS v 0 mode")
        width_bytes = r.u16("GS v 0 width")
        height = r.u16("GS v 0 height")
        data = r.take(width_bytes * height, "GS v 0 raster data")
        return Raster(raster_image(width_bytes, height, data), mode, width_bytes, height)
    if op == b"V":
        mode = r.byte("GS V mode")
        if mode in (0, 1, 48, 49):
            return Cut(mode)
        if mode in (65, 66, 97, 98, 103, 104):
            return Cut(mode, r.byte("GS V feed"))
        raise DecodeError(f"unknown cut mode {mode}", start)
    if op == b"(":
        fn_letter = r.take(1, "GS ( function")
        length = r.u16("GS ( length")
        body = r.take(length, "GS ( body")
        if fn_letter == b"k":
            if length < 2:
                raise DecodeError("GS ( k shorter than cn fn", start)
            return Code2D(body[0], body[1], body[2:])
        return Command(f"GS ( {fn_letter.decode('latin-1')}", body)
    if op == b"k":  # barcode: m < 65 → NUL-terminated, m ≥ 65 → length byte
        m = r.byte("GS k type")
        if m < 65:
            end = r.data.find(b"\x00", r.pos, r.pos + 256)
            if end < 0:
                raise DecodeError("unterminated GS k barcode", start)
            return Command("GS k", bytes([m]) + r.take(end + 1 - r.pos, "GS k data"))
        n = r.byte("GS k length")
        return Command("GS k", bytes([m, n]) + r.take(n, "GS k data"))
    if op not in _GS_FIXED:
        raise DecodeError(f"unknown command GS {op!r}", start)
    return Command(f"GS {op.decode('latin-1')}", r.take(_GS_FIXED[op], f"GS {op!r}"))


def _decode_dle(r: _Reader, start: int) -> Event:
    op = r.byte("DLE command")
    if op == EOT:
        return StatusQuery(r.byte("DLE EOT n"))
    if op == ENQ:
        return Command("DLE ENQ", r.take(1, "DLE ENQ"))
    raise DecodeError(f"unknown command DLE 0x{op:02x}", start)


def decode_tickets(data: bytes) -> list[Image.Image]:
    """Turn a printed stream into one image per ticket.

    The rasters between two cuts are stacked top to bottom (python-escpos sends a
    tall image as several ``GS v 0`` fragments). ``ESC @`` also ends a ticket,
    since every job of :mod:`hardware.printer` starts with it: printers without
    a cutter get no ``GS V``. Rasters at the end with no cut form a last ticket.

    Raises:
        DecodeError: As :func:`decode`.
    """
    tickets: list[Image.Image] = []
    pending: list[Image.Image] = []
    for event in decode(data):
        if isinstance(event, Raster):
            pending.append(event.image)
        elif isinstance(event, Cut | Init) and pending:
            tickets.append(_stack(pending))
            pending = []
    if pending:
        tickets.append(_stack(pending))
    return tickets


def _stack(images: list[Image.Image]) -> Image.Image:
    if len(images) == 1:
        return images[0]
    width = max(im.width for im in images)
    out = Image.new("1", (width, sum(im.height for im in images)), 1)
    y = 0
    for im in images:
        out.paste(im, (0, y))
        y += im.height
    return out


def write_ticket_pngs(data: bytes, out_dir: str | Path, prefix: str = "ticket") -> list[Path]:
    """Decode a printed stream and write each ticket as ``<prefix>-0001.png``, … .

    What a ``file`` printer received, as pictures. Creates ``out_dir``; returns
    the paths written, in print order.

    Raises:
        DecodeError: As :func:`decode`.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for n, image in enumerate(decode_tickets(data), start=1):
        path = out / f"{prefix}-{n:04d}.png"
        image.save(path)
        paths.append(path)
    return paths
