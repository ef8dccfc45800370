"""The provincial form (:class:`hub.reports.form.Form`) as a PDF ready to sign.

fpdf2 lays it out on A4 landscape with Be Vietnam Pro, the font the project
already ships (:mod:`hub.fonts`), embedded (subset), so the diacritics print the
same on any machine: the authority and the unit on the left and the national
header on the right, the place-and-date line, the title, the period and the
question, the table (each unit's name over its officers' lines, the headings
again on each page), the note on flagged ratings and the signature block.
"""

from __future__ import annotations

import logging

from fpdf import FPDF
from fpdf.enums import Align, TableCellFillMode, VAlign, XPos, YPos
from fpdf.fonts import FontFace

from hub.fonts import font_path
from hub.reports.form import (
    HEADERS,
    MOTTO,
    NATION,
    PER_LEVEL,
    SIGNER,
    SIGNER_HINT,
    Form,
    FormRow,
    count_text,
    percent_text,
)

# fontTools logs every subsetting step at INFO: a report's progress drowned in them.
logging.getLogger("fontTools").setLevel(logging.WARNING)

FAMILY = "BeVietnamPro"
STYLES = {"": "Regular", "B": "Bold", "I": "Italic", "BI": "BoldItalic"}
MARGIN = 14.0
LEFT_W = 112.0
"""The width of the left (authority, unit) and the right (national) header blocks."""
HEAD_FILL = (230, 236, 244)
TOTAL_FILL = (245, 245, 245)


def _pdf(form: Form) -> FPDF:
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    for style, name in STYLES.items():
        pdf.add_font(FAMILY, style=style, fname=str(font_path(name)))
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(auto=True, margin=MARGIN)
    pdf.set_title(f"{form.title} {form.period_line}")
    pdf.set_author(form.unit_name)
    pdf.set_creator("motcua")
    pdf.set_lang("vi")
    return pdf


def _block(pdf: FPDF, x: float, width: float, lines: list[tuple[str, str, float]]) -> float:
    """Centred lines ``(text, style, size)`` in a column from ``x``; returns the bottom."""
    pdf.set_y(MARGIN)
    for text, style, size in lines:
        pdf.set_x(x)
        pdf.set_font(FAMILY, style, size)
        pdf.multi_cell(width, 5.2, text, align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return pdf.get_y()


def _rule(pdf: FPDF, x: float, width: float, length: float, y: float) -> None:
    """The short line under the unit's name and under the motto."""
    pdf.set_line_width(0.3)
    middle = x + width / 2
    pdf.line(middle - length / 2, y + 0.8, middle + length / 2, y + 0.8)


def _header(pdf: FPDF, form: Form) -> None:
    right_x = pdf.w - MARGIN - LEFT_W
    left = [(form.authority.upper(), "", 10.5)] if form.authority else []
    left.append((form.unit_name.upper(), "B", 10.5))
    bottom_left = _block(pdf, MARGIN, LEFT_W, left)
    _rule(pdf, MARGIN, LEFT_W, 34, bottom_left)
    bottom_right = _block(pdf, right_x, LEFT_W, [(NATION, "B", 10.5), (MOTTO, "B", 11.5)])
    _rule(pdf, right_x, LEFT_W, 58, bottom_right)
    pdf.set_xy(right_x, max(bottom_left, bottom_right) + 3)
    pdf.set_font(FAMILY, "I", 10.5)
    pdf.cell(LEFT_W, 6, form.place_date, align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(5)
    pdf.set_font(FAMILY, "B", 14)
    pdf.cell(0, 8, form.title, align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if form.period_name:
        pdf.set_font(FAMILY, "B", 11)
        pdf.cell(0, 6, f"Kỳ báo cáo: {form.period_name}", align=Align.C,
                 new_x=XPos.LMARGIN, new_y=YPos.NEXT)  # fmt: skip
    pdf.set_font(FAMILY, "I", 11)
    pdf.cell(0, 6, form.period_line, align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.multi_cell(0, 6, form.question, align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(3)


def _widths(pdf: FPDF, levels: int) -> list[float]:
    fixed = [10.0, 58.0, 46.0, 20.0]
    rest = (pdf.w - 2 * MARGIN - sum(fixed)) / (2 * levels)
    return fixed + [rest] * (2 * levels)


def _spans(rows: tuple[FormRow, ...]) -> list[int]:
    """How many lines each unit's name stands over (its own and its officers')."""
    spans = [0] * len(rows)
    for i, row in enumerate(rows):
        if row.kind == "unit":
            spans[i] = 1
            j = i + 1
            while j < len(rows) and rows[j].kind == "officer":
                spans[i] += 1
                j += 1
    return spans


def _table(pdf: FPDF, form: Form) -> None:
    bold = FontFace(emphasis="BOLD")
    heading = FontFace(emphasis="BOLD", fill_color=HEAD_FILL)
    total_style = FontFace(emphasis="BOLD", fill_color=TOTAL_FILL)
    pdf.set_font(FAMILY, "", 9.5)
    with pdf.table(
        col_widths=_widths(pdf, len(form.levels)),
        num_heading_rows=2,
        headings_style=heading,
        text_align=Align.C,
        v_align=VAlign.M,
        line_height=5,
        padding=1.2,
        cell_fill_mode=TableCellFillMode.NONE,
    ) as table:
        top = table.row()
        for text in HEADERS:
            top.cell(text, rowspan=2)
        for level in form.levels:
            top.cell(level, colspan=2)
        second = table.row()
        for _ in form.levels:
            for text in PER_LEVEL:
                second.cell(text)
        for line, span in zip(form.rows, _spans(form.rows), strict=True):
            style = total_style if line.kind == "total" else (bold if line.kind == "unit" else None)
            row = table.row(style=style)
            row.cell(line.number)
            if line.kind == "total":
                row.cell(line.unit, colspan=2, align=Align.L)
            else:
                if span:
                    row.cell(line.unit, rowspan=span, align=Align.L, v_align=VAlign.T)
                row.cell(line.officer, align=Align.L)
            row.cell(count_text(line.total))
            for n, part in zip(line.counts, line.shares, strict=True):
                row.cell(count_text(n))
                row.cell(percent_text(part))


def _footer(pdf: FPDF, form: Form) -> None:
    pdf.ln(3)
    pdf.set_font(FAMILY, "I", 10)
    pdf.multi_cell(0, 5.5, form.note, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if pdf.get_y() > pdf.h - MARGIN - 40:
        pdf.add_page()
    pdf.ln(4)
    right_x = pdf.w - MARGIN - LEFT_W
    pdf.set_x(right_x)
    pdf.set_font(FAMILY, "B", 11)
    pdf.cell(LEFT_W, 6, SIGNER, align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_x(right_x)
    pdf.set_font(FAMILY, "I", 10)
    pdf.cell(LEFT_W, 6, SIGNER_HINT, align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def build_pdf(form: Form) -> bytes:
    """The form as the bytes of a PDF (A4 landscape, fonts embedded)."""
    pdf = _pdf(form)
    pdf.add_page()
    _header(pdf, form)
    _table(pdf, form)
    _footer(pdf, form)
    return bytes(pdf.output())
