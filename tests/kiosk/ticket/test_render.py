"""Tests for the ticket raster (kiosk.ticket.render).

Golden images live in ``tests/kiosk/ticket/golden/``. After an intended change,
look at the new rendering, then rewrite them with
``MOTCUA_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/kiosk/ticket/test_render.py``.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import string
import unicodedata
from datetime import UTC, datetime
from pathlib import Path

import pytest
import zxingcpp
from escpos.printer import Dummy
from PIL import Image, ImageChops

from kiosk.ticket import text_vi
from kiosk.ticket.render import (
    FONT_WEIGHTS,
    TicketContent,
    TicketLayout,
    body_lines,
    missing_glyphs,
    render_ticket,
)

GOLDEN_DIR = Path(__file__).parent / "golden"

GOLDEN_CONTENT = TicketContent(
    centre_name="Trung tâm Phục vụ hành chính công xã Tân Phú",
    service_name="Đất đai",
    number="1023",
    waiting_ahead=5,
    estimated_wait_s=900,
    priority="elderly",
    issued_at=datetime(2026, 11, 27, 7, 5, tzinfo=UTC),
    timezone="Asia/Ho_Chi_Minh",
    status_url="https://motcua.tanphu.gov.vn/t/7Q2KX9",
    counter_hint="Quầy số 3, 4",
)
GOLDEN_HEADER = ("UBND TỈNH ĐỒNG NAI",)

LONG_SERVICE = "Đăng ký biện pháp bảo đảm bằng quyền sử dụng đất, tài sản gắn liền với đất"
LONG_CENTRE = "Bộ phận tiếp nhận và trả kết quả Ủy ban nhân dân phường Nguyễn Thái Bình"


def _layout(dots: int, **overrides: object) -> TicketLayout:
    return TicketLayout.for_paper(dots, header_lines=GOLDEN_HEADER, **overrides)


def _ink_bbox(img: Image.Image) -> tuple[int, int, int, int] | None:
    """Bounding box of black pixels (ink) in a mode "1" image."""
    return ImageChops.invert(img.convert("L")).getbbox()


def _ink_fraction(img: Image.Image) -> float:
    grey = img.convert("L")
    return grey.histogram()[0] / (grey.width * grey.height)


def _assert_ink_within_margins(img: Image.Image, layout: TicketLayout) -> None:
    bbox = _ink_bbox(img)
    assert bbox is not None, "ticket is blank"
    left, top, right, bottom = bbox
    assert left >= layout.margin_x, bbox
    assert right <= layout.paper_dots - layout.margin_x, bbox
    assert top >= layout.margin_top, bbox
    assert bottom <= img.height - layout.margin_bottom, bbox


def _qr_texts(img: Image.Image) -> list[str]:
    found = zxingcpp.read_barcodes(img.convert("L"), formats=zxingcpp.BarcodeFormat.QRCode)
    return [barcode.text for barcode in found]


def _longest_solid_band(img: Image.Image, layout: TicketLayout) -> int:
    """Most consecutive rows that are solid black across the whole content width."""
    grey = img.convert("L")
    solid_row = b"\x00" * layout.content_width
    best = run = 0
    for y in range(grey.height):
        row = grey.crop((layout.margin_x, y, layout.paper_dots - layout.margin_x, y + 1))
        run = run + 1 if row.tobytes() == solid_row else 0
        best = max(best, run)
    return best


@pytest.mark.parametrize("dots", [576, 384])
def test_ticket_is_exactly_paper_wide_and_one_bit(dots: int) -> None:
    """GIVEN a ticket and a layout for 80 mm or 58 mm paper
    WHEN rendered THEN the image is 1-bit and exactly the printer's dot width."""
    img = render_ticket(GOLDEN_CONTENT, _layout(dots))
    assert img.mode == "1"
    assert img.width == dots
    assert img.height > dots  # a ticket is portrait


@pytest.mark.parametrize("dots", [576, 384])
def test_ticket_has_ink_only_inside_margins(dots: int) -> None:
    """GIVEN a ticket WHEN rendered THEN it is not blank, not a black slab,
    and no pixel of ink lies in the margins."""
    layout = _layout(dots)
    img = render_ticket(GOLDEN_CONTENT, layout)
    _assert_ink_within_margins(img, layout)
    assert 0.05 < _ink_fraction(img) < 0.5


@pytest.mark.parametrize("dots", [576, 384])
@pytest.mark.parametrize(
    "url",
    [
        GOLDEN_CONTENT.status_url,
        "https://motcua.example.gov.vn/ticket/status?id=0193c7a2-5b1e-7f0a-9c3d-2e4f6a8b0c1d&n=1023",
    ],
)
def test_qr_code_decodes_to_status_url(dots: int, url: str) -> None:
    """GIVEN a ticket with a status URL
    WHEN rendered and the image is scanned
    THEN exactly one QR code is found and it decodes to that URL."""
    content = dataclasses.replace(GOLDEN_CONTENT, status_url=url)
    assert _qr_texts(render_ticket(content, _layout(dots))) == [url]


def test_qr_code_can_be_turned_off() -> None:
    """GIVEN a layout with show_qr=False WHEN rendered THEN no QR code is printed
    and the ticket is shorter."""
    with_qr = render_ticket(GOLDEN_CONTENT, _layout(576))
    without = render_ticket(GOLDEN_CONTENT, _layout(576, show_qr=False))
    assert _qr_texts(without) == []
    assert without.height < with_qr.height - 150


@pytest.mark.parametrize("dots", [576, 384])
def test_matches_golden_image(dots: int, tmp_path: Path) -> None:
    """GIVEN the fixed golden ticket
    WHEN rendered THEN it is pixel-identical to the approved golden PNG."""
    img = render_ticket(GOLDEN_CONTENT, _layout(dots))
    golden_path = GOLDEN_DIR / f"ticket_{dots}.png"
    if os.environ.get("MOTCUA_UPDATE_GOLDEN") == "1":
        GOLDEN_DIR.mkdir(parents=True, exist_ok=True)
        img.save(golden_path, optimize=True)
    if not golden_path.exists():
        pytest.fail(f"{golden_path} missing; create it with MOTCUA_UPDATE_GOLDEN=1")
    with Image.open(golden_path) as stored:
        golden = stored.convert("1")
    same_size = golden.size == img.size
    diff_box = ImageChops.difference(golden, img).getbbox() if same_size else None
    if not same_size or diff_box is not None:
        actual_path = tmp_path / f"ticket_{dots}.actual.png"
        img.save(actual_path)
        pytest.fail(
            f"ticket differs from {golden_path} (golden {golden.size}, actual {img.size}, "
            f"differing box {diff_box}); actual image written to {actual_path}. If the change "
            "is intended, look at it and rerun with MOTCUA_UPDATE_GOLDEN=1."
        )


def test_rendering_is_deterministic() -> None:
    """GIVEN the same ticket rendered twice WHEN compared THEN the bytes are equal."""
    first = render_ticket(GOLDEN_CONTENT, _layout(576))
    second = render_ticket(GOLDEN_CONTENT, _layout(576))
    assert first.tobytes() == second.tobytes()


def test_decomposed_text_renders_like_composed() -> None:
    """GIVEN the same Vietnamese text in decomposed Unicode (NFD)
    WHEN rendered THEN the ticket is identical to the composed (NFC) one, so
    tone marks sit on their letters whatever the hub sends."""
    nfd = dataclasses.replace(
        GOLDEN_CONTENT,
        centre_name=unicodedata.normalize("NFD", GOLDEN_CONTENT.centre_name),
        service_name=unicodedata.normalize("NFD", "Hộ tịch – Chứng thực"),
        counter_hint=unicodedata.normalize("NFD", "Quầy số 3, 4"),
    )
    nfc = dataclasses.replace(GOLDEN_CONTENT, service_name="Hộ tịch – Chứng thực")
    assert render_ticket(nfd, _layout(576)).tobytes() == render_ticket(nfc, _layout(576)).tobytes()


@pytest.mark.parametrize("dots", [576, 384])
def test_long_names_wrap_inside_the_paper(dots: int) -> None:
    """GIVEN a long field name, a long centre name and a word longer than the line
    WHEN rendered THEN the ticket grows taller instead of overflowing, and the
    QR code still decodes."""
    layout = _layout(dots)
    short = render_ticket(GOLDEN_CONTENT, layout)
    long_content = dataclasses.replace(
        GOLDEN_CONTENT,
        centre_name=LONG_CENTRE,
        service_name=LONG_SERVICE,
        counter_hint="Quầy" + "X" * 80,
    )
    img = render_ticket(long_content, layout)
    assert img.width == dots
    _assert_ink_within_margins(img, layout)
    assert img.height > short.height + 60
    assert _qr_texts(img) == [GOLDEN_CONTENT.status_url]


def test_long_number_shrinks_to_fit() -> None:
    """GIVEN a queue number much longer than usual
    WHEN rendered on 58 mm paper THEN it is scaled down to fit between the margins."""
    layout = _layout(384)
    img = render_ticket(dataclasses.replace(GOLDEN_CONTENT, number="A0051234567"), layout)
    _assert_ink_within_margins(img, layout)


def test_priority_prints_as_a_black_band() -> None:
    """GIVEN a priority ticket and the same ticket without priority
    WHEN rendered THEN only the priority one has a solid black band taller than
    a rule; an unknown category still gets the band."""
    layout = _layout(576)
    plain = render_ticket(dataclasses.replace(GOLDEN_CONTENT, priority=None), layout)
    unknown = render_ticket(dataclasses.replace(GOLDEN_CONTENT, priority="child_under_6"), layout)
    assert _longest_solid_band(plain, layout) == layout.rule_thickness
    assert _longest_solid_band(unknown, layout) > layout.priority_padding


def test_no_open_counter_prints_so_and_no_estimate() -> None:
    """GIVEN a ticket of a field that no open counter serves (the hub's estimate is 0)
    WHEN printed THEN it says no counter is open instead of a wait, never "dưới 1 phút",
    and the ticket still fits the paper."""
    lonely = dataclasses.replace(GOLDEN_CONTENT, estimated_wait_s=0, no_open_counter=True)
    lines = body_lines(lonely)
    assert "Chưa có quầy nào đang mở phục vụ lĩnh vực này" in lines
    assert not any("Thời gian chờ" in line or "phút" in line for line in lines)
    assert "No counter serving this field is open yet" in body_lines(lonely, "en")
    assert body_lines(GOLDEN_CONTENT)[1] == "Thời gian chờ dự kiến: khoảng 15 phút"
    layout = _layout(384)
    img = render_ticket(lonely, layout)
    _assert_ink_within_margins(img, layout)
    assert ImageChops.difference(img, render_ticket(GOLDEN_CONTENT, layout)).getbbox()


def test_logo_is_printed_when_configured(tmp_path: Path) -> None:
    """GIVEN a layout with a transparent PNG logo
    WHEN rendered THEN the ticket gets taller by about the logo's height and
    stays inside the margins."""
    logo = Image.new("RGBA", (300, 300), (0, 0, 0, 0))
    logo.paste((200, 0, 0, 255), (50, 50, 250, 250))
    logo_path = tmp_path / "logo.png"
    logo.save(logo_path)
    layout = _layout(576)
    with_logo = _layout(576, logo_path=logo_path)
    img = render_ticket(GOLDEN_CONTENT, with_logo)
    plain = render_ticket(GOLDEN_CONTENT, layout)
    _assert_ink_within_margins(img, with_logo)
    grew = img.height - plain.height
    assert with_logo.logo_max_height <= grew <= with_logo.logo_max_height + 3 * layout.block_gap


def test_unreadable_logo_is_skipped_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """GIVEN a layout whose logo file does not exist
    WHEN rendered THEN the ticket still prints, without logo, and a warning is logged."""
    layout = _layout(576, logo_path=tmp_path / "missing.png")
    with caplog.at_level(logging.WARNING, logger="kiosk.ticket.render"):
        img = render_ticket(GOLDEN_CONTENT, layout)
    assert img.height == render_ticket(GOLDEN_CONTENT, _layout(576)).height
    assert "missing.png" in caplog.text


def test_english_ticket_renders() -> None:
    """GIVEN an English layout WHEN rendered THEN it differs from the Vietnamese
    ticket and keeps the QR code."""
    vi = render_ticket(GOLDEN_CONTENT, _layout(576))
    en = render_ticket(GOLDEN_CONTENT, _layout(576, lang="en"))
    assert en.tobytes() != vi.tobytes()
    assert _qr_texts(en) == [GOLDEN_CONTENT.status_url]


@pytest.mark.parametrize(("dots", "profile"), [(576, "TM-T20II"), (384, "POS-5890")])
def test_ticket_survives_escpos_raster_roundtrip(dots: int, profile: str) -> None:
    """GIVEN a rendered ticket and a printer profile of the same dot width
    WHEN python-escpos converts it to GS v 0 raster bytes and we parse them back
    THEN the raster is the ticket, pixel for pixel."""
    img = render_ticket(GOLDEN_CONTENT, _layout(dots))
    printer = Dummy(profile=profile)
    printer.image(img)
    data, rows, width_bytes = printer.output, [], None
    start = data.find(b"\x1dv0")
    while start != -1:
        x_bytes = data[start + 4] | data[start + 5] << 8
        y_rows = data[start + 6] | data[start + 7] << 8
        width_bytes = x_bytes
        rows.append(data[start + 8 : start + 8 + x_bytes * y_rows])
        start = data.find(b"\x1dv0", start + 8 + x_bytes * y_rows)
    assert width_bytes == dots // 8
    raster = b"".join(rows)
    # ESC/POS sets a bit for a dot of ink; Pillow's mode "1" sets it for white.
    parsed = Image.frombytes("1", (dots, len(raster) // (dots // 8)), raster)
    assert ImageChops.invert(parsed.convert("L")).tobytes() == img.convert("L").tobytes()


def test_content_validation_lists_every_problem() -> None:
    """GIVEN ticket content with several invalid fields
    WHEN constructed THEN one ValueError names each of them."""
    with pytest.raises(ValueError) as err:
        TicketContent(
            centre_name="X",
            service_name="Y",
            number=" ",
            waiting_ahead=-1,
            estimated_wait_s=-5,
            priority=None,
            issued_at=datetime(2026, 11, 27, 7, 5),
            timezone="Asia/Sai_Gon",
            status_url="",
        )
    message = str(err.value)
    for field in ("number", "waiting_ahead", "estimated_wait_s", "issued_at", "timezone", "url"):
        assert field in message


def test_layout_defaults_scale_with_paper_and_accept_overrides() -> None:
    """GIVEN the two common paper widths
    WHEN default layouts are built THEN 58 mm text is smaller than 80 mm but not
    linearly so, and overrides are applied."""
    wide, narrow = TicketLayout.for_paper(576), TicketLayout.for_paper(384, footer="Hẹn gặp lại")
    assert wide.paper_dots == 576 and narrow.paper_dots == 384
    assert narrow.body_size < wide.body_size
    assert narrow.body_size > wide.body_size * 384 / 576
    assert narrow.footer == "Hẹn gặp lại"
    assert wide.content_width == 576 - 2 * wide.margin_x


@pytest.mark.parametrize(
    "overrides",
    [{"paper_dots": 500}, {"margin_x": 300}, {"lang": "fr"}, {"body_size": 2}],
)
def test_layout_rejects_unusable_settings(overrides: dict[str, object]) -> None:
    """GIVEN an impossible layout setting WHEN the layout is built THEN ValueError."""
    with pytest.raises(ValueError, match="invalid ticket layout"):
        TicketLayout.for_paper(576).replace(**overrides)


# --- font coverage --------------------------------------------------------------

_TONES = ("", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323")  # huyền sắc hỏi ngã nặng


def _vietnamese_alphabet() -> str:
    vowels = "aăâeêioôơuưy"
    letters = [unicodedata.normalize("NFC", v + t) for v in vowels for t in _TONES]
    letters += list("bcdđghklmnpqrstvx") + list("fjwz")
    lower = "".join(letters)
    return lower + lower.upper()


def _printable_strings() -> list[str]:
    """Every fixed string the ticket can print, in both locales."""
    formatter = string.Formatter()
    found: list[str] = []
    for lang in text_vi.LANGS:
        for template in text_vi.labels(lang).values():
            found.append("".join(literal for literal, *_ in formatter.parse(template)))
        found += [text_vi.priority_line(cat, lang) for cat in [*text_vi.PRIORITY_LABELS, "?"]]
        found += [text_vi.format_people_ahead(n, lang) for n in (0, 1, 1234)]
        found += [text_vi.wait_line(s, lang) for s in (None, 30, 900, 4500)]
        found.append(text_vi.issued_line(GOLDEN_CONTENT.issued_at, "Asia/Ho_Chi_Minh", lang))
    found += [text_vi.break_centre_name(GOLDEN_CONTENT.centre_name).upper()]
    found += list(text_vi.CENTRE_PREFIXES) + [p.upper() for p in text_vi.CENTRE_PREFIXES]
    return found


@pytest.mark.parametrize("weight", FONT_WEIGHTS)
def test_shipped_font_covers_everything_the_ticket_prints(weight: str) -> None:
    """GIVEN every label, priority label and formatted line in both locales,
    every Vietnamese letter with every tone in both cases, digits and the
    punctuation we use
    WHEN each character is checked against the shipped font
    THEN none falls back to the font's .notdef glyph."""
    text = " ".join(_printable_strings()) + _vietnamese_alphabet() + string.digits + "–·:,./()%-"
    assert len(_vietnamese_alphabet()) == 2 * (12 * 6 + 21)
    assert missing_glyphs(text, weight) == set()


def test_glyph_check_detects_missing_characters() -> None:
    """GIVEN characters the Vietnamese font does not have (CJK, Hangul)
    WHEN checked THEN they are reported, so the coverage test can fail."""
    assert missing_glyphs("Số 中 한", "Bold") == {"中", "한"}
