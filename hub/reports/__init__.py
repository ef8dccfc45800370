"""Reports: the figures of :mod:`hub.stats` as XLSX workbooks and CSV files, the
province's satisfaction form as a sheet and a PDF ready to sign, and the rated
dossiers for upload to a provincial system."""

from hub.reports.dossiers import dossiers_csv, dossiers_xlsx
from hub.reports.form import Form, build_form
from hub.reports.form_pdf import build_pdf
from hub.reports.workbook import (
    CSV_SEPARATORS,
    DEFAULT_BY,
    FORM_SHEET,
    KINDS,
    build_csv,
    build_xlsx,
    filename,
)

__all__ = [
    "CSV_SEPARATORS",
    "DEFAULT_BY",
    "FORM_SHEET",
    "KINDS",
    "Form",
    "build_csv",
    "build_form",
    "build_pdf",
    "build_xlsx",
    "dossiers_csv",
    "dossiers_xlsx",
    "filename",
]
