"""Be Vietnam Pro, from its Python package (a dependency): no CDN, no copies. The pages
get it served; the PDF reports embed it."""

from __future__ import annotations

from pathlib import Path

import fontpkg_be_vietnam_pro
from flask import Response, send_file

WEIGHTS = ("Regular", "Medium", "SemiBold", "Bold", "ExtraBold")
MAX_AGE_S = 30 * 86400


def font_path(style: str) -> Path:
    """The TTF file of one style of the family (``Regular``, ``Bold``, ``Italic``, …)."""
    return Path(fontpkg_be_vietnam_pro.ROOT) / "files" / f"BeVietnamPro-{style}.ttf"


def font_response(weight: str) -> Response | None:
    """The TTF of one weight, or ``None`` for a weight we do not serve."""
    if weight not in WEIGHTS:
        return None
    return send_file(font_path(weight), mimetype="font/ttf", max_age=MAX_AGE_S)
