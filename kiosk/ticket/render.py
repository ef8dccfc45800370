"""Draw a queue ticket as a 1-bit raster image, ready for an ESC/POS printer.

Printing an image rather than text makes Vietnamese correct on every printer,
whatever code pages it has (``shared/design/hardware.md`` §1). The fonts ship
with the package ``fontpkg-be-vietnam-pro``; no system font is used. Text is
normalised to NFC and laid out with Pillow's basic engine, so the same ticket
gives the same pixels on every machine with the same Pillow (golden tests).

Public API: :class:`TicketContent`, :func:`render_ticket`, and re-exported
from :mod:`kiosk.ticket.layout`: :class:`TicketLayout`, :func:`font_path`,
:func:`missing_glyphs`, :data:`FONT_WEIGHTS`.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import qrcode
from PIL import Image, ImageDraw

from kiosk.ticket import text_vi
from kiosk.ticket.layout import (
    FONT_LOCK,
    FONT_WEIGHTS,
    TicketLayout,
    fit_size,
    font_path,
    load_font,
    missing_glyphs,
    nfc,
    shrink_size,
    wrap_text,
)

__all__ = [
    "FONT_WEIGHTS",
    "TicketContent",
    "TicketLayout",
    "body_lines",
    "font_path",
    "missing_glyphs",
    "render_ticket",
]

logger = logging.getLogger(__name__)

_MAX_URL_LEN = 1024  # far below QR capacity at level M, far above any status URL
_INK_THRESHOLD = 128  # grey level below which an anti-aliased pixel becomes ink
_SHRINK = 0.85  # centre name and header may shrink this much rather than wrap
_THRESHOLD_LUT = [0] * _INK_THRESHOLD + [255] * (256 - _INK_THRESHOLD)


@dataclass(frozen=True)
class TicketContent:
    """What one ticket says. Built by the kiosk from the hub's reply.

    Attributes:
        centre_name: e.g. "Trung tâm Phục vụ hành chính công xã Tân Phú".
        service_name: The field (lĩnh vực), e.g. "Đất đai".
        number: The queue number as displayed, e.g. "1023" or "A005".
        waiting_ahead: Tickets ahead of this one (0 = next).
        estimated_wait_s: Estimated wait in seconds, ``None`` if unknown.
        priority: The hub's priority category ("elderly", …) or ``None``.
        issued_at: When the ticket was issued; timezone-aware (UTC).
        timezone: The site's IANA timezone, e.g. "Asia/Ho_Chi_Minh".
        status_url: URL of the ticket's status page, encoded in the QR code.
        counter_hint: Optional line printed verbatim under the wait, e.g. "Quầy số 3".
        no_open_counter: No open counter serves the field: the ticket says so and
            prints no estimated wait.
        footer: Overrides the layout's thank-you line for this ticket.

    Raises:
        ValueError: on construction, listing every invalid field.
    """

    centre_name: str
    service_name: str
    number: str
    waiting_ahead: int
    estimated_wait_s: int | None
    priority: str | None
    issued_at: datetime
    timezone: str
    status_url: str
    counter_hint: str | None = None
    footer: str | None = None
    no_open_counter: bool = False

    def __post_init__(self) -> None:
        problems: list[str] = []
        if not self.number.strip():
            problems.append("number is empty")
        if self.waiting_ahead < 0:
            problems.append(f"waiting_ahead={self.waiting_ahead} is negative")
        if self.estimated_wait_s is not None and self.estimated_wait_s < 0:
            problems.append(f"estimated_wait_s={self.estimated_wait_s} is negative")
        if self.issued_at.tzinfo is None or self.issued_at.utcoffset() is None:
            problems.append("issued_at must be timezone-aware")
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            problems.append(f"timezone={self.timezone!r} is not a known IANA timezone")
        if not self.status_url or len(self.status_url) > _MAX_URL_LEN:
            problems.append(f"status_url must be 1..{_MAX_URL_LEN} characters")
        if problems:
            raise ValueError("invalid ticket content: " + "; ".join(problems))


# Rendered lines are cached: most of a ticket (centre name, title, labels,
# footer) is identical on every ticket, and hinting makes each glyph cost tens
# of microseconds. Masks are read-only once cached (255 = ink).


@functools.lru_cache(maxsize=256)
def _line_masks(text: str, weight: str, size: int, max_width: int) -> tuple[Image.Image, ...]:
    """Wrap ``text`` and render each line into an ink mask as wide as its ink.

    Each mask is as tall as the line's ink needs, never less than the font's
    ascent + descent, so stacked marks (Ấ, Ỗ) never clip and lines keep an
    even rhythm.
    """
    font = load_font(weight, size)
    ascent, descent = font.getmetrics()
    masks: list[Image.Image] = []
    for line in wrap_text(text, font, max_width):
        x0, y0, x1, y1 = font.getbbox(line, anchor="ls")
        top = max(ascent, -y0)
        mask = Image.new("L", (x1 - x0, top + max(descent, y1)), 0)
        ImageDraw.Draw(mask).text((-x0, top), line, font=font, fill=255, anchor="ls")
        masks.append(mask)
    return tuple(masks)


# A number is printed once a day (a reprint at most): a few are kept, not a day's worth
# (each mask is tens of KB, and they stayed resident on a Pi).
@functools.lru_cache(maxsize=8)
def _number_mask(text: str, max_width: int, max_size: int) -> Image.Image:
    """The number's ink mask, as large as fits ``max_width``, cropped to its ink
    vertically (digits have no descenders; empty space would waste paper)."""
    font = load_font("ExtraBold", fit_size(text, "ExtraBold", max_width, max_size))
    x0, y0, x1, y1 = font.getbbox(text, anchor="ls")
    mask = Image.new("L", (x1 - x0, y1 - y0), 0)
    ImageDraw.Draw(mask).text((-x0, -y0), text, font=font, fill=255, anchor="ls")
    return mask


# --- blocks -----------------------------------------------------------------

_Painter = Callable[[Image.Image, int], None]


@dataclass(frozen=True)
class _Block:
    height: int
    paint: _Painter


def _text_block(
    text: str,
    weight: str,
    size: int,
    layout: TicketLayout,
    *,
    fill: int = 0,
    max_width: int | None = None,
    shrink_to: float = 1.0,
) -> _Block:
    """Centred, wrapped text in ``fill`` (0 = black ink, 255 = white on black).

    With ``shrink_to`` < 1 the text may shrink to that fraction of ``size``
    to avoid wrapping (a centre name one word too long for the line).
    """
    width = layout.content_width if max_width is None else max_width
    text = nfc(text)
    if shrink_to < 1.0:
        size = shrink_size(text, weight, size, max(8, round(size * shrink_to)), width)
    placed: list[tuple[Image.Image, int, int]] = []  # mask, x, y offset
    y = 0
    for mask in _line_masks(text, weight, size, width):
        placed.append((mask, layout.margin_x + (layout.content_width - mask.width) // 2, y))
        y += mask.height + layout.line_gap
    height = max(0, y - layout.line_gap)

    def paint(img: Image.Image, top_y: int) -> None:
        for mask, x, dy in placed:
            img.paste(fill, (x, top_y + dy), mask)

    return _Block(height, paint)


def _number_block(number: str, layout: TicketLayout) -> _Block:
    """The queue number, as large as fits the width."""
    mask = _number_mask(nfc(number.strip()), layout.content_width, layout.number_max_size)
    x = layout.margin_x + (layout.content_width - mask.width) // 2

    def paint(img: Image.Image, top_y: int) -> None:
        img.paste(0, (x, top_y), mask)

    return _Block(mask.height, paint)


def _priority_block(category: str, layout: TicketLayout) -> _Block:
    """White text on a black band, so priority stands out at a glance."""
    pad = layout.priority_padding
    inner = _text_block(
        text_vi.priority_line(category, layout.lang),
        "Bold",
        layout.priority_size,
        layout,
        fill=255,
        max_width=layout.content_width - 2 * pad,
    )
    height = inner.height + 2 * pad
    left, right = layout.margin_x, layout.margin_x + layout.content_width

    def paint(img: Image.Image, top_y: int) -> None:
        img.paste(0, (left, top_y, right, top_y + height))
        inner.paint(img, top_y + pad)

    return _Block(height, paint)


def _rule_block(layout: TicketLayout) -> _Block:
    left, right = layout.margin_x, layout.margin_x + layout.content_width
    thickness = layout.rule_thickness

    def paint(img: Image.Image, top_y: int) -> None:
        img.paste(0, (left, top_y, right, top_y + thickness))

    return _Block(thickness, paint)


def _image_block(picture: Image.Image, layout: TicketLayout) -> _Block:
    x = layout.margin_x + (layout.content_width - picture.width) // 2

    def paint(img: Image.Image, top_y: int) -> None:
        img.paste(picture, (x, top_y))

    return _Block(picture.height, paint)


def _qr_image(url: str, layout: TicketLayout) -> Image.Image:
    """QR code (level M, 4-module quiet zone) at a whole number of dots per
    module, so every module prints as a sharp square."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    code.add_data(url.encode("utf-8"))
    code.make(fit=True)
    matrix = code.get_matrix()
    modules = len(matrix)
    box = min(layout.qr_size, layout.content_width) // modules
    if box < 1:
        raise ValueError(f"status URL needs a {modules}-module QR code; the paper is too narrow")
    if box < 3:
        logger.warning("QR code of %d modules prints at %d dots/module; may not scan", modules, box)
    small = Image.frombytes(
        "L", (modules, modules), bytes(0 if dark else 255 for row in matrix for dark in row)
    )
    return small.resize((modules * box, modules * box), Image.Resampling.NEAREST)


@functools.lru_cache(maxsize=8)
def _load_logo(path: str, max_width: int, max_height: int) -> Image.Image:
    with Image.open(path) as src:
        rgba = src.convert("RGBA")
    # Transparent areas print as paper, not as black.
    flat = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    flat.alpha_composite(rgba)
    grey = flat.convert("L")
    scale = min(max_width / grey.width, max_height / grey.height, 1.0)
    size = (max(1, round(grey.width * scale)), max(1, round(grey.height * scale)))
    grey = grey.resize(size, Image.Resampling.LANCZOS)
    # Dither so logos with grey areas keep their shading on a 1-bit head.
    return grey.convert("1").convert("L")


def _logo_block(layout: TicketLayout) -> _Block | None:
    if layout.logo_path is None:
        return None
    try:
        logo = _load_logo(str(layout.logo_path), layout.content_width, layout.logo_max_height)
    except OSError as err:
        # A broken logo must not stop tickets from being issued.
        logger.warning("ticket logo %s unusable, printing without it: %s", layout.logo_path, err)
        return None
    return _image_block(logo, layout)


# --- the ticket -------------------------------------------------------------


def body_lines(content: TicketContent, lang: str = "vi") -> list[str]:
    """The lines under the number: people ahead, the wait (or that no open counter
    serves the field, with no estimate), and the counter hint."""
    body = [
        text_vi.format_people_ahead(content.waiting_ahead, lang),
        text_vi.wait_or_no_counter_line(content.estimated_wait_s, content.no_open_counter, lang),
    ]
    if content.counter_hint:
        body.append(content.counter_hint)
    return body


def _blocks(content: TicketContent, layout: TicketLayout) -> list[_Block | None]:
    """The ticket from top to bottom; ``None`` marks a gap between sections."""
    lang = layout.lang
    labels = text_vi.labels(lang)
    centre = text_vi.break_centre_name(content.centre_name)
    if layout.uppercase_centre_name:
        centre = centre.upper()
    blocks: list[_Block | None] = [_logo_block(layout)]
    blocks += [
        _text_block(line, "SemiBold", layout.header_size, layout, shrink_to=_SHRINK)
        for line in layout.header_lines
    ]
    blocks += [
        _text_block(centre, "Bold", layout.centre_size, layout, shrink_to=_SHRINK),
        None,
        _rule_block(layout),
        None,
        _text_block(labels["title"], "Bold", layout.title_size, layout),
        _text_block(
            text_vi.field_line(content.service_name, lang), "SemiBold", layout.field_size, layout
        ),
        None,
        _number_block(content.number, layout),
        None,
    ]
    if content.priority:
        blocks += [_priority_block(content.priority, layout), None]
    blocks += [
        _text_block(line, "Medium", layout.body_size, layout) for line in body_lines(content, lang)
    ]
    blocks += [
        _text_block(
            text_vi.issued_line(content.issued_at, content.timezone, lang),
            "Medium",
            layout.small_size,
            layout,
        ),
        None,
        _rule_block(layout),
        None,
    ]
    if layout.show_qr:
        caption = labels["qr_caption"] if layout.qr_caption is None else layout.qr_caption
        blocks.append(_image_block(_qr_image(content.status_url, layout), layout))
        if caption:
            blocks.append(_text_block(caption, "Medium", layout.small_size, layout))
        blocks.append(None)
    footer = content.footer if content.footer is not None else layout.footer
    if footer is None:
        footer = labels["footer"]
    if footer:
        blocks.append(_text_block(footer, "SemiBold", layout.body_size, layout))
    return blocks


def render_ticket(content: TicketContent, layout: TicketLayout | None = None) -> Image.Image:
    """Render a ticket as a 1-bit image exactly ``layout.paper_dots`` wide.

    Top to bottom: optional logo and header lines, centre name, "PHIẾU SỐ THỨ
    TỰ", field, the number (as large as fits), priority band, people ahead,
    estimated wait, counter hint, issue time in the site's timezone, QR code
    of the status URL with a caption, thank-you line. Text wraps, never
    overflows the margins. Deterministic: same input, same pixels.
    Thread-safe (renders are serialised).

    Args:
        content: What the ticket says.
        layout: Geometry and options; defaults to ``TicketLayout.for_paper(576)``.

    Returns:
        A mode ``"1"`` image (0 = ink, 255 = paper).
    """
    layout = layout or TicketLayout.for_paper(576)
    with FONT_LOCK:
        return _render(content, layout)


def _render(content: TicketContent, layout: TicketLayout) -> Image.Image:
    blocks = _blocks(content, layout)
    # Collapse gaps: never two in a row, none at the very start or end.
    items: list[_Block | int] = []
    for block in blocks:
        if block is None:
            if items and not isinstance(items[-1], int):
                items.append(layout.block_gap)
        else:
            if items and not isinstance(items[-1], int):
                items.append(layout.line_gap * 2)
            items.append(block)
    while items and isinstance(items[-1], int):
        items.pop()
    height = layout.margin_top + layout.margin_bottom
    height += sum(item if isinstance(item, int) else item.height for item in items)
    canvas = Image.new("L", (layout.paper_dots, height), 255)
    y = layout.margin_top
    for item in items:
        if isinstance(item, int):
            y += item
        else:
            item.paint(canvas, y)
            y += item.height
    # A fixed threshold, not dithering: text edges stay clean and the result
    # is reproducible pixel for pixel.
    return canvas.point(_THRESHOLD_LUT, "1")
