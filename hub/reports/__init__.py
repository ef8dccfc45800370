"""Reports: the figures of :mod:`hub.stats` as XLSX workbooks and CSV files."""

from hub.reports.workbook import DEFAULT_BY, FORM_SHEET, KINDS, build_csv, build_xlsx, filename

__all__ = ["DEFAULT_BY", "FORM_SHEET", "KINDS", "build_csv", "build_xlsx", "filename"]
