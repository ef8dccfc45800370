"""How a ticket is laid out on paper: every size, margin and option in one place.

A centre changes its ticket by overriding fields of :class:`TicketLayout`
(``TicketLayout.for_paper(576, header_lines=("UBND XÃ TÂN PHÚ",))``); the
drawing code in :mod:`kiosk.ticket.render` holds no magic numbers of its own.
This module also holds the shipped fonts (and what they cannot draw) and the
text measuring, wrapping and fitting the drawing code relies on. Font objects are shared: call these
helpers from one thread at a time (``render_ticket`` serialises itself).
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import fontpkg_be_vietnam_pro
from PIL import ImageFont

from kiosk.ticket.text_vi import LANGS

logger = logging.getLogger(__name__)

REFERENCE_DOTS = 576
"""Paper width (dots) the default sizes were designed for: 80 mm paper at 203 dpi."""

# Sizes in dots at REFERENCE_DOTS; for_paper() scales them to other widths.
_SCALED_DEFAULTS: dict[str, int] = {
    "margin_x": 16,
    "margin_top": 12,
    "margin_bottom": 28,
    "header_size": 20,
    "centre_size": 26,
    "title_size": 30,
    "field_size": 28,
    "number_max_size": 220,
    "priority_size": 26,
    "body_size": 25,
    "small_size": 20,
    "line_gap": 4,
    "block_gap": 14,
    "rule_thickness": 2,
    "priority_padding": 8,
    "qr_size": 232,
    "logo_max_height": 96,
}

_GENTLE_FIELDS = frozenset(
    {
        "header_size",
        "centre_size",
        "title_size",
        "field_size",
        "priority_size",
        "body_size",
        "small_size",
        "qr_size",
    }
)

_SIZE_FIELDS = (
    "header_size",
    "centre_size",
    "title_size",
    "field_size",
    "number_max_size",
    "priority_size",
    "body_size",
    "small_size",
)


@dataclass(frozen=True)
class TicketLayout:
    """Geometry and options of a printed ticket. All lengths are printer dots.

    Attributes:
        paper_dots: Printable width; the image is exactly this wide. 576 for
            80 mm paper, 384 for 58 mm (203 dpi). Must be a multiple of 8
            because ESC/POS raster rows are whole bytes.
        margin_x: White space left and right; no ink is drawn inside it.
        margin_top: White space above the first line.
        margin_bottom: White space below the last line (room for the cutter).
        header_lines: Optional lines above the centre name, e.g. the governing
            body ("UBND XÃ TÂN PHÚ"); printed small and centred.
        header_size: Font size (px) of ``header_lines``.
        centre_size: Font size of the centre name.
        title_size: Font size of "PHIẾU SỐ THỨ TỰ".
        field_size: Font size of "Lĩnh vực: …".
        number_max_size: Upper bound of the queue number's font size; the
            number is drawn as large as fits the width, up to this.
        priority_size: Font size of the inverted priority band.
        body_size: Font size of people ahead, estimated wait and counter hint.
        small_size: Font size of the issue time, QR caption and footer.
        line_gap: Extra space between wrapped lines of one block.
        block_gap: Space between blocks.
        rule_thickness: Thickness of the horizontal rules.
        priority_padding: Padding inside the priority band.
        show_qr: Whether to print the QR code of the status URL.
        qr_size: Target QR side; the actual side is a whole number of dots per
            module (crisp at the printer's resolution), at most this.
        qr_caption: Text under the QR code; ``None`` = the locale's default,
            ``""`` = none.
        logo_path: Optional PNG printed at the top, scaled to fit.
        logo_max_height: Upper bound of the logo's height.
        footer: Thank-you line; ``None`` = the locale's default, ``""`` = none.
            A ticket's own ``TicketContent.footer`` overrides it.
        lang: ``"vi"`` or ``"en"``: the wording of the fixed labels.
        uppercase_centre_name: Print the centre name in capitals.
    """

    paper_dots: int = REFERENCE_DOTS
    margin_x: int = 16
    margin_top: int = 12
    margin_bottom: int = 28
    header_lines: tuple[str, ...] = ()
    header_size: int = 20
    centre_size: int = 26
    title_size: int = 30
    field_size: int = 28
    number_max_size: int = 220
    priority_size: int = 26
    body_size: int = 25
    small_size: int = 20
    line_gap: int = 4
    block_gap: int = 14
    rule_thickness: int = 2
    priority_padding: int = 8
    show_qr: bool = True
    qr_size: int = 232
    qr_caption: str | None = None
    logo_path: Path | None = None
    logo_max_height: int = 96
    footer: str | None = None
    lang: str = "vi"
    uppercase_centre_name: bool = True

    def __post_init__(self) -> None:
        problems: list[str] = []
        if self.paper_dots % 8 or not 256 <= self.paper_dots <= 1280:
            problems.append(
                f"paper_dots={self.paper_dots}: must be a multiple of 8 between 256 and 1280"
            )
        if self.margin_x < 0 or self.margin_top < 0 or self.margin_bottom < 0:
            problems.append("margins must not be negative")
        if self.content_width < 120:
            problems.append(f"margin_x={self.margin_x} leaves too little width")
        for name in _SIZE_FIELDS:
            if getattr(self, name) < 8:
                problems.append(f"{name}={getattr(self, name)}: must be at least 8")
        for name in ("line_gap", "block_gap", "rule_thickness", "priority_padding"):
            if getattr(self, name) < 0:
                problems.append(f"{name} must not be negative")
        if self.show_qr and self.qr_size < 64:
            problems.append(f"qr_size={self.qr_size}: must be at least 64")
        if self.logo_max_height < 1:
            problems.append("logo_max_height must be positive")
        if self.lang not in LANGS:
            problems.append(f"lang={self.lang!r}: must be one of {LANGS}")
        if not isinstance(self.header_lines, tuple):
            problems.append("header_lines must be a tuple of strings")
        if problems:
            raise ValueError("invalid ticket layout: " + "; ".join(problems))

    @property
    def content_width(self) -> int:
        """Width available to ink: ``paper_dots - 2 * margin_x``."""
        return self.paper_dots - 2 * self.margin_x

    @classmethod
    def for_paper(cls, dots: int, **overrides: Any) -> TicketLayout:
        """Sensible defaults for a paper width, sizes scaled from the 576-dot design.

        Args:
            dots: Printable width in dots (576 for 80 mm, 384 for 58 mm).
            **overrides: Any field to set explicitly (applied after scaling).

        Returns:
            A validated layout.

        Raises:
            ValueError: if the resulting layout is invalid.
            TypeError: if an override names no field.
        """
        scale = dots / REFERENCE_DOTS
        # Text and QR shrink less than the paper: on 58 mm paper a linearly
        # scaled 13-dot caption would be too small to read or scan.
        gentle = (1 + scale) / 2
        scaled: dict[str, Any] = {
            name: max(1, round(value * (gentle if name in _GENTLE_FIELDS else scale)))
            for name, value in _SCALED_DEFAULTS.items()
        }
        scaled["paper_dots"] = dots
        scaled.update(overrides)
        return cls(**scaled)

    def replace(self, **changes: Any) -> TicketLayout:
        """Return a copy with some fields changed (validated again)."""
        return dataclasses.replace(self, **changes)


FONT_WEIGHTS: tuple[str, ...] = ("Medium", "SemiBold", "Bold", "ExtraBold")
"""Be Vietnam Pro weights the ticket uses. Thermal heads print thin strokes
faintly, so nothing lighter than Medium is used."""


def font_path(weight: str = "Bold") -> Path:
    """Path of a shipped Be Vietnam Pro TTF.

    Args:
        weight: A style name of the family, e.g. "Medium", "Bold", "ExtraBold".

    Raises:
        FileNotFoundError: if the font package lacks that file.
    """
    path = Path(fontpkg_be_vietnam_pro.ROOT) / "files" / f"BeVietnamPro-{weight}.ttf"
    if not path.is_file():
        raise FileNotFoundError(
            f"font {path.name} not found in fontpkg-be-vietnam-pro; reinstall that package"
        )
    return path


# Each size is a FreeType face of its own (~0.2 MB resident): the sizes a ticket uses
# stay, and the numbers' fitted sizes come and go instead of piling up over a day.
@functools.lru_cache(maxsize=32)
def load_font(weight: str, size: int) -> ImageFont.FreeTypeFont:
    """A cached Be Vietnam Pro font object (see :func:`font_path`) at ``size`` px."""
    # BASIC layout: precomposed Vietnamese needs no shaping, and it keeps the
    # pixels independent of whether libraqm happens to be present.
    return ImageFont.truetype(str(font_path(weight)), size, layout_engine=ImageFont.Layout.BASIC)


FONT_LOCK = threading.Lock()
"""FreeType faces are not safe to use from two threads at once; the cached fonts are
shared, so renders (and glyph checks) take turns (uncontended on a kiosk)."""


def nfc(text: str) -> str:
    """Return ``text`` in composed Unicode (NFC)."""
    # Decomposed input (NFD, e.g. typed on a Mac) would put tone marks beside
    # letters under the basic layout engine; composed forms have real glyphs.
    return unicodedata.normalize("NFC", text)


@functools.lru_cache(maxsize=16)
def _notdef_signature(weight: str) -> tuple[tuple[int, int], bytes, float]:
    return _glyph_signature(weight, "\U0010fffd")  # private use: never mapped


def _glyph_signature(weight: str, ch: str) -> tuple[tuple[int, int], bytes, float]:
    font = load_font(weight, 48)
    mask = font.getmask(ch)
    return mask.size, bytes(mask), font.getlength(ch)


def missing_glyphs(text: str, weight: str = "Bold") -> set[str]:
    """Characters of ``text`` (after NFC) that the shipped font cannot draw.

    A character is missing when the font renders it exactly as its ``.notdef``
    glyph. Whitespace is never reported.

    Args:
        text: Any text that might be printed.
        weight: One of :data:`FONT_WEIGHTS`.
    """
    with FONT_LOCK:
        return _missing_glyphs(text, weight)


def _missing_glyphs(text: str, weight: str) -> set[str]:
    notdef = _notdef_signature(weight)
    return {
        ch for ch in set(nfc(text)) if not ch.isspace() and _glyph_signature(weight, ch) == notdef
    }


# --- measuring, wrapping and fitting text -----------------------------------


def ink_width(font: ImageFont.FreeTypeFont, text: str) -> int:
    """Width in dots that ``text`` occupies when drawn with ``font``."""
    x0, _, x1, _ = font.getbbox(text, anchor="ls")
    return x1 - x0


def _break_word(word: str, font: ImageFont.FreeTypeFont, max_width: int) -> list[str]:
    """Split a word wider than the paper at character boundaries."""
    parts: list[str] = []
    current = ""
    for ch in word:
        if current and ink_width(font, current + ch) > max_width:
            parts.append(current)
            current = ch
        else:
            current += ch
    if current:
        parts.append(current)
    return parts


def _wrap_greedy(text: str, font: ImageFont.FreeTypeFont, max_width: int) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if ink_width(font, candidate) <= max_width:
            current = candidate
            continue
        if current:
            lines.append(current)
        pieces = _break_word(word, font, max_width)
        lines.extend(pieces[:-1])
        current = pieces[-1]
    if current:
        lines.append(current)
    return lines


def _wrap_balanced(text: str, font: ImageFont.FreeTypeFont, max_width: int) -> list[str]:
    """Greedy line count, but lines of even length: centred text looks ragged
    with a full first line and a lonely last word ("… gắn liền với" / "đất")."""
    lines = _wrap_greedy(text, font, max_width)
    if len(lines) <= 1:
        return lines
    low, high = max_width // len(lines), max_width
    while low < high:
        mid = (low + high) // 2
        if len(_wrap_greedy(text, font, mid)) <= len(lines):
            high = mid
        else:
            low = mid + 1
    return _wrap_greedy(text, font, high)


def _paragraphs(text: str) -> list[str]:
    return [para for para in (" ".join(raw.split()) for raw in text.split("\n")) if para]


def wrap_text(text: str, font: ImageFont.FreeTypeFont, max_width: int) -> list[str]:
    """Wrap to ``max_width``; a newline in ``text`` forces a break.

    A "Label: value" line that does not fit breaks after the colon first, so a
    label is never split from itself ("Thời gian chờ dự" / "kiến: …").
    """
    lines: list[str] = []
    for para in _paragraphs(text):
        if ink_width(font, para) <= max_width:
            lines.append(para)
            continue
        head, sep, tail = para.partition(": ")
        if sep and tail and ink_width(font, head + ":") <= max_width:
            lines.append(head + ":")
            para = tail
        lines.extend(_wrap_balanced(para, font, max_width))
    return lines


@functools.lru_cache(maxsize=64)
def shrink_size(text: str, weight: str, size: int, min_size: int, max_width: int) -> int:
    """Largest size in ``[min_size, size]`` at which every paragraph fits on one
    line; ``size`` (then wrapped) if even ``min_size`` is too big."""
    paragraphs = _paragraphs(text)
    for candidate in range(size, min_size - 1, -1):
        font = load_font(weight, candidate)
        if all(ink_width(font, para) <= max_width for para in paragraphs):
            return candidate
    return size


@functools.lru_cache(maxsize=512)
def fit_size(text: str, weight: str, max_width: int, max_size: int) -> int:
    """Largest font size <= max_size at which ``text`` fits ``max_width``."""
    size = max_size
    width = ink_width(load_font(weight, size), text)
    if width > max_width:
        # Width grows almost linearly with size; start there, then step down
        # past any hinting rounding.
        size = max(8, max_size * max_width // width)
        while size > 8 and ink_width(load_font(weight, size), text) > max_width:
            size -= 1
    return size
