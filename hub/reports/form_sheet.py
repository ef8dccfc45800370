"""The provincial form (:class:`hub.reports.form.Form`) as a sheet of an XLSX workbook.

Laid out as the printed form: the authority and the unit on the left and the
national header on the right, the place-and-date line, the title, the period
and the question; the table with two header rows (each level over its
``Số phiếu`` and ``Tỷ lệ``); the note on flagged ratings and the signature
block. Times New Roman, as administrative documents are set; A4 landscape,
one page wide.
"""

from __future__ import annotations

from typing import Any

from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from hub.reports.cells import text_cell
from hub.reports.form import HEADERS, MOTTO, NATION, PER_LEVEL, SIGNER, SIGNER_HINT, Form

FONT = "Times New Roman"
THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
SHARE = "0.0%"
COUNT = "#,##0"


def _font(bold: bool = False, italic: bool = False, size: int = 12) -> Font:
    return Font(name=FONT, bold=bold, italic=italic, size=size)


def _line(ws: Worksheet, row: int, first: int, last: int, text: str, font: Font) -> None:
    """``text`` centred over columns ``first``–``last`` of ``row``."""
    cell = ws.cell(row=row, column=first, value=text_cell(text))
    cell.font, cell.alignment = font, CENTRE
    if last > first:
        ws.merge_cells(start_row=row, start_column=first, end_row=row, end_column=last)


def _header(ws: Worksheet, form: Form, width: int) -> int:
    """The header, title, period and question; returns the next free row."""
    left_end, right_start = 3, 5
    _line(ws, 1, 1, left_end, form.authority.upper(), _font())
    _line(ws, 1, right_start, width, NATION, _font(bold=True))
    _line(ws, 2, 1, left_end, form.unit_name.upper(), _font(bold=True))
    _line(ws, 2, right_start, width, MOTTO, _font(bold=True, size=13))
    _line(ws, 4, right_start, width, form.place_date, _font(italic=True))
    _line(ws, 6, 1, width, form.title, _font(bold=True, size=14))
    row = 7
    if form.period_name:
        _line(ws, row, 1, width, f"Kỳ báo cáo: {form.period_name}", _font(bold=True))
        row += 1
    _line(ws, row, 1, width, form.period_line, _font(italic=True))
    _line(ws, row + 1, 1, width, form.question, _font(italic=True))
    ws.row_dimensions[2].height = 32
    ws.row_dimensions[row + 1].height = 32
    return row + 3


def _table_head(ws: Worksheet, form: Form, top: int) -> None:
    for col, text in enumerate(HEADERS, 1):
        _line(ws, top, col, col, text, _font(bold=True))
        ws.merge_cells(start_row=top, start_column=col, end_row=top + 1, end_column=col)
    for i, level in enumerate(form.levels):
        col = len(HEADERS) + 1 + 2 * i
        _line(ws, top, col, col + 1, level, _font(bold=True))
        for j, text in enumerate(PER_LEVEL):
            _line(ws, top + 1, col + j, col + j, text, _font(bold=True))
    for r in (top, top + 1):
        for col in range(1, len(HEADERS) + 2 * len(form.levels) + 1):
            ws.cell(row=r, column=col).border = BOX
    ws.row_dimensions[top].height = 30


def _table_rows(ws: Worksheet, form: Form, first: int) -> int:
    """The table's lines from row ``first``; returns the row after the last. A unit's name
    stands, merged, over its own line and its officers'."""
    row = first
    blocks: list[list[int]] = []
    for line in form.rows:
        bold = line.kind != "officer"
        unit = "" if line.kind == "officer" else line.unit
        number: Any = int(line.number) if line.number.isdigit() else line.number
        values: list[Any] = [number, text_cell(unit), text_cell(line.officer), line.total]
        for n, part in zip(line.counts, line.shares, strict=True):
            values += [n, part]
        for col, value in enumerate(values, 1):
            cell = ws.cell(row=row, column=col, value=value)
            cell.font, cell.border = _font(bold=bold), BOX
            cell.alignment = Alignment(
                horizontal="left" if col in (2, 3) else "center", vertical="center", wrap_text=True
            )
            if col >= len(HEADERS):
                share = col > len(HEADERS) and (col - len(HEADERS)) % 2 == 0
                cell.number_format = SHARE if share else COUNT
        if line.kind == "total":
            ws.merge_cells(start_row=row, start_column=2, end_row=row, end_column=3)
        elif line.kind == "unit":
            blocks.append([row, row])
        elif blocks:
            blocks[-1][1] = row
        row += 1
    for top, bottom in blocks:
        if bottom > top:
            ws.merge_cells(start_row=top, start_column=2, end_row=bottom, end_column=2)
    return row


def write_form_sheet(ws: Worksheet, form: Form) -> None:
    """Fill ``ws`` with ``form``."""
    width = len(HEADERS) + 2 * len(form.levels)
    top = _header(ws, form, width)
    _table_head(ws, form, top)
    after = _table_rows(ws, form, top + 2)
    _line(ws, after + 1, 1, width, form.note, _font(italic=True, size=11))
    ws.cell(row=after + 1, column=1).alignment = Alignment(horizontal="left", wrap_text=True)
    _line(ws, after + 3, 5, width, SIGNER, _font(bold=True))
    _line(ws, after + 4, 5, width, SIGNER_HINT, _font(italic=True))
    widths = {1: 6, 2: 34, 3: 28, 4: 11}
    for col in range(1, width + 1):
        ws.column_dimensions[get_column_letter(col)].width = widths.get(col, 10)
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{top}:{top + 1}"
    ws.freeze_panes = ws.cell(row=top + 2, column=1)
