"""The ESC/POS decoder, against what python-escpos really emits (``Dummy``)."""

from __future__ import annotations

import random
import re

import pytest
from escpos.printer import Dummy
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from tests.support.escpos_decode import (
    Code2D,
    Command,
    Cut,
    DecodeError,
    Init,
    Raster,
    StatusQuery,
    Text,
    decode,
    decode_tickets,
)


def noise(width: int, height: int, seed: int = 7) -> Image.Image:
    """A 1-bit image of random dots: any bit-order or row mistake shows."""
    rng = random.Random(seed)
    return Image.frombytes("1", (width, height), rng.randbytes(width * height // 8))


@pytest.mark.parametrize(("profile", "width"), [("TM-T20II", 576), ("POS-5890", 384)])
def test_raster_round_trip_is_pixel_exact(profile: str, width: int) -> None:
    """GIVEN a random-dot image as wide as the paper, printed by escpos as GS v 0
    WHEN the Dummy's bytes are decoded
    THEN the header says width/8 bytes × height and the pixels are identical."""
    image = noise(width, 200)
    printer = Dummy(profile=profile)
    printer.hw("INIT")
    printer.image(image, impl="bitImageRaster")
    printer.cut()

    events = decode(printer.output)

    assert events[0] == Init()
    rasters = [e for e in events if isinstance(e, Raster)]
    assert [(r.width_bytes, r.height, r.mode) for r in rasters] == [(width // 8, 200, 0)]
    assert rasters[0].image.size == (width, 200)
    assert rasters[0].image.convert("L").tobytes() == image.convert("L").tobytes()


def test_cut_and_text_and_qr_are_decoded() -> None:
    """GIVEN text, a native QR code and a full then a partial cut
    WHEN decoded
    THEN the QR payload, the text bytes and both cuts come back in order."""
    printer = Dummy(profile="TM-T20II")
    printer.qr("T1023", native=True, size=6)
    printer._raw(b"Quay 3\n")
    printer.cut()
    printer.cut(mode="PART")

    events = decode(printer.output)

    assert [e.qr_data for e in events if isinstance(e, Code2D) and e.qr_data] == [b"T1023"]
    assert Text(b"Quay 3\n") in events
    cuts = [e for e in events if isinstance(e, Cut)]
    assert [c.partial for c in cuts] == [False, True]
    assert Command("ESC d", b"\x06") in events  # the feed escpos sends before a cut


def test_tall_ticket_fragments_are_stacked_back() -> None:
    """GIVEN an image taller than escpos's 960-dot fragment, printed then cut, twice
    WHEN decode_tickets runs
    THEN there are two tickets, each identical to its source image."""
    first, second = noise(576, 2100, seed=1), noise(384, 50, seed=2)
    printer = Dummy(profile="TM-T20II")
    for image in (first, second):
        printer.image(image)
        printer.cut()

    tickets = decode_tickets(printer.output)

    assert sum(isinstance(e, Raster) for e in decode(printer.output)) == 4  # 3 + 1 fragments
    assert [t.size for t in tickets] == [(576, 2100), (384, 50)]
    assert tickets[0].tobytes() == first.tobytes()
    assert tickets[1].tobytes() == second.tobytes()


def test_status_queries_and_other_commands() -> None:
    """GIVEN status queries, barcode and column-image commands as escpos sends them
    WHEN decoded
    THEN each is one event and nothing is mistaken for text."""
    printer = Dummy(profile="TM-T20II")
    printer._raw(b"\x10\x04\x01\x10\x04\x04")
    printer.image(noise(16, 24), impl="bitImageColumn")
    printer.image(noise(16, 8), impl="graphics")

    events = decode(printer.output)

    assert events[:2] == [StatusQuery(1), StatusQuery(4)]
    assert [e.name for e in events if isinstance(e, Command)] == [
        "ESC 3",
        "ESC *",
        "ESC 2",
        "GS ( L",
        "GS ( L",
    ]


@pytest.mark.parametrize(
    ("data", "offset", "words"),
    [
        (b"\x1dv0\x00\x48\x00\xff\x00" + b"\x00" * 10, 0, "truncated GS v 0 raster data"),
        (b"ok\x1b\x7f", 2, "unknown command ESC"),
        (b"ok\x01", 2, "unexpected control byte 0x01"),
        (b"\x1d(k\x05\x001P0", 0, "truncated GS ( body"),
        (b"\x1dk\x02123", 0, "unterminated GS k"),
        (b"\x10", 0, "truncated DLE command"),
    ],
)
def test_bad_bytes_raise_decode_error_with_offset(data: bytes, offset: int, words: str) -> None:
    """GIVEN a truncated, unknown or stray command
    WHEN decoded
    THEN DecodeError names the problem and the offset of the command."""
    with pytest.raises(DecodeError, match=re.escape(words)) as info:
        decode(data)
    assert info.value.offset == offset


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=600))
def test_any_bytes_decode_or_raise_decode_error(data: bytes) -> None:
    """GIVEN arbitrary bytes WHEN decoded THEN it ends with events or DecodeError, nothing else."""
    try:
        events = decode(data)
    except DecodeError:
        return
    assert isinstance(events, list)


def test_huge_declared_raster_fails_fast() -> None:
    """GIVEN a GS v 0 header declaring 65535×65535 dots with no data
    WHEN decoded
    THEN DecodeError, without allocating the image."""
    with pytest.raises(DecodeError, match="truncated"):
        decode(b"\x1dv0\x00\xff\xff\xff\xff")
