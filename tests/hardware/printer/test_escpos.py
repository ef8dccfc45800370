"""EscposTicketPrinter on python-escpos's Dummy: raster job, cut, profiles, unplugging
(:mod:`hardware.printer.escpos`)."""

from __future__ import annotations

import pytest
from escpos.capabilities import get_profile_class
from escpos.exceptions import DeviceNotFoundError
from escpos.printer import Dummy

from hardware.errors import DeviceUnavailable
from hardware.ports import PrinterStatus
from hardware.printer import EscposTicketPrinter
from tests.hardware.printer.support import ticket
from tests.support.escpos_decode import Cut, Init, Raster, StatusQuery, decode, decode_tickets


class UnpluggableDummy(Dummy):
    """A Dummy whose USB cable can be pulled: then writes and opens fail as escpos's do."""

    plugged = True

    def open(self, raise_not_found: bool = True) -> None:
        if not self.plugged:
            raise DeviceNotFoundError("USB device not found")

    def _raw(self, msg: bytes) -> None:
        if not self.plugged:
            raise DeviceNotFoundError("USB device gone")
        super()._raw(msg)


@pytest.mark.parametrize(("paper_mm", "dots"), [(80, 576), (58, 384)])
def test_ticket_is_init_raster_cut(
    paper_mm: int, dots: int, capsys: pytest.CaptureFixture[str]
) -> None:
    """GIVEN a printer on escpos's Dummy with the default profile
    WHEN a paper-wide ticket is printed
    THEN the bytes are ESC @, one GS v 0 of dots/8 bytes per row with the same
    pixels, then a cut; and escpos printed no width warning on stdout."""
    dummy = Dummy()
    printer = EscposTicketPrinter(dummy, paper_mm=paper_mm)
    printer.open()
    image = ticket(dots)

    printer.print_ticket(image)

    events = decode(dummy.output)
    assert printer.paper_dots == dots
    assert events[0] == Init() and isinstance(events[-1], Cut)
    rasters = [e for e in events if isinstance(e, Raster)]
    assert [(r.width_bytes, r.height) for r in rasters] == [(dots // 8, 120)]
    assert rasters[0].image.tobytes() == image.tobytes()
    assert not any(isinstance(e, StatusQuery) for e in events)  # Dummy cannot answer
    assert capsys.readouterr().out == ""
    assert get_profile_class("default").profile_data["media"]["width"]["pixels"] == "Unknown"


def test_narrow_print_head_sets_paper_dots() -> None:
    """GIVEN the TM-T88V profile (512-dot head) on 80 mm paper
    WHEN built THEN paper_dots is 512 and a 576-dot image is refused before sending."""
    dummy = Dummy()
    printer = EscposTicketPrinter(dummy, paper_mm=80, profile="TM-T88V")
    printer.open()

    with pytest.raises(ValueError, match="576 dots wide, paper takes 512"):
        printer.print_ticket(ticket(576))
    assert printer.paper_dots == 512 and dummy.output == b""


def test_profile_without_cutter_feeds_instead(capsys: pytest.CaptureFixture[str]) -> None:
    """GIVEN the POS-5890 profile (58 mm, no cutter)
    WHEN two tickets are printed
    THEN no GS V is sent, yet the stream still splits into the two tickets."""
    dummy = Dummy()
    printer = EscposTicketPrinter(dummy, paper_mm=58, profile="POS-5890")
    printer.open()
    images = [ticket(384, seed=8), ticket(384, seed=9)]
    for image in images:
        printer.print_ticket(image)

    assert not printer.has_cutter
    assert not any(isinstance(e, Cut) for e in decode(dummy.output))
    assert [t.tobytes() for t in decode_tickets(dummy.output)] == [i.tobytes() for i in images]
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"profile": "TM-T20"}, "did you mean TM-T20II"),
        ({"paper_mm": 70}, "paper_mm must be one of"),
    ],
)
def test_bad_profile_or_paper_is_a_clear_value_error(params: dict[str, object], words: str) -> None:
    """GIVEN a misspelt profile or odd paper WHEN built THEN ValueError says what to fix."""
    with pytest.raises(ValueError, match=words):
        EscposTicketPrinter(Dummy(), **params)  # type: ignore[arg-type]


def test_unplugged_printer_is_unavailable_then_reconnects_by_itself() -> None:
    """GIVEN an open printer whose transport then fails with escpos's DeviceNotFoundError
    WHEN a ticket is printed, status asked, the cable put back and a ticket printed
    THEN DeviceUnavailable (caused by, not being, the escpos error), offline,
    and the last ticket prints without calling open() again."""
    dummy = UnpluggableDummy()
    printer = EscposTicketPrinter(dummy)
    printer.open()
    dummy.plugged = False

    with pytest.raises(DeviceUnavailable, match="USB device gone") as info:
        printer.print_ticket(ticket())
    assert isinstance(info.value.__cause__, DeviceNotFoundError)
    assert not printer.is_open and printer.status() is PrinterStatus.OFFLINE
    dummy.plugged = True
    printer.print_ticket(ticket())

    assert printer.is_open and len(decode_tickets(dummy.output)) == 1


def test_closed_printer_does_not_reconnect() -> None:
    """GIVEN a printer that was closed on purpose WHEN asked to print or for status
    THEN DeviceUnavailable and offline: only open() opens it again."""
    printer = EscposTicketPrinter(Dummy())
    printer.open()
    printer.close()

    with pytest.raises(DeviceUnavailable, match="not open"):
        printer.print_ticket(ticket())
    assert printer.status() is PrinterStatus.OFFLINE and not printer.is_open
