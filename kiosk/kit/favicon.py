"""The motcua icon of the kiosk's local pages (the touch page, the demo's pad page).

The same two files as the hub's ``hub/static/favicon.*`` (the agents never import the
hub): an SVG that pages link with ``<link rel="icon">``, and a PNG answered at
``/favicon.ico``, where browsers look by default.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["ICON_DIR", "MAX_AGE_S", "PNG", "SVG"]

ICON_DIR = Path(__file__).parent / "icons"
SVG = "favicon.svg"
PNG = "favicon.png"
#: A day: the icon only changes with a new release.
MAX_AGE_S = 86400
