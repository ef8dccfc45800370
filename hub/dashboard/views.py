"""Routes of the dashboard: the page, its JSON data and report downloads.

The language is the pages' (:func:`hub.pages.i18n.select_locale`: ``?lang=``,
remembered in the same cookie); who may come in is declared with the pages'
:func:`hub.pages.security.requires`.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from flask import Blueprint, Response, abort, jsonify, render_template, request

from config.wire import Role
from hub import errors
from hub.context import current_hub
from hub.dashboard import data
from hub.dashboard.labels import PRESET_LABELS, refused_text, script_strings
from hub.fonts import font_response
from hub.pages.common import page_context
from hub.pages.i18n import current_locale
from hub.pages.security import current_actor, requires
from hub.queue import site_day
from hub.ratings.periods import PRESETS, preset_range
from hub.reports import (
    CSV_SEPARATORS,
    DEFAULT_BY,
    build_csv,
    build_form,
    build_pdf,
    build_xlsx,
    filename,
)
from hub.responses import error_json, wants_json
from hub.stats import check_range

logger = logging.getLogger(__name__)
MANAGERS = (Role.MANAGER, Role.ADMIN)
FORMATS = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "pdf": "application/pdf",
}

bp = Blueprint(
    "dashboard",
    __name__,
    url_prefix="/dashboard",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
REFUSED = "Chỉ lãnh đạo và quản trị viên xem được trang này"


def _range(hub: Any) -> tuple[date, date, str]:
    """``from``/``to`` from the query, else the ``period`` preset (default: this month),
    closing on ``[reports] period_cutoff_day``."""
    period = request.args.get("period", "month")
    today = site_day(hub.clock(), hub.config.site.timezone)
    try:
        if request.args.get("from") and request.args.get("to"):
            start = date.fromisoformat(request.args["from"])
            end = date.fromisoformat(request.args["to"])
            period = "custom"
        else:
            if period not in PRESETS:
                raise ValueError(period)
            start, end = preset_range(period, today, hub.config.reports.period_cutoff_day)
    except ValueError:
        raise errors.BadRequest("Khoảng thời gian không hợp lệ", code="invalid_range") from None
    check_range(start, end, "day")
    return start, end, period


def _flag_toggle() -> bool:
    """``?flagged=1``: count the flagged ratings in the rates too."""
    return request.args.get("flagged") in ("1", "true", "on")


@bp.after_request
def _headers(response: Response) -> Response:
    """The dashboard's own CSP and no caching of its page and data; the other headers are
    every page's (:func:`hub.pages.security.security_headers`)."""
    response.headers.setdefault("Content-Security-Policy", CSP)
    if response.mimetype in ("text/html", "application/json"):
        response.headers.setdefault("Cache-Control", "no-store")
    return response


@bp.errorhandler(errors.Forbidden)
def _refused(err: errors.Forbidden) -> Any:
    """A wrong role: the dashboard says who may see it. A browser opening the page gets
    the pages' styled error page, in its language; its data, its reports and any client
    asking for JSON (:func:`hub.responses.wants_json`) get the JSON error."""
    if request.endpoint != "dashboard.page" or wants_json():
        return error_json(errors.Forbidden(REFUSED))
    html = render_template(
        "error.html",
        status=errors.Forbidden.status,
        code=errors.Forbidden.code,
        message=refused_text(),
        **page_context(),
    )
    return html, errors.Forbidden.status


@bp.get("", strict_slashes=False)
@requires(*MANAGERS, bearer=True)
def page() -> Any:
    """The page; its figures come from :func:`overview` (fetched by ``dashboard.js``)."""
    hub = current_hub()
    start, end, period = _range(hub)
    return render_template(
        "dashboard.html",
        script_strings=script_strings(),
        lang=current_locale(),
        site=hub.config.site,
        user=current_actor(bearer=True),
        start=start,
        end=end,
        period=period,
        presets=PRESET_LABELS,
        cutoff=hub.config.reports.period_cutoff_day,
        flagged=_flag_toggle(),
    )


@bp.get("/data")
@requires(*MANAGERS, bearer=True, json_only=True)
def overview() -> Any:
    """The period's figures as JSON (:func:`hub.dashboard.data.overview`)."""
    hub = current_hub()
    start, end, period = _range(hub)
    body = data.overview(hub, start, end, _flag_toggle(), current_locale())
    body["period"] = period
    return jsonify(body)


@bp.get("/report")
@requires(*MANAGERS, bearer=True, json_only=True)
def report() -> Any:
    """The satisfaction or queue report of the period as XLSX or CSV, or the province's
    satisfaction form as PDF."""
    hub = current_hub()
    start, end, _ = _range(hub)
    kind = request.args.get("kind", "satisfaction")
    fmt = request.args.get("format", "xlsx")
    sep = request.args.get("sep", ",")
    if kind not in DEFAULT_BY or fmt not in FORMATS or (fmt == "pdf" and kind != "satisfaction"):
        raise errors.BadRequest("Loại báo cáo không hợp lệ", code="invalid_report")
    if sep not in CSV_SEPARATORS:
        raise errors.BadRequest("Dấu phân cách CSV chỉ có thể là , hoặc ;", code="invalid_report")
    groupings = [g for g in request.args.get("by", "").split(",") if g] or list(DEFAULT_BY[kind])
    for by in groupings:
        check_range(start, end, by)
    flagged = _flag_toggle()
    today = site_day(hub.clock(), hub.config.site.timezone)
    if fmt == "csv":
        body = build_csv(
            hub.stats, kind, start, end, groupings[0], include_flagged=flagged, sep=sep
        )
    elif fmt == "pdf":
        form = build_form(hub.stats, start, end, made_on=today, include_flagged=flagged)
        body = build_pdf(form)
    else:
        body = build_xlsx(
            hub.stats,
            kind,
            start,
            end,
            groupings,
            site_name=hub.config.site.name,
            include_flagged=flagged,
            made_on=today,
        )
    response = Response(body, mimetype=FORMATS[fmt])
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{filename(kind, start, end, fmt)}"'
    )
    return response


FONTS = ("Regular", "Medium", "SemiBold", "Bold")


@bp.get("/fonts/BeVietnamPro-<weight>.ttf")
def font(weight: str) -> Any:
    """Be Vietnam Pro from its Python package (a dependency), so no CDN is needed."""
    found = font_response(weight) if weight in FONTS else None
    if found is None:
        abort(404)
    return found
