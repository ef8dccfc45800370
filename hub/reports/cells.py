"""Text that a spreadsheet program shows, never runs.

A cell whose text starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return is taken as a formula by Excel and LibreOffice (CSV injection: a name
like ``=HYPERLINK("http://evil/","x")`` would run when a manager opens the
report). Such text gets a leading apostrophe, which spreadsheets read as "this
is text", in CSV and XLSX alike.
"""

from __future__ import annotations

import json
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def text_cell(value: Any) -> Any:
    """``value`` as a spreadsheet cell: text that could be a formula made inert."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def json_cell(value: Any) -> str:
    """Any value as the text of one inert cell (JSON for structures)."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return str(text_cell(text))
