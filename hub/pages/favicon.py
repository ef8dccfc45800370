"""``/favicon.ico``: the hub's icon where browsers look for it by default.

Every page links ``static/favicon.svg`` (``<link rel="icon">``); a browser that asks
for ``/favicon.ico`` anyway (a JSON answer opened in a tab, an old browser) gets the
same icon as a PNG, which every browser reads whatever the name says. Both files are
in the package: nothing comes from the internet.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, send_from_directory

bp = Blueprint("favicon", __name__)

#: A day: the icon only changes with a new release.
MAX_AGE_S = 86400


@bp.get("/favicon.ico")
def favicon() -> Any:
    """The icon as a PNG."""
    folder = current_app.static_folder or ""
    return send_from_directory(folder, "favicon.png", mimetype="image/png", max_age=MAX_AGE_S)
