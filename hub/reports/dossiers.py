"""``motcua report dossiers``: one row per dossier code with its ticket's rating, as CSV
and XLSX shaped for upload to a provincial system: a plain header row
(:data:`hub.dossiers.HEADERS`), one row per dossier, times as ISO 8601 text in the
site's timezone, nothing else on the sheet. Text that could be a formula is made
inert (:mod:`hub.reports.cells`)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from openpyxl import Workbook

from hub.dossiers import HEADERS, DossierRow
from hub.reports.cells import text_cell

SHEET = "ho_so"


def _cells(row: DossierRow) -> list[str]:
    return [str(text_cell(cell)) for cell in row.cells()]


def dossiers_csv(rows: Sequence[DossierRow]) -> bytes:
    """The rows as CSV (UTF-8 with a BOM, so spreadsheet programs read the diacritics)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADERS)
    writer.writerows(_cells(row) for row in rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def dossiers_xlsx(rows: Sequence[DossierRow]) -> bytes:
    """The rows as a one-sheet workbook: the header row, then one row per dossier."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None  # a new workbook has its sheet
    ws.title = SHEET
    ws.append(list(HEADERS))
    for row in rows:
        ws.append(_cells(row))
    for column, width in zip("ABCDEFG", (28, 28, 24, 16, 18, 36, 26), strict=True):
        ws.column_dimensions[column].width = width
    ws.freeze_panes = "A2"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
