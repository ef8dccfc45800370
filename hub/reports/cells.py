"""Text that a spreadsheet program shows, never runs.

A cell whose text starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return is taken as a formula by Excel and LibreOffice (CSV injection: a name
like ``=HYPERLINK("http://evil/","x")`` would run when a manager opens the
report). Such text gets a leading apostrophe, which spreadsheets read as "this
is text", in CSV and XLSX alike.

A cell cannot hold the characters XML 1.0 forbids (control characters other than
tab and line breaks, U+FFFE, U+FFFF): openpyxl refuses to write them, and the
whole report would fail. A name that holds one (a forwarded site's, a display
name an admin typed) shows it as its escape (``\x1b``), as the logs do.
"""

from __future__ import annotations

import json
import re
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NOT_IN_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def text_cell(value: Any) -> Any:
    """``value`` as a spreadsheet cell: text that could be a formula made inert, and
    characters a workbook cannot hold written as escapes."""
    if not isinstance(value, str):
        return value
    value = _NOT_IN_XML.sub(lambda m: m.group(0).encode("unicode_escape").decode("ascii"), value)
    if value.startswith(FORMULA_START):
        return "'" + value
    return value


def json_cell(value: Any) -> str:
    """Any value as the text of one inert cell (JSON for structures)."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return str(text_cell(text))
