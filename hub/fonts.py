"""Be Vietnam Pro, served from its Python package (a dependency): no CDN, no copies."""

from __future__ import annotations

from pathlib import Path

import fontpkg_be_vietnam_pro
from flask import Response, send_file

WEIGHTS = ("Regular", "Medium", "SemiBold", "Bold", "ExtraBold")
MAX_AGE_S = 30 * 86400


def font_response(weight: str) -> Response | None:
    """The TTF of one weight, or ``None`` for a weight we do not serve."""
    if weight not in WEIGHTS:
        return None
    path = Path(fontpkg_be_vietnam_pro.ROOT) / "files" / f"BeVietnamPro-{weight}.ttf"
    return send_file(path, mimetype="font/ttf", max_age=MAX_AGE_S)
